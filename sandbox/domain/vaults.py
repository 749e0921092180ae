"""Vault escrows ([B], profile 2026-10; docs.payluk.ng concepts/vault-escrows): participants
pool stakes into one pot, which the merchant pays to one of them (the winner) or cancels.

Payluk's rules: the merchant creates the vault (no `customer-id`) for >= 2 unique active
customers with stakes of at least 1 (2 decimals at most) summing to at least 1000; each stake
moves from the participant's main balance into their own escrow balance, all or nothing, and
the vault is born funded (`OPENED`/`ONGOING`, participants `STAKED`). Naming the winner pays
the pot minus the fee to the winner (`COMPLETED`); cancelling returns each stake minus its
pro-rata part of the fee (`REFUNDED`). A vault is never disputable.

Sandbox choices where the docs are silent (README "Fidelity and limitations"): the fee is the
escrow tariff on the pot (`escrows.set_amount`, the same rule as every escrow) and the pot pays
it, so `whoPays` is `seller` (deducted from the payout); on a win every participant is
`RELEASED` (their stake left escrow for the winner); on a cancel the pro-rata fee shares are
exact kobo by the largest-remainder rule (`fee_shares`): rounded down, the leftover kobo one
each to the stakes whose shares lost most in the rounding, the first listed among equal ones.
"""

from sandbox.domain import errors, ledger, lifecycle, outbox
from sandbox.domain.customers import require_super_admin
from sandbox.domain.errors import BadRequest, NotFound
from sandbox.domain.escrows import category_of, close, escrow_by_token, escrow_record
from sandbox.domain.lifecycle import ONGOING, RELEASED, REFUNDED, STAKED, VAULT
from sandbox.domain.money import KOBO_PER_NAIRA, exact_hundredths
from sandbox.ids import is_object_id

MIN_PARTICIPANTS = 2
MIN_STAKE_KOBO = 1 * KOBO_PER_NAIRA
MIN_POT_KOBO = 1000 * KOBO_PER_NAIRA
# The pot pays the fee: the payout is reduced by it, as `whoPays: seller` means on other escrows.
WHO_PAYS = "seller"


def stake_kobo(value) -> int:
    """A stake as sent (a JSON number, not text: at least 1, at most 2 decimals) in kobo, exactly
    (money.exact_hundredths: no binary fraction reaches the amount)."""
    kobo = None if isinstance(value, str) else exact_hundredths(value)
    if kobo is None or kobo < MIN_STAKE_KOBO:
        raise BadRequest(errors.VAULT_STAKE_INVALID)
    return kobo


def _participant(ns, customer_id) -> dict:
    """A participant must be an existing, active customer of the merchant."""
    customer = ns.get("customers", customer_id) if is_object_id(customer_id) else None
    if customer is None:
        raise NotFound(errors.CUSTOMER_NOT_FOUND)
    if customer["status"] != "active":
        raise BadRequest(errors.VAULT_PARTICIPANT_INACTIVE)
    return customer


def _check_participants(ns, specs) -> list[dict]:
    """The participants as stored (`customer_id`, `amount` in kobo, `status`), every rule checked."""
    if not isinstance(specs, list) or len(specs) < MIN_PARTICIPANTS:
        raise BadRequest(errors.VAULT_PARTICIPANTS_MIN_TWO)
    stakes = [stake_kobo(spec.get("amount")) for spec in specs]
    ids = [spec["customer_id"] for spec in specs]
    if len(set(ids)) != len(ids):
        raise BadRequest(errors.VAULT_PARTICIPANTS_UNIQUE)
    for customer_id in ids:
        _participant(ns, customer_id)
    if sum(stakes) < MIN_POT_KOBO:
        raise BadRequest(errors.VAULT_POT_MIN)
    return [{"customer_id": customer_id, "amount": stake, "status": STAKED}
            for customer_id, stake in zip(ids, stakes)]


def vault_by_token(ns, token) -> dict:
    """The vault a payment token names; any other escrow is not one (`Escrow not found`)."""
    escrow = escrow_by_token(ns, token)
    if escrow["settlement_type"] != VAULT:
        raise BadRequest(errors.ESCROW_NOT_FOUND)
    return escrow


