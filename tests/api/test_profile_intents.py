"""Profile 2026-10 ([B]): payment intents with fees, the Payluk Test Bank, card checkouts,
wallet transfers, verify, the reverse helper and the `payment.*` webhooks."""

import hashlib
import hmac
import json
import re
from decimal import Decimal

import pytest

from sandbox.domain import errors as E
from tests.api.test_intents import WITHDRAWAL_DETAILS, field, page, postings
from tests.api.test_webhooks import Receiver, hook, wait_for
from tests.conftest import BENEFICIARY, BUYER, KEY, POOR_BUYER

CREATE = "/v1/payment/create-intent"
VERIFY = "/v1/payment/verify"
TEST_BANK = "/_sandbox/test-bank/transfer"
REVERSE = "/_sandbox/helpers/reverse-withdrawal"
HISTORY = "/v1/payment/history"
NOW = "2026-06-22T10:15:00.000Z"
MERCHANT = "665f1b2c9a1e4d0012ab3c01"
BENEFICIARY_PHONE = "08031230040"


def create(api, body, customer=BUYER, status=200):
    return api._expect(api.http.post(CREATE, customer=customer, json=body), status)


def verify(api, reference, customer=BUYER, status=200, **extra):
    return api._expect(api.http.post(VERIFY, customer=customer, json={"reference": reference, **extra}), status)


def withdrawal(api, amount=10000, reference="wd_1", customer=BUYER):
    return create(api, {"amount": amount, "reference": reference, "transactionType": "withdrawal",
                        "withdrawalDetails": WITHDRAWAL_DETAILS}, customer)


def deposit(api, reference="dep_1", amount=5000, **extra):
    return create(api, {"amount": amount, "reference": reference, "transactionType": "deposit", **extra})


def payment_events(http, event_type=None):
    query = f"?type={event_type}" if event_type else ""
    return [e for e in http.get(f"/_sandbox/events{query}").data["data"] if e["event"].startswith("payment.")]


def fees_balance(api):
    return api.http.get("/_sandbox/ledger").data["balances"].get("payluk:fees", 0)


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


# -- create-intent ---------------------------------------------------------------------------------


def test_create_intent__withdrawal_with_its_fee(later):
    before = later.wallet(BUYER)
    intent = withdrawal(later)
    assert re.fullmatch(r"[0-9a-f]{24}", intent["id"])
    assert intent == {
        "id": intent["id"], "amount": 10000, "reference": "wd_1", "fee": 100, "transactionType": "withdrawal",
        "currency": "NGN", "status": "pending", "creditType": "debit", "customerId": BUYER, "escrowDetails": None,
        "withdrawalDetails": WITHDRAWAL_DETAILS, "walletDetails": None, "blockchainDetails": None,
        "depositDetails": None, "createdAt": NOW, "updatedAt": NOW}
    assert later.wallet(BUYER) == before


@pytest.mark.parametrize("amount, fee", [(100, 1), (10000, 100), (150.5, 1.51), (1234567.89, 12345.68)])
def test_create_intent__withdrawal_fee_is_one_percent(later, amount, fee):
    assert withdrawal(later, amount)["fee"] == fee


def test_create_intent__blockchain_withdrawal(later):
    details = {"toAddress": "0x" + "ab" * 20, "network": "bsc", "tokenAddress": "0x" + "cd" * 20}
    intent = create(later, {"amount": 2000, "reference": "cngn_1", "transactionType": "withdrawal",
                            "blockchainDetails": details})
    assert (intent["fee"], intent["blockchainDetails"]) == (20, {**details, "network": "BSC"})


def test_create_intent__deposit_answers_the_test_bank(later):
    intent = deposit(later, amount=5000.25)
    assert (intent["fee"], intent["status"], intent["creditType"], intent["amount"]) == (0, "pending", "credit",
                                                                                        Decimal("5000.25"))
    account = intent["testAccount"]
    assert re.fullmatch(r"\d{10}", account["accountNumber"])
    assert account == {"bankName": "Payluk Test Bank", "bankCode": "000099",
                       "accountNumber": account["accountNumber"], "accountName": "PAYLUK / TUNDE BAKARE",
                       "amount": Decimal("5000.25"), "expiresAt": "2026-06-22T10:45:00.000Z"}
    assert "checkoutConfig" not in intent
    again = deposit(later, reference="dep_2")
    assert again["testAccount"]["accountNumber"] != account["accountNumber"]


