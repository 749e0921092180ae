"""Funding an escrow: gateways in both spellings, fee shares, balance checks, references."""

import pytest

from tests.conftest import BUYER, POOR_BUYER, SELLER, UNKNOWN_ID, pay_body


def standard(api, amount=1000000, who_pays="both"):
    return api.create_escrow({"amount": str(amount), "purpose": "Phone", "whoPays": who_pays})


@pytest.mark.parametrize("who_pays, charged", [("both", 1012500), ("buyer", 1025000), ("seller", 1000000)])
def test_pay_escrow__fee_shares(api, who_pays, charged):
    escrow = standard(api, who_pays=who_pays)
    assert escrow["fee"] == 25000
    before = api.wallet(BUYER)["mainBalance"]
    paid = api.pay(escrow["id"], reference="ESC_REF_98765")
    assert paid == {"reference": "ESC_REF_98765", "status": "SUCCESS", "amount": charged}
    assert api.wallet(BUYER) == {"mainBalance": before - charged, "escrowBalance": charged, "currency": "NGN"}
    funded = api.verify(escrow["paymentToken"], customer=BUYER)
    assert (funded["state"], funded["status"], funded["isSeller"]) == ("OPENED", "ONGOING", False)
    assert funded["paidAt"] == "1782123300"  # Unix seconds as a string (Payluk's paidAt quirk)
    assert funded["paymentDetails"] == {"reference": "ESC_REF_98765", "gateway": "WALLET", "amount": charged}
    assert funded["logs"] == ["PENDING"]


@pytest.mark.parametrize("gateway", ["PAYSTACK", "FLUTTERWAVE", "card", "Paystack"])
def test_pay_escrow__external_gateways_leave_the_wallet_alone(api, gateway):
    escrow = api.create_milestone_escrow()
    before = api.wallet(POOR_BUYER)["mainBalance"]
    paid = api.pay(escrow["id"], buyer=POOR_BUYER, gateway=gateway)
    assert paid["amount"] == 1025000 and paid["reference"].startswith("ESC_REF_")
    assert api.wallet(POOR_BUYER) == {"mainBalance": before, "escrowBalance": 1025000, "currency": "NGN"}


def test_pay_escrow__later_docs_spelling(api):
    """The body real clients send today ([B]): lower-case enums, amount, currency, reference."""
    escrow = api.create_milestone_escrow()
    body = {"amount": 1025000, "reference": "order_42_1766409928000", "transactionType": "escrow",
            "gateway": "wallet", "currency": "NGN", "escrowDetails": {"escrowId": escrow["id"]}}
    reply = api.http.post("/v1/payment/escrow", customer=BUYER, json=body)
    assert reply.status == 200 and reply.data == {"reference": "order_42_1766409928000", "status": "SUCCESS",
                                                   "amount": 1025000}


def test_pay_escrow__gateway_defaults_to_card(api):
    escrow = api.create_milestone_escrow()
    before = api.wallet(BUYER)["mainBalance"]
    reply = api.http.post("/v1/payment/escrow", customer=BUYER,
                          json={"transactionType": "escrow", "escrowDetails": {"escrowId": escrow["id"]}})
    assert reply.status == 200
    assert api.wallet(BUYER)["mainBalance"] == before


def test_pay_escrow__several_escrows_at_once(api):
    first, second = api.create_milestone_escrow(), standard(api, 100000, "buyer")
    reply = api.http.post("/v1/payment/escrow", customer=BUYER, json={
        "gateway": "wallet", "transactionType": "escrow", "escrowDetails": {"escrowId": [first["id"], second["id"]]}})
    assert reply.status == 200 and reply.data["amount"] == 1025000 + 102500
    assert api.wallet(BUYER)["escrowBalance"] == 1127500


def test_pay_escrow__insufficient_balance(api):
    escrow = api.create_milestone_escrow()
    before = api.wallet(POOR_BUYER)
    api.error(api.http.post("/v1/payment/escrow", customer=POOR_BUYER, json=pay_body(escrow["id"])),
        400, "Insufficient balance")
    assert api.wallet(POOR_BUYER) == before
    assert api.verify(escrow["paymentToken"])["state"] == "AWAITING_PAYMENT"


def test_pay_escrow__twice(api):
    escrow = api.funded_milestone_escrow()
    before = api.wallet(BUYER)
    api.error(api.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(escrow["id"])),
        400, "Action not allowed")
    assert api.wallet(BUYER) == before


