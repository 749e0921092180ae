"""Profile 2026-10 ([B]): pay-escrow answers the buyer's transaction, a saved card must be the
buyer's, `payment.escrow.success` is sent, and the payment history speaks [B]'s vocabulary."""

import re

import pytest

from tests.conftest import BUYER, POOR_BUYER, SELLER, pay_body
from sandbox.domain import errors as E

PAY = "/v1/payment/escrow"
HISTORY = "/v1/payment/history"
CARD = "665f1b2c9a1e4d0012ab3c60"  # the default fixture's saved card, Tunde's (BUYER)
NOW = "2026-06-22T10:15:00.000Z"


def standard(api, amount="150000", who_pays="both", **extra):
    return api.create_escrow({"amount": amount, "purpose": 'MacBook Pro 14"', "whoPays": who_pays,
                              "description": "Space grey, sealed", "maxDelivery": "3", "deliveryTimeline": "days",
                              **extra})


def events(http, event_type=None):
    query = f"?type={event_type}" if event_type else ""
    return http.get(f"/_sandbox/events{query}").data["data"]


# -- pay-escrow: the transaction ---------------------------------------------------------------------


def test_pay_escrow__answers_the_transaction(later):
    escrow = standard(later)  # fee 3 000 (2 %), whoPays both: the buyer owes 151 500
    before = later.wallet(BUYER)["mainBalance"]
    paid = later.pay(escrow["id"], reference="order_42_1766409928000", currency="NGN")
    assert re.fullmatch(r"[0-9a-f]{24}", paid["id"])
    assert paid == {
        "id": paid["id"], "amount": 151500, "reference": "order_42_1766409928000", "fee": 1500,
        "transactionType": "escrow", "currency": "NGN", "status": "success", "creditType": "debit",
        "customerId": BUYER,
        "escrowDetails": {"escrowId": escrow["id"], "beneficiary": {"name": "Ada Eze", "phone": "08031230030"},
                          "description": "Space grey, sealed", "amount": 150000, "fee": 3000,
                          "paymentToken": escrow["paymentToken"], "purpose": 'MacBook Pro 14"', "channel": "API",
                          "callbackUrl": None},
        "createdAt": NOW, "updatedAt": NOW}
    assert later.wallet(BUYER)["mainBalance"] == before - 151500


def test_pay_escrow__replay_answers_the_same_transaction(later):
    escrow = standard(later)
    first = later.pay(escrow["id"], reference="order_1")
    assert later.pay(escrow["id"], reference="order_1") == first
    assert len(events(later.http, "payment.escrow.success")) == 1


def test_pay_escrow__not_awaiting_payment(later):
    """[B] names the refusal of an escrow that is not awaiting payment ([A] keeps the lifecycle's
    `Action not allowed`: tests/api/test_payments.py `test_pay_escrow__twice`)."""
    escrow = standard(later)
    later.pay(escrow["id"], reference="order_paid")
    before = later.wallet(BUYER)
    reply = later.http.post(PAY, customer=BUYER, json=pay_body(escrow["id"], "WALLET", reference="order_again",
                                                                amount=float(later.amount_due(escrow["id"]))))
    later.error(reply, 400, E.CHECKOUT_INVALID_STATE)
    assert later.wallet(BUYER) == before


def test_pay_escrow__card_without_card_id_is_a_simulated_charge(later):
    escrow = standard(later)
    before = later.wallet(POOR_BUYER)
    body = {"transactionType": "escrow", "escrowDetails": {"escrowId": [escrow["id"]]}, "amount": 151500,
            "reference": "order_card", "currency": "NGN"}  # gateway defaults to card
    reply = later.http.post(PAY, customer=POOR_BUYER, json=body)
    assert reply.status == 200, reply.body
    assert (reply.data["status"], reply.data["amount"], reply.data["customerId"]) == ("success", 151500, POOR_BUYER)
    assert later.wallet(POOR_BUYER) == {**before, "escrowBalance": 151500}


def test_pay_escrow__saved_card(later):
    escrow = standard(later)
    paid = later.pay(escrow["id"], gateway="card", cardId=CARD)
    assert paid["status"] == "success"


@pytest.mark.parametrize("card_id", ["aaaaaaaaaaaaaaaaaaaaaaaa", "card_1"])
def test_pay_escrow__unknown_card(later, card_id):
    escrow = standard(later)
    before = later.wallet(BUYER)
    later.error(later.http.post(PAY, customer=BUYER, json=pay_body(escrow["id"], "card", cardId=card_id,
                                                                   amount=151500)), 400, E.CARD_NOT_FOUND)
    assert later.wallet(BUYER) == before
    assert later.verify(escrow["paymentToken"])["status"] == "PENDING"


def test_pay_escrow__another_customers_card(later):
    escrow = standard(later)
    later.error(later.http.post(PAY, customer=POOR_BUYER, json=pay_body(escrow["id"], "card", cardId=CARD,
                                                                        amount=151500)), 400, E.CARD_NOT_FOUND)