def test_create_intent__card_deposit_answers_a_checkout(later):
    intent = deposit(later, depositDetails={"cardId": "665f1b2c9a1e4d0012ab3c60"})
    config = intent["checkoutConfig"]
    base = "http://localhost/" if later.http.transport == "app" else later.http.base_url + "/"
    assert config == {"publicKey": "pk_test_suite", "reference": "dep_1", "amount": 5000, "currency": "NGN",
                      "url": config["url"]}
    assert config["url"].startswith(base + "_sandbox/authorize/")
    assert "testAccount" not in intent
    status, _, html = page(later.http, config["url"], {"action": "authorize"})
    assert status == 200 and field(html, "status") == "SUCCESS"
    assert verify(later, "dep_1")["status"] == "success"


def test_create_intent__upper_case_types_still_accepted(later):
    intent = create(later, {"amount": 500, "reference": "up_1", "transactionType": "DEPOSIT", "gateway": "PAYSTACK"})
    assert (intent["transactionType"], intent["status"]) == ("deposit", "pending")
    assert "checkoutConfig" in intent  # a card gateway named: a checkout, not the test bank


@pytest.mark.parametrize("body, message", [
    ({"amount": 99, "reference": "r", "transactionType": "deposit"}, E.INTENT_AMOUNT_AT_LEAST_100),
    ({"amount": 0, "reference": "r"}, E.INTENT_AMOUNT_AT_LEAST_100),
    ({"amount": 100.005, "reference": "r"}, E.AMOUNT_TWO_DECIMALS),
    ({"amount": "5OO", "reference": "r"}, E.AMOUNT_NUMBER),
    ({"amount": True, "reference": "r"}, E.AMOUNT_NUMBER),
    ({"amount": 500, "transactionType": "deposit"}, E.REFERENCE_REQUIRED),
    ({"amount": 500, "reference": "r", "transactionType": "transfer"},
     '"transactionType" must be one of [DEPOSIT, ESCROW, WITHDRAWAL, WALLET_TRANSFER]'),
])
def test_create_intent__invalid(later, body, message):
    later.error(later.http.post(CREATE, customer=BUYER, json=body), 400, message)


def test_create_intent__june_profile_unchanged(api):
    reply = api.http.post(CREATE, customer=BUYER, json={"amount": 10000, "transactionType": "withdrawal",
                                                        "withdrawalDetails": WITHDRAWAL_DETAILS})
    assert list(api._expect(reply, 200)) == ["reference", "amount", "status", "authorizationUrl"]
    api._expect(api.http.post(CREATE, customer=BUYER, json={"amount": 99}), 200)  # no minimum, no reference
    before = api.wallet(BUYER)["mainBalance"]
    verified = verify(api, reply.data["reference"])
    assert verified == {"reference": reply.data["reference"], "status": "SUCCESS", "amount": 10000}
    assert api.wallet(BUYER)["mainBalance"] == before - 10000  # no fee
    assert payment_events(api.http) == []


# -- verify and settlement ---------------------------------------------------------------------------------


def test_verify__withdrawal_debits_amount_and_fee(later):
    intent = withdrawal(later)
    before, fees = later.wallet(BUYER)["mainBalance"], fees_balance(later)
    verified = verify(later, "wd_1", otp="123456")
    assert verified == {**intent, "status": "success"}
    assert later.wallet(BUYER)["mainBalance"] == before - 10100
    assert fees_balance(later) == fees + 100
    [posting] = postings(later, "wd_1")
    assert posting["entries"] == [[f"customer:{BUYER}:main", -10100], ["external:payout", 10000], ["payluk:fees", 100]]


def test_verify__twice(later):
    withdrawal(later)
    first = verify(later, "wd_1")
    after = later.wallet(BUYER)
    assert verify(later, "wd_1") == first
    assert later.wallet(BUYER) == after
    assert len(payment_events(later.http, "payment.withdrawal.success")) == 1


def test_verify__batch_answers_a_list(later):
    withdrawal(later)
    deposit(later, depositDetails={"cardId": "c1"})
    verified = later._expect(later.http.post(VERIFY, customer=BUYER, json={"references": ["wd_1", "dep_1"]}), 200)
    assert [(v["reference"], v["status"], v["fee"]) for v in verified] == [("wd_1", "success", 100),
                                                                          ("dep_1", "success", 0)]


def test_verify__insufficient_balance_counts_the_fee(later):
    withdrawal(later, 10000, customer=POOR_BUYER)  # Bola holds exactly 10 000: the fee does not fit
    before = later.wallet(POOR_BUYER)
    later.error(later.http.post(VERIFY, customer=POOR_BUYER, json={"reference": "wd_1"}), 400, E.INSUFFICIENT_BALANCE)
    assert later.wallet(POOR_BUYER) == before
    assert payment_events(later.http) == []


