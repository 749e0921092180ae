"""Domain services without HTTP: permission and account-status rules, atomic refusals."""

import copy
import json

import pytest

from sandbox.domain import customers, escrows, funding, invariants, milestones
from sandbox.domain.errors import PaylukError
from sandbox.controlplane.fixture_sets import load_fixture
from sandbox.store.base import new_state
from sandbox.store.memory import MemoryNamespace

SELLER, BUYER, POOR = "665f1b2c9a1e4d0012ab3c30", "665f1b2c9a1e4d0012ab3c31", "665f1b2c9a1e4d0012ab3c32"
ESCROW = {"amount": 2000, "purpose": "x", "who_pays": "buyer",
          "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]}


@pytest.fixture
def ns():
    fixture = copy.deepcopy(load_fixture(None))
    fixture["customers"][2]["permissions"] = {"can_buy": False, "can_sell": False}
    namespace = MemoryNamespace(new_state(1, 1_782_123_300_000))
    customers.seed_namespace(namespace, fixture)
    yield namespace
    assert invariants.check(namespace) == []


def _refused(call, status, message):
    with pytest.raises(PaylukError) as err:
        call()
    assert (err.value.status, err.value.message) == (status, message)


def test_blocked_customer_is_refused(ns):
    customer = ns.get("customers", BUYER)
    customer["status"] = "blocked"
    ns.save("customers", customer)
    _refused(lambda: customers.get_wallet(ns, BUYER), 401, "Your account is disabled. Please contact support")


def test_customer_without_can_sell_cannot_create(ns):
    _refused(lambda: milestones.create_milestone_escrow(ns, POOR, ESCROW), 401, "Access denied")
    _refused(lambda: escrows.create_escrow(ns, POOR, {"amount": 10, "purpose": "x", "who_pays": "buyer"}),
             401, "Access denied")


def test_customer_without_can_buy_cannot_pay(ns):
    escrow = milestones.create_milestone_escrow(ns, SELLER, ESCROW)
    before = json.dumps(ns.state, sort_keys=True)
    _refused(lambda: funding.pay_escrow(ns, POOR, {"gateway": "CARD", "escrow_ids": [escrow["id"]]}),
             401, "Access denied")
    assert json.dumps(ns.state, sort_keys=True) == before


def test_full_milestone_flow_books(ns):
    escrow = milestones.create_milestone_escrow(ns, SELLER, ESCROW)
    funding.pay_escrow(ns, BUYER, {"gateway": "WALLET", "escrow_ids": [escrow["id"]]})
    for milestone in escrow["milestones"]:
        escrow = milestones.confirm_milestone(ns, BUYER, escrow["id"], milestone["id"])
    kinds = [p["kind"] for p in ns.postings()]
    assert kinds[-4:] == ["escrow_funding", "milestone_release", "milestone_release", "fee"]
    assert ns.balance("payluk:fees") == 5000  # 2.5 % of 2,000 naira, in kobo
    assert (escrow["state"], escrow["status"], escrow["held"]) == ("CLOSED", "COMPLETED", 0)