def test_pay_escrow__closed_escrow(api):
    escrow = api.funded_milestone_escrow()
    for milestone in escrow["milestones"]:
        api.confirm(escrow["id"], milestone["id"])
    api.error(api.http.post("/v1/payment/escrow", customer=POOR_BUYER, json=pay_body(escrow["id"], "PAYSTACK")),
        400, "Action not allowed")


def test_pay_escrow__same_reference_is_idempotent(api):
    escrow = api.create_milestone_escrow()
    first = api.pay(escrow["id"], reference="order_1")
    after_first = api.wallet(BUYER)
    assert api.pay(escrow["id"], reference="order_1") == first
    assert api.wallet(BUYER) == after_first
    other = api.create_milestone_escrow()
    api.error(api.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(other["id"], reference="order_1")), 400, "Duplicate reference")


@pytest.mark.parametrize("body, status, message", [
    ({"gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": UNKNOWN_ID}}, 400,
     "Escrow not found"),
    ({"gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": "PY_8AB12C9D3045"}}, 400,
     '"escrowDetails.escrowId" must be a valid id (24 hex characters) or an array of them'),
    ({"gateway": "WALLET", "transactionType": "ESCROW"}, 400, '"escrowDetails" is required'),
    ({"gateway": "WALLET", "escrowDetails": {"escrowId": UNKNOWN_ID}}, 400, '"transactionType" is required'),
    ({"gateway": "BITCOIN", "transactionType": "ESCROW", "escrowDetails": {"escrowId": UNKNOWN_ID}}, 400,
     '"gateway" must be one of [WALLET, PAYSTACK, FLUTTERWAVE, CARD]'),
    ({"gateway": "WALLET", "transactionType": "DEPOSIT", "escrowDetails": {"escrowId": UNKNOWN_ID}}, 400,
     '"transactionType" must be one of [ESCROW]'),
    ({"gateway": "WALLET", "transactionType": "ESCROW", "currency": "USD", "escrowDetails": {"escrowId": UNKNOWN_ID}},
     400, '"currency" must be one of [NGN]'),
    ({"gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": UNKNOWN_ID}, "tip": 5}, 400,
     '"tip" is not allowed'),
    ({"gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": "x"}, 400, '"escrowDetails" must be an object'),
])
def test_pay_escrow__invalid(api, body, status, message):
    api.error(api.http.post("/v1/payment/escrow", customer=BUYER, json=body), status, message)


def test_pay_escrow__duplicate_ids(api):
    escrow = api.create_milestone_escrow()
    api.error(api.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body([escrow["id"], escrow["id"]])),
        400, '"escrowDetails.escrowId" contains duplicate ids')


def test_pay_escrow__customer_header(api):
    escrow = api.create_milestone_escrow()
    body = pay_body(escrow["id"])
    api.error(api.http.post("/v1/payment/escrow", json=body), 400, "customer-id header is required")
    api.error(api.http.post("/v1/payment/escrow", customer=UNKNOWN_ID, json=body), 404, "Customer not found")


def test_wallet(api):
    assert api.wallet(BUYER) == {"mainBalance": 5000000, "escrowBalance": 0, "currency": "NGN"}
    assert api.wallet(SELLER) == {"mainBalance": 0, "escrowBalance": 0, "currency": "NGN"}
    api.error(api.http.get("/v1/wallet"), 400, "customer-id header is required")
    api.error(api.http.get("/v1/wallet", customer=UNKNOWN_ID), 404, "Customer not found")


def test_pay_escrow__reference_of_an_intent_is_taken(api):
    intent = api.http.post("/v1/payment/create-intent", customer=BUYER, json={
        "amount": 5000, "gateway": "PAYSTACK", "transactionType": "DEPOSIT", "reference": "shared_ref_1"})
    assert intent.status == 200
    escrow = api.create_milestone_escrow()
    api.error(api.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(escrow["id"], reference="shared_ref_1")),
              400, "Duplicate reference")


@pytest.mark.parametrize("amount, message", [("lots", '"amount" must be a number'), (True, '"amount" must be a number')])
def test_pay_escrow__amount_must_be_a_number_when_sent(api, amount, message):
    escrow = api.create_milestone_escrow()
    api.error(api.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(escrow["id"], amount=amount)), 400, message)