def create_vault(ns, data: dict) -> dict:
    """Create a vault: every stake moves from its participant's main balance to their escrow
    balance in one posting, or none does (`Insufficient balance` if any participant is short)."""
    require_super_admin(ns)
    participants = _check_participants(ns, data.get("participants"))
    category = category_of(ns, data.get("category_id"))
    for participant in participants:
        if ns.balance(ledger.main_account(participant["customer_id"])) < participant["amount"]:
            raise BadRequest(errors.INSUFFICIENT_BALANCE)

    pot = sum(p["amount"] for p in participants)
    details = {"purpose": data["purpose"], "description": data.get("description"), "who_pays": WHO_PAYS,
               "category_id": data.get("category_id")}
    escrow = escrow_record(ns, None, details, pot, VAULT, category)
    now = escrow["created_at_ms"]
    escrow.update(status=ONGOING, state=lifecycle.STATE_OF_STATUS[ONGOING], paid_at_ms=now, held=pot,
                  participants=participants, winner_id=None)
    entries = []
    for participant in participants:
        customer_id, stake = participant["customer_id"], participant["amount"]
        entries += [(ledger.main_account(customer_id), -stake), (ledger.escrow_account(customer_id), stake)]
    ledger.post(ns, "vault_stake", entries, escrow_id=escrow["id"])
    ns.save_escrow(escrow)
    # concepts/webhooks: `escrow.created`, then the status it is born in (`escrow.ongoing`); a
    # vault is never PENDING, so no `escrow.pending`.
    outbox.emit(ns, "escrow.created", escrow)
    outbox.emit(ns, f"escrow.{ONGOING.lower()}", escrow)
    return escrow


def _stakes_out(escrow: dict) -> list:
    """Ledger entries taking every stake out of its participant's escrow balance."""
    return [(ledger.escrow_account(p["customer_id"]), -p["amount"]) for p in escrow["participants"]]


def _fee_entries(escrow: dict) -> list:
    """Where the vault's fee goes as it closes (fees-and-settlement: charged on completion): the
    merchant's commission to its wallet, the rest to Payluk."""
    commission = escrow.get("commission", 0)
    return [(ledger.FEES, escrow["fee"] - commission), (ledger.MERCHANT, commission)]


def choose_winner(ns, token, data: dict) -> dict:
    """The merchant names the winner, a participant: the pot minus the fee goes to the winner's
    main balance; the vault closes `COMPLETED` with `winnerId` set, every stake `RELEASED`."""
    require_super_admin(ns)
    escrow = vault_by_token(ns, token)
    lifecycle.next_status(escrow, "choose_winner")
    winner_id = data["winner_id"]
    if winner_id not in {p["customer_id"] for p in escrow["participants"]}:
        raise BadRequest(errors.VAULT_WINNER_NOT_PARTICIPANT)

    payout = escrow["held"] - escrow["fee"]
    ledger.post(ns, "vault_release",
                _stakes_out(escrow) + [(ledger.payee_account(ns, winner_id), payout)] + _fee_entries(escrow),
                escrow_id=escrow["id"], customer_id=winner_id)
    escrow["held"] = 0
    escrow["winner_id"] = winner_id
    escrow["approved_claim_by"] = ns.get_merchant()["id"]
    for participant in escrow["participants"]:
        participant["status"] = RELEASED
    close(ns, escrow, "choose_winner")
    return escrow


def fee_shares(fee: int, stakes: list[int]) -> list[int]:
    """Each stake's part of the fee, pro rata, in exact kobo (largest remainder): every share is
    rounded down, then the leftover kobo (fewer than the stakes) go one each to the stakes whose
    shares lost most in the rounding, the first listed among equal ones. No share exceeds its
    stake's exact part rounded up, so no refund is negative."""
    pot = sum(stakes)
    shares = [fee * stake // pot for stake in stakes]
    by_remainder = sorted(range(len(stakes)), key=lambda i: (-(fee * stakes[i] % pot), i))
    for i in by_remainder[:fee - sum(shares)]:
        shares[i] += 1
    return shares


def cancel_vault(ns, token) -> dict:
    """The merchant cancels a vault: each participant gets their stake back minus its pro-rata
    part of the fee (Payluk keeps the fee); the vault closes `REFUNDED`, every stake `REFUNDED`."""
    require_super_admin(ns)
    escrow = vault_by_token(ns, token)
    lifecycle.next_status(escrow, "cancel_vault")

    shares = fee_shares(escrow["fee"], [p["amount"] for p in escrow["participants"]])
    refunds = [(ledger.main_account(p["customer_id"]), p["amount"] - share)
               for p, share in zip(escrow["participants"], shares)]
    ledger.post(ns, "vault_refund", _stakes_out(escrow) + refunds + _fee_entries(escrow), escrow_id=escrow["id"])
    escrow["held"] = 0
    escrow["refunded_by"] = ns.get_merchant()["id"]
    for participant in escrow["participants"]:
        participant["status"] = REFUNDED
    close(ns, escrow, "cancel_vault")
    return escrow


def get_vault(ns, token) -> dict:
    """One vault by its payment token (merchant keys with super-admin rights)."""
    require_super_admin(ns)
    return vault_by_token(ns, token)
