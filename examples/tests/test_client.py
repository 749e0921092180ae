"""The integrator's own tests of `payluk_client.PaylukClient`, run against payluk-sandbox.

The `payluk_sandbox` fixture comes from the payluk-sandbox pytest plugin (installing the package
registers it): each test gets a fresh sandbox namespace with the default fixture customers and
its own `sk_test_` key, on an in-process server or on the one named by PAYLUK_SANDBOX_URL.
"""

import pytest

from payluk_client import PaylukClient, PaylukError

SELLER = "ada.eze@sandbox.payluk.test"  # fixture seller, empty wallet
BUYER = "tunde.bakare@sandbox.payluk.test"  # fixture buyer, 5,000,000 NGN
POOR_BUYER = "bola.adeyemi@sandbox.payluk.test"  # fixture buyer, 10,000 NGN
BENEFICIARY = "chidi.nwosu@sandbox.payluk.test"  # receives one milestone

# The milestone example of docs.payluk.ng/concepts/milestone-escrows (beneficiary filled in below).
WEBSITE = {
    "amount": 1000000,
    "purpose": "Company website build",
    "milestones": [
        {"title": "Design", "amount": 300000, "dueDate": "2026-07-15"},
        {"title": "Development", "amount": 500000, "dueDate": "2026-08-15"},
        {"title": "Deployment", "amount": 200000},
    ],
}


@pytest.fixture
def payluk(payluk_sandbox):
    """The client under test, pointed at this test's sandbox namespace."""
    client = PaylukClient(payluk_sandbox.base_url, payluk_sandbox.key)
    yield client
    client.session.close()
    payluk_sandbox.invariants()  # the sandbox's books still balance after whatever the test did


@pytest.fixture
def ids(payluk_sandbox):
    """Customer ids by role, looked up by the fixture e-mail addresses."""
    return {role: payluk_sandbox.customer(email)["id"] for role, email in
            {"seller": SELLER, "buyer": BUYER, "poor_buyer": POOR_BUYER, "beneficiary": BENEFICIARY}.items()}


def website_escrow(payluk, ids):
    milestones = [dict(m) for m in WEBSITE["milestones"]]
    milestones[0]["customerId"] = ids["beneficiary"]  # Design is paid to someone else
    return payluk.create_milestone_escrow(ids["seller"], amount=WEBSITE["amount"], purpose=WEBSITE["purpose"],
                                          milestones=milestones)


def test_milestone_flow_create_pay_confirm_each(payluk, ids):
    escrow = website_escrow(payluk, ids)
    assert (escrow["state"], escrow["status"], escrow["settlementType"]) == ("AWAITING_PAYMENT", "PENDING", "MILESTONE")
    assert escrow["fee"] == 25000  # 2.5 %, paid by the buyer (whoPays: buyer)

    link = payluk.verify(escrow["paymentToken"], ids["buyer"])  # what the buyer sees behind the link
    assert (link["id"], link["isSeller"]) == (escrow["id"], False)

    payment = payluk.pay_escrow(ids["buyer"], escrow["id"])
    assert (payment["status"], payment["amount"]) == ("SUCCESS", 1025000)
    assert payluk.wallet(ids["buyer"])["mainBalance"] == 5000000 - 1025000

    released = []
    for milestone in payluk.milestones(escrow["paymentToken"]):
        escrow = payluk.confirm_milestone(ids["buyer"], escrow["id"], milestone["id"])
        released.append((escrow["state"], escrow["status"]))
    assert released == [("OPENED", "ONGOING"), ("OPENED", "ONGOING"), ("CLOSED", "COMPLETED")]
    assert [m["status"] for m in payluk.milestones(escrow["paymentToken"])] == ["RELEASED"] * 3

    assert payluk.wallet(ids["seller"]) == {"mainBalance": 700000, "escrowBalance": 0, "currency": "NGN"}
    assert payluk.wallet(ids["beneficiary"])["mainBalance"] == 300000
    assert payluk.wallet(ids["buyer"]) == {"mainBalance": 3975000, "escrowBalance": 0, "currency": "NGN"}


def test_milestone_released_twice_is_refused(payluk, ids):
    escrow = website_escrow(payluk, ids)
    payluk.pay_escrow(ids["buyer"], escrow["id"])
    design = escrow["milestones"][0]
    payluk.confirm_milestone(ids["buyer"], escrow["id"], design["id"])
    with pytest.raises(PaylukError) as refused:
        payluk.confirm_milestone(ids["buyer"], escrow["id"], design["id"])
    assert (refused.value.status, refused.value.message) == (400, "Action not allowed")
    assert payluk.wallet(ids["beneficiary"])["mainBalance"] == 300000  # paid once


def test_pay_escrow_with_insufficient_balance(payluk, ids):
    escrow = website_escrow(payluk, ids)
    with pytest.raises(PaylukError) as refused:
        payluk.pay_escrow(ids["poor_buyer"], escrow["id"])
    assert (refused.value.status, refused.value.message) == (400, "Insufficient balance")
    assert str(refused.value) == "400 Insufficient balance"
    # Nothing moved: the buyer keeps their 10,000 and the escrow still waits for payment.
    assert payluk.wallet(ids["poor_buyer"]) == {"mainBalance": 10000, "escrowBalance": 0, "currency": "NGN"}
    assert payluk.verify(escrow["paymentToken"])["state"] == "AWAITING_PAYMENT"


def test_seller_claims_after_the_delivery_window(payluk, ids, payluk_sandbox):
    escrow = payluk.create_escrow(ids["seller"], amount=150000, purpose="MacBook Pro 14", who_pays="both",
                                  max_delivery=3, delivery_timeline="days")
    assert (escrow["fee"], escrow["settlementType"]) == (3750, "STANDARD")
    assert payluk.pay_escrow(ids["buyer"], escrow["id"])["amount"] == 150000 + 1875  # buyer's half of the fee

    with pytest.raises(PaylukError) as early:
        payluk.claim_funds(ids["seller"], escrow["paymentToken"])
    assert (early.value.status, early.value.message) == (400, "Escrow cannot be claimed yet")

    payluk_sandbox.advance("P3D")  # the sandbox clock: no waiting three days in CI
    claimed = payluk.claim_funds(ids["seller"], escrow["paymentToken"])
    assert (claimed["status"], claimed["state"]) == ("CLAIMED", "CLOSED")
    assert payluk.wallet(ids["seller"])["mainBalance"] == 150000 - 1875  # seller's half of the fee


def test_errors_carry_payluks_status_and_message(payluk_sandbox):
    anonymous = PaylukClient(payluk_sandbox.base_url, "")  # no key at all
    with pytest.raises(PaylukError) as no_key:
        anonymous.verify("PY_aaaaaaaa0000")
    assert (no_key.value.status, no_key.value.message) == (401, "No token provided")

    client = PaylukClient(payluk_sandbox.base_url, payluk_sandbox.key)
    with pytest.raises(PaylukError) as unknown:
        client.verify("PY_aaaaaaaa0000")
    assert (unknown.value.status, unknown.value.message) == (400, "Escrow not found")
    with pytest.raises(PaylukError) as no_customer:
        client.wallet(None)
    assert (no_customer.value.status, no_customer.value.message) == (400, "customer-id header is required")
