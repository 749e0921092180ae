"""Integrations written against Payluk's October 2026 docs, replayed under profile 2026-10: the
request shapes `../shared/real-clients.md` lists (its [B] section and the shapes every client
sends), in one flow, asserting every field those clients read — so a client that passes here
does not stop on a missing `fee`, `checkoutConfig`, `testAccount` or wallet `id`."""

import hashlib
import hmac
import json

import pytest

from sandbox.domain import errors as E
from tests.api.test_intents import WITHDRAWAL_DETAILS
from tests.api.test_webhooks import Receiver, hook, wait_for
from tests.conftest import BUYER, KEY, SELLER

BUYER_EMAIL = "tunde.bakare@sandbox.payluk.test"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def ok(reply, status=200):
    """Clients treat any non-2xx as failure and surface the envelope's message."""
    assert 200 <= reply.status < 300 and reply.body["status"] == reply.status, reply.body["message"]
    assert reply.status == status, reply.body
    return reply.data


def refused(reply) -> str:
    assert reply.status >= 400 and set(reply.body) == {"status", "message", "data"}, reply.body
    return reply.body["message"]


def node_stringify(body: dict) -> bytes:
    """`JSON.stringify(body)`: compact, key order kept, non-ASCII unescaped."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_client_of_the_october_docs_runs_its_whole_flow(later, receiver):
    http = later.http
    hook(http, receiver)

    # Customers: looked up by e-mail and phone, read with the later shape; paged until isLastPage.
    found = ok(http.get(f"/v1/customers?email={BUYER_EMAIL}"))["data"]
    buyer = found[0]
    assert buyer["customerId"] == buyer["id"] == BUYER
    assert set(buyer["permissions"]) == {"canWithdraw", "canBuy", "canSell"} and buyer["status"] == "active"
    for name in ("firstname", "lastname", "email", "phone", "bvn", "createdAt"):
        assert name in buyer
    assert ok(http.get(f"/v1/customers?phone={buyer['phone']}"))["data"][0]["customerId"] == BUYER
    assert ok(http.get(f"/v1/customer/{BUYER}"))["customerId"] == BUYER  # without /get/
    seen, page = [], 1
    while True:
        data = ok(http.get(f"/v1/customers?limit=50&page={page}"))
        seen += data["data"]
        if data["pagination"]["isLastPage"]:
            break
        page += 1
    assert BUYER in {c["customerId"] for c in seen}
    created = ok(http.post("/v1/customer/create", json={
        "firstname": "Ngozi", "lastname": "Okafor", "email": "ngozi@example.com", "phone": "08039990000",
        "bvn": "22233344455"}), 201)  # no countryId, an 11-digit bvn
    assert created["id"] == created["customerId"]

    # Escrow create as JSON with the extra keys clients send; read with the later shape.
    escrow = ok(http.post("/v1/escrow/create", customer=SELLER, json={
        "amount": 150000, "purpose": "Phone", "description": "Sealed", "whoPays": "both", "maxDelivery": 3,
        "deliveryTimeline": "days", "totalQuantity": 1, "callbackUrl": "https://shop.example/cb",
        "imageUrl": "https://shop.example/phone.png"}), 201)
    assert escrow["paymentToken"].startswith("PY_") and escrow["id"]
    assert (escrow["additionalFee"], escrow["additionalFeeRefundable"]) == (0, True)
    milestone = ok(http.post("/v1/escrow/milestone/create", customer=SELLER, json=later.milestone_example), 201)
    assert all("customerId" in m for m in milestone["milestones"])
    assert milestone["milestones"][1]["customerId"] is None

    # The merchant's routes: the additional fee, its wallet.
    ok(http.put(f"/v1/escrow/additional-fee/{escrow['paymentToken']}", json={"additionalFee": 500}))
    assert "mainBalance" in ok(http.get("/v1/merchant/balance"))

    # Pay: card without cardId, escrowId as an array of one, a caller reference, NGN, the amount due.
    due = 150000 + 1500 + 500  # amount + the buyer's half of the 2 % fee + the additional fee
    reference = f"order_{escrow['id']}_1782123300000"
    paid = ok(http.post("/v1/payment/escrow", customer=BUYER, json={
        "gateway": "card", "transactionType": "escrow", "currency": "NGN", "reference": reference,
        "amount": due, "escrowDetails": {"escrowId": [escrow["id"]]}}))
    assert (paid["reference"], paid["amount"], paid["fee"], paid["status"], paid["transactionType"]) == (
        reference, due, 1500, "success", "escrow")
    assert paid["id"] and paid["escrowDetails"]["paymentToken"] == escrow["paymentToken"]

    # Webhooks: `payment.escrow.success` with environment test; the signature verifies over the raw
    # body and over JSON.stringify of the parsed body alike.
    wait_for(lambda: "payment.escrow.success" in receiver.events())
    for request in receiver.received:
        body = json.loads(request["body"])
        signature = {k.lower(): v for k, v in request["headers"].items()}["x-payluk-signature"]
        for signed in (request["body"], node_stringify(body)):
            assert hmac.compare_digest(signature, hmac.new(KEY.encode(), signed, hashlib.sha512).hexdigest())
        if body["event"].startswith("payment."):
            assert body["data"]["environment"] == "test"

    # A back office rules on a dispute it tracks itself: COMPLETED with sellerAmount.
    ok(http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=BUYER, json={"message": "Late"}))
    ruled = ok(http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}", json={
        "resolution": "Delivered after all", "status": "COMPLETED", "sellerAmount": 148500}))
    assert ruled["status"] == "COMPLETED"

    # Intents: a withdrawal preview reads `fee` and `id`; verify answers the fee again.
    preview = ok(http.post("/v1/payment/create-intent", customer=BUYER, json={
        "amount": 10000, "reference": "wd_client_1", "transactionType": "withdrawal",
        "withdrawalDetails": WITHDRAWAL_DETAILS}))
    assert (preview["fee"], preview["status"]) == (100, "pending") and preview["id"]
    settled = ok(http.post("/v1/payment/verify", customer=BUYER, json={"reference": "wd_client_1"}))
    assert (settled["fee"], settled["status"]) == (100, "success")
    # Deposits look for where to pay: the test bank, or a checkout for a card.
    bank = ok(http.post("/v1/payment/create-intent", customer=BUYER, json={
        "amount": 5000, "reference": "dep_client_1", "transactionType": "deposit"}))
    assert bank["testAccount"]["bankName"] == "Payluk Test Bank"
    card = ok(http.post("/v1/payment/create-intent", customer=BUYER, json={
        "amount": 5000, "reference": "dep_client_2", "transactionType": "deposit",
        "depositDetails": {"cardId": "665f1b2c9a1e4d0012ab3c60"}}))
    assert card["checkoutConfig"]["url"]

    # Banks and the wallet as [B] types them.
    banks = ok(http.get("/v1/payment/bank-list", customer=BUYER))
    assert banks and all(set(b) == {"name", "code"} for b in banks)
    wallet = ok(http.get("/v1/wallet", customer=BUYER))
    for name in ("id", "mainBalance", "escrowBalance", "currency", "createdAt", "updatedAt"):
        assert name in wallet


@pytest.mark.parametrize("path, body, message", [
    # A payment token sent as `escrowDetails.escrowId`.
    ("/v1/payment/escrow", {"gateway": "wallet", "transactionType": "escrow", "amount": 1000,
                            "escrowDetails": {"escrowId": "PY_8AB12C9D3045"}},
     '"escrowDetails.escrowId" must be a valid id (24 hex characters) or an array of them'),
    # camelCase names on customer create.
    ("/v1/customer/create", {"firstName": "Ada", "lastName": "Eze", "email": "ada2@example.com",
                             "phone": "08030000002"}, '"firstname" is required'),
    # Customer create without a phone.
    ("/v1/customer/create", {"firstname": "Ada", "lastname": "Eze", "email": "ada3@example.com"},
     '"phone" is required'),
])
def test_client_mistakes_are_answered_clearly(later, path, body, message):
    customer = BUYER if path == "/v1/payment/escrow" else None
    assert refused(later.http.post(path, customer=customer, json=body)) == message


def test_the_same_shapes_work_under_the_june_profile(api):
    """[B] input shapes are accepted by both profiles (real-clients.md): the June profile ignores
    what it does not use (the amount, the sellerAmount)."""
    escrow = api.create_escrow(as_json=True)
    paid = api._expect(api.http.post("/v1/payment/escrow", customer=BUYER, json={
        "gateway": "card", "transactionType": "escrow", "currency": "NGN", "reference": "order_1",
        "amount": 1, "escrowDetails": {"escrowId": [escrow["id"]]}}), 200)
    assert paid["status"] == "SUCCESS"
    assert refused(api.http.get("/v1/payment/bank-list", customer=BUYER)) == E.ROUTE_NOT_FOUND