def test_verify__can_withdraw_false(later):
    assert later.http.put(f"/v1/customer/permissions/{BUYER}", json={"canWithdraw": False}).status == 200
    later.error(later.http.post(CREATE, customer=BUYER, json={
        "amount": 500, "reference": "wd_x", "transactionType": "withdrawal", "withdrawalDetails": WITHDRAWAL_DETAILS}),
        401, E.ACCESS_DENIED)


def test_verify__escrow_payment_reference(later):
    escrow = later.create_escrow({"amount": "150000", "purpose": "Phone", "whoPays": "buyer", "maxDelivery": "3",
                                  "deliveryTimeline": "days"})
    paid = later.pay(escrow["id"], reference="order_9")
    assert verify(later, "order_9") == paid


# -- the Payluk Test Bank ------------------------------------------------------------------------------------


def test_test_bank__deposit_settles_when_paid_in(later):
    intent = deposit(later)
    before = later.wallet(BUYER)["mainBalance"]
    pending = verify(later, "dep_1")  # nothing arrived yet
    assert (pending["status"], pending["testAccount"]) == ("pending", intent["testAccount"])
    assert later.wallet(BUYER)["mainBalance"] == before
    settled = later._expect(later.http.post(TEST_BANK, json={"reference": "dep_1"}), 200)
    assert (settled["status"], settled["amount"]) == ("success", 5000) and "testAccount" not in settled
    assert later.wallet(BUYER)["mainBalance"] == before + 5000
    assert verify(later, "dep_1") == settled
    assert later._expect(later.http.post(TEST_BANK, json={"reference": "dep_1"}), 200) == settled
    assert later.wallet(BUYER)["mainBalance"] == before + 5000
    [event] = payment_events(later.http, "payment.deposit.success")
    assert event["payload"]["data"]["customerId"] == BUYER


def test_test_bank__authorisation_page_pays_it_too(later):
    intent = deposit(later)
    token_url = later.http.get("/_sandbox/state").data["state"]["intents"]["dep_1"]["authorization_token"]
    status, _, html = page(later.http, "/_sandbox/authorize/" + token_url, {"action": "authorize"})
    assert status == 200 and field(html, "status") == "SUCCESS"
    assert verify(later, "dep_1")["id"] == intent["id"]


@pytest.mark.parametrize("reference", ["nope", "wd_1"])
def test_test_bank__not_a_test_bank_deposit(later, reference):
    withdrawal(later)
    later.error(later.http.post(TEST_BANK, json={"reference": reference}), 400, E.TEST_ACCOUNT_NOT_FOUND)


def test_test_bank__only_in_the_october_profile(api):
    api.error(api.http.post(TEST_BANK, json={"reference": "x"}), 404, E.ROUTE_NOT_FOUND)


# -- wallet transfers ---------------------------------------------------------------------------------------


def test_wallet_transfer__one_posting_one_event_per_side(later):
    intent = create(later, {"amount": 2500, "reference": "wt_1", "transactionType": "wallet_transfer",
                            "walletDetails": {"phone": BENEFICIARY_PHONE, "name": "Chidi", "narration": "thanks"}})
    assert (intent["fee"], intent["walletDetails"]) == (0, {"phone": BENEFICIARY_PHONE, "name": "Chidi",
                                                             "narration": "thanks"})
    before = later.balances(BUYER, BENEFICIARY)
    verify(later, "wt_1")
    assert later.balances(BUYER, BENEFICIARY) == {BUYER: before[BUYER] - 2500, BENEFICIARY: before[BENEFICIARY] + 2500}
    assert len(postings(later, "wt_1")) == 1
    sides = [e["payload"]["data"] for e in payment_events(later.http, "payment.wallet_transfer.success")]
    assert [(s["customerId"], s["creditType"], s["amount"]) for s in sides] == [
        (BUYER, "debit", 2500), (BENEFICIARY, "credit", 2500)]
    assert sides[0]["id"] == intent["id"] and sides[1]["id"] != intent["id"]
    received = later._expect(later.http.get(HISTORY, customer=BENEFICIARY), 200)["data"]
    assert [(r["reference"], r["creditType"], r["id"]) for r in received] == [("wt_1", "credit", sides[1]["id"])]


# -- declines and reversals ------------------------------------------------------------------------------------


def test_decline__failed_event(later):
    intent = deposit(later, depositDetails={"cardId": "c1"})
    status, _, html = page(later.http, intent["checkoutConfig"]["url"], {"action": "decline"})
    assert status == 200 and field(html, "status") == "FAILED"
    later.error(later.http.post(VERIFY, customer=BUYER, json={"reference": "dep_1"}), 400, E.INTENT_DECLINED)
    [event] = payment_events(later.http)
    assert event["event"] == "payment.deposit.failed"
    assert (event["payload"]["data"]["status"], event["escrowId"]) == ("failed", None)


