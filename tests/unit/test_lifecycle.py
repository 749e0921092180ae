"""The lifecycle table: every (settlementType, status, action) is allowed or `Action not allowed`."""

import itertools

import pytest

from sandbox.domain import lifecycle
from sandbox.domain.errors import ActionNotAllowed

STATUSES = list(lifecycle.STATE_OF_STATUS)
ALLOWED = {
    ("STANDARD", "PENDING", "edit"): "PENDING",
    ("STANDARD", "PENDING", "convert"): "PENDING",
    ("STANDARD", "PENDING", "delete"): "PENDING",
    ("STANDARD", "PENDING", "pay"): "ONGOING",
    ("STANDARD", "ONGOING", "confirm_payment"): "COMPLETED",
    ("STANDARD", "ONGOING", "claim"): "CLAIMED",
    ("STANDARD", "ONGOING", "open_dispute"): "DISPUTED",
    ("STANDARD", "DISPUTED", "reply_dispute"): "INVESTIGATING",
    ("STANDARD", "DISPUTED", "resolve_completed"): "COMPLETED",
    ("STANDARD", "DISPUTED", "resolve_refunded"): "REFUNDED",
    ("STANDARD", "INVESTIGATING", "resolve_completed"): "COMPLETED",
    ("STANDARD", "INVESTIGATING", "resolve_refunded"): "REFUNDED",
    ("MILESTONE", "PENDING", "edit_milestones"): "PENDING",
    ("MILESTONE", "PENDING", "delete"): "PENDING",
    ("MILESTONE", "PENDING", "pay"): "ONGOING",
    ("MILESTONE", "ONGOING", "release_milestone"): "ONGOING",
    ("MILESTONE", "ONGOING", "complete_milestones"): "COMPLETED",
    ("VAULT", "ONGOING", "choose_winner"): "COMPLETED",
    ("VAULT", "ONGOING", "cancel_vault"): "REFUNDED",
}
# Profile 2026-10 ([B]): SPLIT rulings and milestone disputes (2026-06 refuses them before the table).
ALLOWED.update({
    ("STANDARD", "PENDING", "set_additional_fee"): "PENDING",
    ("STANDARD", "DISPUTED", "resolve_split"): "SPLIT",
    ("STANDARD", "INVESTIGATING", "resolve_split"): "SPLIT",
    ("MILESTONE", "ONGOING", "open_dispute"): "DISPUTED",
    ("MILESTONE", "DISPUTED", "reply_dispute"): "INVESTIGATING",
    **{("MILESTONE", status, f"resolve_{ruling}"): ruling.upper()
       for status in ("DISPUTED", "INVESTIGATING") for ruling in ("completed", "refunded", "split")},
})


def _escrow(settlement, status):
    return {"settlement_type": settlement, "status": status, "state": lifecycle.STATE_OF_STATUS[status],
            "logs": [], "updated_at_ms": 0}


@pytest.mark.parametrize("settlement, status, action",
                         list(itertools.product(["STANDARD", "MILESTONE", "VAULT"], STATUSES, lifecycle.ACTIONS)))
def test_every_pair(settlement, status, action):
    escrow = _escrow(settlement, status)
    expected = ALLOWED.get((settlement, status, action))
    if expected is None:
        with pytest.raises(ActionNotAllowed) as err:
            lifecycle.apply(escrow, action, 5)
        assert (err.value.status, err.value.message) == (400, "Action not allowed")
        assert escrow == _escrow(settlement, status)
    else:
        lifecycle.apply(escrow, action, 5)
        assert escrow["status"] == expected
        assert escrow["state"] == lifecycle.STATE_OF_STATUS[expected]
        assert escrow["logs"] == ([] if expected == status else [status])
        assert escrow["updated_at_ms"] == 5


def test_state_follows_status():
    assert lifecycle.STATE_OF_STATUS == {
        "PENDING": "AWAITING_PAYMENT", "ONGOING": "OPENED", "DISPUTED": "OPENED", "INVESTIGATING": "OPENED",
        "COMPLETED": "CLOSED", "CLAIMED": "CLOSED", "REFUNDED": "CLOSED", "SPLIT": "CLOSED",
    }


def test_table_is_exactly_the_documented_one():
    assert lifecycle.TRANSITIONS == ALLOWED
