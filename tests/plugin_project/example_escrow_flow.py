"""A consumer project's tests of a Payluk milestone escrow integration, run against
payluk-sandbox through its pytest plugin (installing the payluk-sandbox package registers the
`payluk_sandbox` fixture; nothing to import or configure)."""

import requests

SELLER = "ada.eze@sandbox.payluk.test"  # default fixtures: a seller with an empty wallet
BUYER = "tunde.bakare@sandbox.payluk.test"  # default fixtures: a buyer holding 5,000,000 NGN

WEBSITE = {
    "amount": 1000000,
    "purpose": "Company website build",
    "whoPays": "buyer",  # milestone escrows: the buyer pays the 2.5 % fee (25,000) on top
    "milestones": [
        {"title": "Design", "amount": 400000},
        {"title": "Development", "amount": 600000},
    ],
}


def parties(sandbox):
    return sandbox.customer(SELLER)["id"], sandbox.customer(BUYER)["id"]


def wallet(sandbox, customer_id):
    reply = requests.get(sandbox.url("/v1/wallet"), headers=sandbox.headers(customer_id), timeout=10)
    assert reply.status_code == 200, reply.json()
    return reply.json()["data"]


def pay(sandbox, escrow_id, buyer, status=200):
    reply = sandbox.session.post("/v1/payment/escrow", headers={"customer-id": buyer}, json={
        "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow_id},
    })
    assert reply.status_code == status, reply.json()
    return reply.json()


def website_escrow(sandbox):
    seller, _ = parties(sandbox)
    reply = requests.post(sandbox.url("/v1/escrow/milestone/create"), headers=sandbox.headers(seller),
                          json=WEBSITE, timeout=10)
    assert reply.status_code == 201, reply.json()
    escrow = reply.json()["data"]
    assert (escrow["fee"], escrow["state"]) == (25000, "AWAITING_PAYMENT")
    return escrow


def funded_website_escrow(sandbox):
    escrow = website_escrow(sandbox)
    assert pay(sandbox, escrow["id"], parties(sandbox)[1])["data"]["amount"] == 1025000
    return escrow


def confirm(sandbox, escrow, milestone, buyer):
    reply = sandbox.session.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}",
                                 headers={"customer-id": buyer})
    assert reply.status_code == 200, reply.json()
    return reply.json()["data"]


def test_milestone_escrow_pays_the_seller_milestone_by_milestone(payluk_sandbox):
    seller, buyer = parties(payluk_sandbox)
    escrow = funded_website_escrow(payluk_sandbox)
    assert wallet(payluk_sandbox, buyer)["mainBalance"] == 5000000 - 1025000

    design, development = escrow["milestones"]
    assert confirm(payluk_sandbox, escrow, design, buyer)["state"] == "OPENED"
    assert wallet(payluk_sandbox, seller)["mainBalance"] == 400000
    done = confirm(payluk_sandbox, escrow, development, buyer)
    assert (done["state"], done["status"]) == ("CLOSED", "COMPLETED")  # the last release completes it

    assert wallet(payluk_sandbox, seller) == {"mainBalance": 1000000, "escrowBalance": 0, "currency": "NGN"}
    payluk_sandbox.invariants()  # raises AssertionError if money was created or lost


def test_seller_claims_after_the_delivery_window(payluk_sandbox):
    seller, buyer = parties(payluk_sandbox)
    reply = payluk_sandbox.session.post("/v1/escrow/create", headers={"customer-id": seller}, data={
        "amount": "150000", "purpose": "MacBook Pro 14", "whoPays": "both",
        "maxDelivery": "3", "deliveryTimeline": "days",
    })
    assert reply.status_code == 201, reply.json()
    escrow = reply.json()["data"]
    pay(payluk_sandbox, escrow["id"], buyer)

    claim = f"/v1/escrow/claim-funds/{escrow['paymentToken']}"
    early = payluk_sandbox.session.get(claim, headers={"customer-id": seller})
    assert early.json() == {"status": 400, "message": "Escrow cannot be claimed yet", "data": {}}

    moved = payluk_sandbox.advance("P3D")  # no waiting three days in CI
    assert [(due["type"], due["escrowId"]) for due in moved["due"]] == [("escrow.claimable", escrow["id"])]
    claimed = payluk_sandbox.session.get(claim, headers={"customer-id": seller})
    assert claimed.status_code == 200, claimed.json()
    assert claimed.json()["data"]["status"] == "CLAIMED"
    assert wallet(payluk_sandbox, seller)["mainBalance"] == 150000 - 1875  # seller's half of the fee
    payluk_sandbox.invariants()


def test_snapshot_restore_replays_a_release(payluk_sandbox):
    seller, buyer = parties(payluk_sandbox)
    escrow = funded_website_escrow(payluk_sandbox)
    payluk_sandbox.snapshot("funded")

    confirm(payluk_sandbox, escrow, escrow["milestones"][0], buyer)
    assert wallet(payluk_sandbox, seller)["mainBalance"] == 400000

    payluk_sandbox.restore("funded")  # back to the funded escrow: nothing released yet
    assert wallet(payluk_sandbox, seller)["mainBalance"] == 0
    milestones = payluk_sandbox.session.get(f"/v1/escrow/milestone/{escrow['paymentToken']}").json()["data"]
    assert [m["status"] for m in milestones] == ["PENDING", "PENDING"]
    confirm(payluk_sandbox, escrow, escrow["milestones"][0], buyer)
    assert wallet(payluk_sandbox, seller)["mainBalance"] == 400000
    payluk_sandbox.invariants()


def test_a_refused_payment_changes_nothing_and_the_retry_goes_through(payluk_sandbox):
    _, buyer = parties(payluk_sandbox)
    escrow = website_escrow(payluk_sandbox)
    with payluk_sandbox.scenario("insufficient_funds"):  # adds X-Sandbox-Scenario to the session
        refused = pay(payluk_sandbox, escrow["id"], buyer, status=400)
    assert refused == {"status": 400, "message": "Insufficient balance", "data": {}}
    assert wallet(payluk_sandbox, buyer)["mainBalance"] == 5000000

    assert pay(payluk_sandbox, escrow["id"], buyer)["data"]["status"] == "SUCCESS"
    payments = payluk_sandbox.requests_log(path="/v1/payment/escrow")["data"]  # newest first
    assert [(p["status"], p["scenario"]) for p in payments] == [(200, None), (400, "insufficient_funds")]
    payluk_sandbox.invariants()