def test_reverse_withdrawal(later):
    withdrawal(later)
    before = later.wallet(BUYER)["mainBalance"]
    verify(later, "wd_1")
    reversed_ = later._expect(later.http.post(REVERSE, json={"reference": "wd_1"}), 200)
    assert (reversed_["status"], reversed_["fee"]) == ("reversed", 100)
    assert later.wallet(BUYER)["mainBalance"] == before
    assert [e["event"] for e in payment_events(later.http)] == ["payment.withdrawal.success",
                                                                "payment.withdrawal.reversed"]
    later.error(later.http.post(REVERSE, json={"reference": "wd_1"}), 400, E.WITHDRAWAL_NOT_REVERSIBLE)
    history = later._expect(later.http.get(f"{HISTORY}?reference=wd_1", customer=BUYER), 200)
    assert [r["status"] for r in history] == ["reversed"]


@pytest.mark.parametrize("reference, message", [("nope", E.WITHDRAWAL_NOT_FOUND), ("dep_1", E.WITHDRAWAL_NOT_FOUND),
                                                ("wd_1", E.WITHDRAWAL_NOT_REVERSIBLE)])
def test_reverse_withdrawal__refused(later, reference, message):
    withdrawal(later)
    deposit(later)
    later.error(later.http.post(REVERSE, json={"reference": reference}), 400, message)


# -- delivery ------------------------------------------------------------------------------------------------------


def test_payment_webhooks_are_signed_and_delivered(later, receiver):
    hook(later.http, receiver)
    intent = withdrawal(later)
    verify(later, "wd_1")
    wait_for(lambda: len(receiver.received) == 1)
    [request] = receiver.received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["user-agent"] == "Payluk-Webhook/1.0"
    assert headers["x-payluk-signature"] == hmac.new(KEY.encode(), request["body"], hashlib.sha512).hexdigest()
    body = json.loads(request["body"])
    assert list(body) == ["event", "data", "timestamp"] and body["event"] == "payment.withdrawal.success"
    assert body["data"] == {**intent, "status": "success", "environment": "test", "merchantId": MERCHANT}


def test_verify__card_declined_fails_the_card_deposit(later):
    deposit(later, depositDetails={"cardId": "c1"})
    withdrawal(later)
    reply = later.http.post(VERIFY, customer=BUYER, json={"references": ["dep_1", "wd_1"]},
                            headers={"X-Sandbox-Scenario": "card_declined"})
    later.error(reply, 400, E.CARD_DECLINED)
    assert [e["event"] for e in payment_events(later.http)] == ["payment.deposit.failed"]
    later.error(later.http.post(VERIFY, customer=BUYER, json={"reference": "dep_1"}), 400, E.INTENT_DECLINED)
    assert verify(later, "wd_1")["status"] == "success"  # a withdrawal has no card to decline


@pytest.mark.parametrize("path", [TEST_BANK, REVERSE])
@pytest.mark.parametrize("body, message", [
    ({}, '"reference" is required'),
    ({"reference": ""}, '"reference" is not allowed to be empty'),
    ({"reference": 5}, '"reference" must be a string'),
    ({"reference": "dep_1", "amount": 5}, '"amount" is not allowed'),
])
def test_controls__invalid(later, path, body, message):
    deposit(later)
    later.error(later.http.post(path, json=body), 400, message)
    assert later.wallet(BUYER)["mainBalance"] == 5000000


def test_controls__malformed_json(later):
    later.error(later.http.post(TEST_BANK, body=b"{", headers={"Content-Type": "application/json"}), 400,
                "Malformed JSON in request body")


def test_console_lists_payment_events_of_no_escrow():
    """A deposit's `payment.deposit.success` belongs to no escrow: the console's webhook page
    shows it without an escrow link."""
    from tests.api.test_console import KEY_A, Browser, KeyedHttp, console_app
    from tests.conftest import Api

    app = console_app()
    try:
        http = KeyedHttp(app, KEY_A)
        assert http.put("/_sandbox/profile", json={"profile": "2026-10"}).status == 200
        http.profiles[KEY_A] = "2026-10"
        later = Api(http, later=True)
        deposit(later)
        later._expect(later.http.post(TEST_BANK, json={"reference": "dep_1"}), 200)
        browser = Browser(app)
        browser.sign_in(KEY_A)
        html = browser.html("/webhooks")
        assert html.count('data-testid="event"') == 1 and "payment.deposit.success" in html
    finally:
        app.close()