def test_pay_escrow__several_escrows(later):
    first, second = standard(later), standard(later, amount="100000", who_pays="buyer")
    body = pay_body([first["id"], second["id"]], "wallet", amount=151500 + 102000, reference="basket_1")
    reply = later.http.post(PAY, customer=BUYER, json=body)
    assert reply.status == 200, reply.body
    paid = reply.data
    assert (paid["amount"], paid["fee"]) == (253500, 1500 + 2000)
    assert paid["escrowDetails"]["escrowId"] == first["id"]
    assert [e["escrowId"] for e in paid["escrows"]] == [first["id"], second["id"]]


def test_pay_escrow__webhook(later):
    escrow = standard(later)
    paid = later.pay(escrow["id"], reference="order_hook")
    [event] = later.http.get(f"/_sandbox/events?escrowId={escrow['id']}&type=payment.escrow.success").data["data"]
    data = event["payload"]["data"]
    assert data == {**paid, "environment": "test", "merchantId": "665f1b2c9a1e4d0012ab3c01"}
    types = [e["event"] for e in later.http.get(f"/_sandbox/events?escrowId={escrow['id']}").data["data"]]
    assert types == ["escrow.created", "escrow.pending", "escrow.ongoing", "payment.escrow.success"]


def test_pay_escrow__merchant_sells(later):
    """An escrow the merchant sells as its business account: the beneficiary is the merchant."""
    reply = later.http.post("/v1/escrow/create", data={"amount": "2000", "purpose": "Mug", "whoPays": "buyer",
                                                        "maxDelivery": "1", "deliveryTimeline": "days"})
    assert reply.status == 201, reply.body
    paid = later.pay(reply.data["id"])
    assert paid["escrowDetails"]["beneficiary"] == {"name": "Sandbox Merchant Ltd", "phone": None}


def test_pay_escrow__june_profile_unchanged(api):
    escrow = standard(api)
    paid = api.pay(escrow["id"], reference="ESC_REF_98765", cardId="anything")
    assert paid == {"reference": "ESC_REF_98765", "status": "SUCCESS", "amount": 151875}
    assert events(api.http, "payment.escrow.success") == []


# -- payment history -------------------------------------------------------------------------------------


def test_payment_history(later):
    escrow = standard(later)
    paid = later.pay(escrow["id"], reference="order_h")
    topped = later.http.post("/v1/payment/topup", customer=BUYER, json={"amount": 1000})
    assert topped.status == 200
    page = later.http.get(HISTORY, customer=BUYER)
    assert page.status == 200, page.body
    records = {r["reference"]: r for r in page.data["data"]}
    assert records["order_h"] == paid
    [topup] = [r for r in records.values() if r["reference"].startswith("TOPUP_REF_")]
    assert (topup["transactionType"], topup["creditType"], topup["status"], topup["fee"]) == (
        "deposit", "credit", "success", 0)
    deposits = later.http.get(f"{HISTORY}?type=deposit", customer=BUYER).data["data"]
    assert [r["reference"] for r in deposits] == [topup["reference"]]
    flat = later.http.get(f"{HISTORY}?reference=order_h", customer=BUYER)
    assert flat.data == [paid]


def test_payment_history__june_profile_unchanged(api):
    escrow = standard(api)
    api.pay(escrow["id"], reference="ESC_REF_1")
    [record] = api.http.get(HISTORY, customer=BUYER).data["data"]
    assert (record["transactionType"], record["creditType"], record["status"]) == ("ESCROW", "DEBIT", "SUCCESS")
    assert "customerId" not in record
    assert SELLER not in str(record)


# -- declined cards ([B]: a failed transaction) ------------------------------------------------------------


def test_pay_escrow__card_declined_sends_a_failed_event(later):
    escrow = standard(later)
    before = later.wallet(BUYER)
    body = pay_body(escrow["id"], "card", amount=151500, reference="order_declined")
    reply = later.http.post(PAY, customer=BUYER, json=body, headers={"X-Sandbox-Scenario": "card_declined"})
    later.error(reply, 400, E.CARD_DECLINED)
    assert later.wallet(BUYER) == before
    [event] = events(later.http, "payment.escrow.failed")
    data = event["payload"]["data"]
    assert (event["escrowId"], data["status"], data["reference"], data["amount"], data["customerId"]) == (
        escrow["id"], "failed", "order_declined", 151500, BUYER)
    # Nothing was kept: the escrow is still payable, with the same reference.
    assert later.pay(escrow["id"], gateway="card", reference="order_declined")["status"] == "success"


def test_pay_escrow__card_declined_june_profile_records_nothing(api):
    escrow = standard(api)
    reply = api.http.post(PAY, customer=BUYER, json=pay_body(escrow["id"], "card", reference="sbx_decline_1"))
    api.error(reply, 400, E.CARD_DECLINED)
    assert [e for e in events(api.http) if e["event"].startswith("payment.")] == []
