"""Payment intents (create, verify, the authorisation page), the virtual account, the staging
top-up, verify-account and the payment history."""

import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import BENEFICIARY, BUYER, KEY, POOR_BUYER, SELLER, UNKNOWN_ID

CREATE = "/v1/payment/create-intent"
VERIFY = "/v1/payment/verify"
VIRTUAL_ACCOUNT = "/v1/payment/virtual-account"
TOPUP = "/v1/payment/topup"
VERIFY_ACCOUNT = "/v1/payment/verify-account"
HISTORY = "/v1/payment/history"

# docs.payluk.ng/api-reference/payments/create-payment-intent, verbatim.
DOCS_INTENT = {"amount": 50000, "gateway": "PAYSTACK", "currency": "NGN", "transactionType": "DEPOSIT",
               "creditType": "CREDIT"}
WITHDRAWAL_DETAILS = {"accountName": "ADA EZE", "accountNumber": "0123456789", "bankName": "Access Bank",
                      "bankCode": "044", "narration": "payout"}
BUYER_PHONE = "08031230031"
SELLER_PHONE = "08031230030"


# -- helpers ------------------------------------------------------------------------------------


def create_intent(api, body=None, customer=BUYER, status=200):
    reply = api.http.post(CREATE, customer=customer, json=DOCS_INTENT if body is None else body)
    return api._expect(reply, status)


def verify(api, body, customer=BUYER, status=200):
    return api._expect(api.http.post(VERIFY, customer=customer, json=body), status)


def main_balance(api, customer):
    return api.wallet(customer)["mainBalance"]


def postings(api, reference):
    """The ledger postings carrying this payment reference."""
    reply = api.http.get("/_sandbox/ledger")
    assert reply.status == 200
    return [p for p in reply.data["postings"] if p.get("reference") == reference]


def page(http, url, form=None):
    """GET (or POST `form` to) a sandbox page without any key: (status, content type, html)."""
    path = urlsplit(url).path
    method = "GET" if form is None else "POST"
    if http.transport == "app":
        resp = http.client.open(path, method=method, data=form)
        return resp.status_code, resp.headers["Content-Type"], resp.get_data(as_text=True)
    resp = http.session.request(method, http.base_url + path, data=form, timeout=30)
    return resp.status_code, resp.headers["Content-Type"], resp.text


def field(html, name):
    """The text of the page element with id `name`."""
    match = re.search(rf'id="{name}">([^<]*)<', html)
    return match and match.group(1)


def withdraw(api, amount, customer=BUYER, **extra):
    return create_intent(api, {"amount": amount, "transactionType": "withdrawal",
                               "withdrawalDetails": WITHDRAWAL_DETAILS, **extra}, customer=customer)


# -- create-intent -------------------------------------------------------------------------------


def test_create_intent(api):
    before = api.wallet(BUYER)
    intent = create_intent(api)
    assert list(intent) == ["reference", "amount", "status", "authorizationUrl"]
    assert re.fullmatch(r"PSK_REF_[0-9A-F]{12}", intent["reference"])
    assert (intent["amount"], intent["status"]) == (50000, "PENDING")
    base = "http://localhost/" if api.http.transport == "app" else api.http.base_url + "/"
    assert intent["authorizationUrl"].startswith(base + "_sandbox/authorize/")
    token = intent["authorizationUrl"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_\-]{32,}", token)
    assert api.wallet(BUYER) == before  # nothing moves before verification
    assert postings(api, intent["reference"]) == []


def test_create_intent__tokens_and_references_differ(api):
    first, second = create_intent(api), create_intent(api)
    assert first["reference"] != second["reference"]
    assert first["authorizationUrl"] != second["authorizationUrl"]


def test_create_intent__later_docs_shape(api):
    """[B]: lower-case enums, a caller reference, no gateway, a details object."""
    intent = create_intent(api, {"amount": 10000, "reference": "wd_42_1766409928000", "transactionType": "withdrawal",
                                 "currency": "ngn", "withdrawalDetails": WITHDRAWAL_DETAILS})
    assert (intent["reference"], intent["amount"], intent["status"]) == ("wd_42_1766409928000", 10000, "PENDING")


@pytest.mark.parametrize("body", [
    {"amount": 100},
    {"amount": 100, "transactionType": "ESCROW", "gateway": "flutterwave"},
    {"amount": 100, "transactionType": "deposit", "depositDetails": {"cardId": "card_1"}, "creditType": "credit"},
    {"amount": 100, "transactionType": "WITHDRAWAL", "gateway": "WALLET", "creditType": "DEBIT"},
    {"amount": 100, "transactionType": "withdrawal",
     "blockchainDetails": {"toAddress": "0x" + "ab" * 20, "network": "bsc", "tokenAddress": "0x" + "CD" * 20}},
    {"amount": 100, "transactionType": "wallet_transfer", "walletDetails": {"phone": SELLER_PHONE, "name": "Ada"}},
])
def test_create_intent__accepted_shapes(api, body):
    assert create_intent(api, body)["status"] == "PENDING"


def test_create_intent__duplicate_reference(api):
    create_intent(api, {**DOCS_INTENT, "reference": "order_1"})
    api.error(api.http.post(CREATE, customer=BUYER, json={**DOCS_INTENT, "reference": "order_1"}),
              400, "Duplicate reference")
    # Another customer cannot reuse it either: references are one space per namespace.
    api.error(api.http.post(CREATE, customer=POOR_BUYER, json={**DOCS_INTENT, "reference": "order_1"}),
              400, "Duplicate reference")


def test_create_intent__reference_of_an_escrow_payment_is_taken(api):
    escrow = api.create_milestone_escrow()
    api.pay(escrow["id"], reference="ESC_REF_98765")
    api.error(api.http.post(CREATE, customer=BUYER, json={**DOCS_INTENT, "reference": "ESC_REF_98765"}),
              400, "Duplicate reference")


@pytest.mark.parametrize("body, message", [
    ({"gateway": "PAYSTACK"}, '"amount" is required'),
    ({**DOCS_INTENT, "amount": 0}, '"amount" must be greater than or equal to 1'),
    ({**DOCS_INTENT, "amount": -5}, '"amount" must be greater than or equal to 1'),
    ({**DOCS_INTENT, "amount": 100.5}, '"amount" must be an integer'),
    ({**DOCS_INTENT, "amount": "50000"}, '"amount" must be an integer'),
    ({**DOCS_INTENT, "amount": True}, '"amount" must be an integer'),
    ({**DOCS_INTENT, "gateway": "BITCOIN"}, '"gateway" must be one of [WALLET, PAYSTACK, FLUTTERWAVE, CARD]'),
    ({**DOCS_INTENT, "currency": "USD"}, '"currency" must be one of [NGN]'),
    ({**DOCS_INTENT, "transactionType": "TRANSFER"},
     '"transactionType" must be one of [DEPOSIT, ESCROW, WITHDRAWAL, WALLET_TRANSFER]'),
    ({**DOCS_INTENT, "creditType": "REFUND"}, '"creditType" must be one of [CREDIT, DEBIT]'),
    ({**DOCS_INTENT, "creditType": "DEBIT"}, '"creditType" must be CREDIT for a DEPOSIT intent'),
    ({"amount": 5, "transactionType": "WITHDRAWAL", "creditType": "CREDIT"},
     '"creditType" must be DEBIT for a WITHDRAWAL intent'),
    ({**DOCS_INTENT, "gateway": "wallet"}, '"gateway" must be one of [PAYSTACK, FLUTTERWAVE, CARD] for a DEPOSIT intent'),
    ({"amount": 5, "transactionType": "ESCROW", "gateway": "WALLET"},
     '"gateway" must be one of [PAYSTACK, FLUTTERWAVE, CARD] for an ESCROW intent'),
    ({**DOCS_INTENT, "withdrawalDetails": WITHDRAWAL_DETAILS}, '"withdrawalDetails" is not allowed for a DEPOSIT intent'),
    ({"amount": 5, "transactionType": "withdrawal", "depositDetails": {"cardId": "c"}},
     '"depositDetails" is not allowed for a WITHDRAWAL intent'),
    ({"amount": 5, "transactionType": "withdrawal", "walletDetails": {"phone": SELLER_PHONE}},
     '"walletDetails" is not allowed for a WITHDRAWAL intent'),
    ({"amount": 5, "transactionType": "wallet_transfer"}, '"walletDetails" is required'),
    ({"amount": 5, "transactionType": "withdrawal", "withdrawalDetails": WITHDRAWAL_DETAILS,
      "blockchainDetails": {"toAddress": "0x" + "ab" * 20, "network": "BSC"}},
     '"blockchainDetails" is not allowed together with "withdrawalDetails"'),
    ({"amount": 5, "transactionType": "withdrawal", "withdrawalDetails": {**WITHDRAWAL_DETAILS, "accountNumber": "12345"}},
     '"withdrawalDetails.accountNumber" must be 10 digits'),
    ({"amount": 5, "transactionType": "withdrawal", "withdrawalDetails": {"accountNumber": "0123456789"}},
     '"withdrawalDetails.bankCode" is required'),
    ({"amount": 5, "transactionType": "withdrawal", "withdrawalDetails": {**WITHDRAWAL_DETAILS, "iban": "x"}},
     '"withdrawalDetails.iban" is not allowed'),
    ({"amount": 5, "transactionType": "withdrawal", "blockchainDetails": {"toAddress": "0x12", "network": "BSC"}},
     '"blockchainDetails.toAddress" must be an address of 0x and 40 hex characters'),
    ({"amount": 5, "transactionType": "withdrawal", "blockchainDetails": {"toAddress": "0x" + "ab" * 20, "network": "ETH"}},
     '"blockchainDetails.network" must be one of [BSC]'),
    ({"amount": 5, "transactionType": "wallet_transfer", "walletDetails": {"phone": "+2348031230030"}},
     '"walletDetails.phone" must be 11 digits'),
    ({"amount": 5, "depositDetails": {}}, '"depositDetails.cardId" is required'),
    ({**DOCS_INTENT, "reference": ""}, '"reference" must be 1 to 100 characters long'),
    ({**DOCS_INTENT, "reference": "r" * 101}, '"reference" must be 1 to 100 characters long'),
    ({**DOCS_INTENT, "reference": 42}, '"reference" must be a string'),
    ({**DOCS_INTENT, "callbackUrl": "https://example.com"}, '"callbackUrl" is not allowed'),
    ({**DOCS_INTENT, "withdrawalDetails": "x"}, '"withdrawalDetails" must be an object'),
])
def test_create_intent__invalid(api, body, message):
    api.error(api.http.post(CREATE, customer=BUYER, json=body), 400, message)


def test_create_intent__wallet_transfer_recipient(api):
    api.error(api.http.post(CREATE, customer=BUYER, json={
        "amount": 5, "transactionType": "wallet_transfer", "walletDetails": {"phone": "08099999999"}}),
        400, "No customer found with the provided phone")
    api.error(api.http.post(CREATE, customer=BUYER, json={
        "amount": 5, "transactionType": "wallet_transfer", "walletDetails": {"phone": BUYER_PHONE}}),
        400, "You cannot transfer to your own wallet")


def test_create_intent__withdrawal_needs_can_withdraw(api):
    assert api.http.put(f"/v1/customer/permissions/{BUYER}", json={"canWithdraw": False}).status == 200
    body = {"amount": 5, "transactionType": "withdrawal", "withdrawalDetails": WITHDRAWAL_DETAILS}
    api.error(api.http.post(CREATE, customer=BUYER, json=body), 401, "Access denied")
    api.error(api.http.post(CREATE, customer=BUYER, json={
        "amount": 5, "transactionType": "wallet_transfer", "walletDetails": {"phone": SELLER_PHONE}}),
        401, "Access denied")
    assert create_intent(api)["status"] == "PENDING"  # deposits stay allowed


# -- verify ---------------------------------------------------------------------------------------


def test_verify_payment(api):
    intent = create_intent(api)
    before = main_balance(api, BUYER)
    verified = verify(api, {"reference": intent["reference"]})
    assert verified == {"reference": intent["reference"], "status": "SUCCESS", "amount": 50000}
    assert main_balance(api, BUYER) == before + 50000
    [posting] = postings(api, intent["reference"])
    assert posting["kind"] == "deposit" and posting["customerId"] == BUYER
    assert posting["entries"] == [["external:paystack", -50000], [f"customer:{BUYER}:main", 50000]]


def test_verify_payment__twice(api):
    intent = create_intent(api)
    first = verify(api, {"reference": intent["reference"]})
    after = api.wallet(BUYER)
    assert verify(api, {"reference": intent["reference"], "otp": "123456"}) == first
    assert api.wallet(BUYER) == after
    assert len(postings(api, intent["reference"])) == 1


def test_verify_payment__escrow_intent_credits_the_main_balance(api):
    intent = create_intent(api, {"amount": 70000, "gateway": "FLUTTERWAVE", "transactionType": "ESCROW"})
    before = api.wallet(BUYER)
    verify(api, {"reference": intent["reference"]})
    assert api.wallet(BUYER) == {**before, "mainBalance": before["mainBalance"] + 70000}
    assert postings(api, intent["reference"])[0]["entries"][0] == ["external:flutterwave", -70000]


def test_verify_payment__withdrawal(api):
    intent = withdraw(api, 30000)
    before = main_balance(api, BUYER)
    assert verify(api, {"reference": intent["reference"]})["status"] == "SUCCESS"
    assert main_balance(api, BUYER) == before - 30000
    [posting] = postings(api, intent["reference"])
    assert posting["kind"] == "withdrawal"
    assert posting["entries"] == [[f"customer:{BUYER}:main", -30000], ["external:payout", 30000]]


def test_verify_payment__withdrawal_insufficient_balance(api):
    intent = withdraw(api, 20000, customer=POOR_BUYER)  # Bola holds 10 000
    before = api.wallet(POOR_BUYER)
    api.error(api.http.post(VERIFY, customer=POOR_BUYER, json={"reference": intent["reference"]}),
              400, "Insufficient balance")
    assert api.wallet(POOR_BUYER) == before
    # Still PENDING: once funded, the same reference goes through.
    api._expect(api.http.post(TOPUP, customer=POOR_BUYER, json={"amount": 10000}), 200)
    assert verify(api, {"reference": intent["reference"]}, customer=POOR_BUYER)["status"] == "SUCCESS"
    assert main_balance(api, POOR_BUYER) == 0


def test_verify_payment__withdrawal_needs_can_withdraw(api):
    intent = withdraw(api, 100)
    assert api.http.put(f"/v1/customer/permissions/{BUYER}", json={"canWithdraw": False}).status == 200
    before = api.wallet(BUYER)
    api.error(api.http.post(VERIFY, customer=BUYER, json={"reference": intent["reference"]}), 401, "Access denied")
    assert api.wallet(BUYER) == before


def test_verify_payment__wallet_transfer(api):
    intent = create_intent(api, {"amount": 25000, "transactionType": "wallet_transfer",
                                 "walletDetails": {"phone": "08031230040", "narration": "thanks"}})
    before = api.balances(BUYER, BENEFICIARY)
    verify(api, {"reference": intent["reference"]})
    assert api.balances(BUYER, BENEFICIARY) == {BUYER: before[BUYER] - 25000, BENEFICIARY: before[BENEFICIARY] + 25000}
    assert postings(api, intent["reference"])[0]["kind"] == "wallet_transfer"


def test_verify_payment__batch(api):
    first, second = create_intent(api), create_intent(api, {"amount": 1000, "gateway": "paystack"})
    before = main_balance(api, BUYER)
    verified = verify(api, {"references": [first["reference"], second["reference"]]})
    assert verified == [{"reference": first["reference"], "status": "SUCCESS", "amount": 50000},
                        {"reference": second["reference"], "status": "SUCCESS", "amount": 1000}]
    assert main_balance(api, BUYER) == before + 51000


def test_verify_payment__batch_of_one_is_a_list(api):
    intent = create_intent(api)
    assert verify(api, {"references": [intent["reference"]]}) == [
        {"reference": intent["reference"], "status": "SUCCESS", "amount": 50000}]


def test_verify_payment__reference_and_references(api):
    """The docs' own example sends both: all are verified, the answer is a list."""
    first, second = create_intent(api), create_intent(api)
    verified = verify(api, {"reference": first["reference"], "references": [second["reference"]]})
    assert [v["reference"] for v in verified] == [first["reference"], second["reference"]]


def test_verify_payment__batch_is_all_or_nothing(api):
    good = create_intent(api)
    before = api.wallet(BUYER)
    api.error(api.http.post(VERIFY, customer=BUYER, json={"references": [good["reference"], "PSK_REF_NOPE"]}),
              400, "Payment intent not found")
    assert api.wallet(BUYER) == before
    assert postings(api, good["reference"]) == []
    verify(api, {"reference": good["reference"]})
    assert main_balance(api, BUYER) == before["mainBalance"] + 50000


def test_verify_payment__batch_balance_runs_in_order(api):
    """A deposit earlier in a batch funds a withdrawal later in it, not the other way round."""
    deposit = create_intent(api, {"amount": 20000, "gateway": "PAYSTACK"}, customer=POOR_BUYER)
    payout = withdraw(api, 25000, customer=POOR_BUYER)
    api.error(api.http.post(VERIFY, customer=POOR_BUYER,
                            json={"references": [payout["reference"], deposit["reference"]]}),
              400, "Insufficient balance")
    assert main_balance(api, POOR_BUYER) == 10000
    verify(api, {"references": [deposit["reference"], payout["reference"]]}, customer=POOR_BUYER)
    assert main_balance(api, POOR_BUYER) == 5000


def test_verify_payment__other_customers_intent(api):
    intent = create_intent(api)
    api.error(api.http.post(VERIFY, customer=POOR_BUYER, json={"reference": intent["reference"]}),
              400, "Payment intent not found")


def test_verify_payment__escrow_payment_reference(api):
    escrow = api.create_milestone_escrow()
    paid = api.pay(escrow["id"], reference="ESC_REF_98765")
    before = api.wallet(BUYER)
    assert verify(api, {"reference": "ESC_REF_98765"}) == paid
    assert api.wallet(BUYER) == before
    api.error(api.http.post(VERIFY, customer=POOR_BUYER, json={"reference": "ESC_REF_98765"}),
              400, "Payment intent not found")


@pytest.mark.parametrize("body, message", [
    ({}, '"reference" is required'),
    ({"otp": "123456"}, '"reference" is required'),
    ({"reference": ""}, '"reference" is not allowed to be empty'),
    ({"reference": 5}, '"reference" must be a string'),
    ({"references": []}, '"references" must contain at least 1 items'),
    ({"references": "PSK_REF_1"}, '"references" must be an array'),
    ({"references": ["a", 5]}, '"references[1]" must be a string'),
    ({"references": ["a", "a"]}, '"references" must not contain duplicate values'),
    ({"reference": "a", "references": ["a"]}, '"references" must not contain duplicate values'),
    ({"reference": "a", "amount": 5}, '"amount" is not allowed'),
    ({"reference": "PSK_REF_12345"}, "Payment intent not found"),
])
def test_verify_payment__invalid(api, body, message):
    api.error(api.http.post(VERIFY, customer=BUYER, json=body), 400, message)


# -- the authorisation page -------------------------------------------------------------------------


def test_show_authorization(api):
    intent = create_intent(api)
    status, content_type, html = page(api.http, intent["authorizationUrl"])
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert field(html, "amount") == "₦50,000"
    assert field(html, "type") == "DEPOSIT (CREDIT)"
    assert field(html, "customer") == "Tunde Bakare (tunde.bakare@sandbox.payluk.test)"
    assert field(html, "reference") == intent["reference"]
    assert field(html, "status") == "PENDING"
    assert 'value="authorize"' in html and 'value="decline"' in html
    assert not re.search(r"<(script|link|img)\b", html)  # self-contained: no external assets


def test_show_authorization__withdrawal_and_transfer(api):
    payout = withdraw(api, 100)
    html = page(api.http, payout["authorizationUrl"])[2]
    assert field(html, "type") == "WITHDRAWAL (DEBIT)" and field(html, "payout") == "0123456789 · bank 044"
    transfer = create_intent(api, {"amount": 5, "transactionType": "wallet_transfer",
                                   "walletDetails": {"phone": SELLER_PHONE}})
    assert field(page(api.http, transfer["authorizationUrl"])[2], "recipient") == "Ada Eze"


def test_authorize_intent(api):
    intent = create_intent(api)
    before = main_balance(api, BUYER)
    status, _, html = page(api.http, intent["authorizationUrl"], {"action": "authorize"})
    assert status == 200 and field(html, "status") == "SUCCESS"
    assert field(html, "result") == "Payment authorized: the intent is verified."
    assert 'value="authorize"' not in html
    assert main_balance(api, BUYER) == before + 50000
    # Verifying afterwards answers the same and credits nothing more.
    assert verify(api, {"reference": intent["reference"]})["status"] == "SUCCESS"
    assert main_balance(api, BUYER) == before + 50000
    assert page(api.http, intent["authorizationUrl"], {"action": "authorize"})[0] == 200
    assert main_balance(api, BUYER) == before + 50000


def test_authorize_intent__insufficient_balance(api):
    intent = withdraw(api, 20000, customer=POOR_BUYER)
    status, content_type, html = page(api.http, intent["authorizationUrl"], {"action": "authorize"})
    assert (status, content_type) == (400, "text/html; charset=utf-8")
    assert field(html, "message") == "Insufficient balance"
    assert field(page(api.http, intent["authorizationUrl"])[2], "status") == "PENDING"


def test_decline_intent(api):
    intent = create_intent(api)
    before = api.wallet(BUYER)
    status, _, html = page(api.http, intent["authorizationUrl"], {"action": "decline"})
    assert status == 200 and field(html, "status") == "FAILED"
    assert field(html, "result") == "Payment declined: verifying this intent now fails."
    api.error(api.http.post(VERIFY, customer=BUYER, json={"reference": intent["reference"]}),
              400, "Payment intent was declined")
    assert page(api.http, intent["authorizationUrl"], {"action": "decline"})[0] == 200  # again: no change
    status, _, html = page(api.http, intent["authorizationUrl"], {"action": "authorize"})
    assert status == 400 and field(html, "message") == "Payment intent was declined"
    assert api.wallet(BUYER) == before


def test_decline_intent__after_verification(api):
    intent = create_intent(api)
    verify(api, {"reference": intent["reference"]})
    status, _, html = page(api.http, intent["authorizationUrl"], {"action": "decline"})
    assert status == 400 and field(html, "message") == "Payment intent is already verified"


def test_decline_intent__in_a_batch_refuses_the_batch(api):
    declined, good = create_intent(api), create_intent(api)
    page(api.http, declined["authorizationUrl"], {"action": "decline"})
    before = api.wallet(BUYER)
    api.error(api.http.post(VERIFY, customer=BUYER, json={"references": [good["reference"], declined["reference"]]}),
              400, "Payment intent was declined")
    assert api.wallet(BUYER) == before


@pytest.mark.parametrize("form, message", [
    ({"action": "refund"}, '"action" must be one of [authorize, decline]'),
    ({}, '"action" is required'),
    ({"action": "authorize", "amount": "5"}, '"amount" is not allowed'),
])
def test_authorize_intent__bad_form(api, form, message):
    intent = create_intent(api)
    status, _, html = page(api.http, intent["authorizationUrl"], form)
    assert status == 400 and field(html, "message") == message.replace('"', "&#34;")
    assert field(page(api.http, intent["authorizationUrl"])[2], "status") == "PENDING"


@pytest.mark.parametrize("form", [None, {"action": "authorize"}])
def test_authorization__unknown_token(http, form):
    status, content_type, html = page(http, "/_sandbox/authorize/not-a-real-token", form)
    assert (status, content_type) == (404, "text/html; charset=utf-8")
    assert field(html, "message") == "Payment intent not found"


def test_authorization__after_reset(api):
    intent = create_intent(api)
    assert api.http.post("/_sandbox/reset").status == 200
    assert page(api.http, intent["authorizationUrl"])[0] == 404


def test_authorization__page_belongs_to_the_key_that_made_it(api):
    """The token, not a key, finds the namespace: another key's intent shows its own customer."""
    other = api._expect(api.http.post(CREATE, key="sk_test_other", customer=BUYER, json=DOCS_INTENT), 200)
    status, _, html = page(api.http, other["authorizationUrl"], {"action": "authorize"})
    assert status == 200 and field(html, "status") == "SUCCESS"
    assert api._expect(api.http.get("/v1/wallet", key="sk_test_other", customer=BUYER), 200)["mainBalance"] == 5050000
    assert main_balance(api, BUYER) == 5000000


# -- virtual account -----------------------------------------------------------------------------------


def test_generate_virtual_account(api):
    before = api.wallet(BUYER)
    reply = api.http.post(VIRTUAL_ACCOUNT, customer=BUYER)  # the docs send no body
    account = api._expect(reply, 200)
    assert reply.body["message"] == "Virtual account generated successfully"
    assert re.fullmatch(r"\d{10}", account["accountNumber"])
    assert account == {"accountNumber": account["accountNumber"], "bankCode": "090286", "amount": None,
                       "accountName": "PAYLUK / TUNDE BAKARE", "bank": "SAFE HAVEN SANDBOX BANK",
                       "expiresIn": "in 30 minutes"}
    again = api._expect(api.http.post(VIRTUAL_ACCOUNT, customer=SELLER, json={"amount": 50000}), 200)
    assert (again["amount"], again["accountName"]) == (50000, "PAYLUK / ADA EZE")
    assert again["accountNumber"] != account["accountNumber"]
    assert api.wallet(BUYER) == before  # no money moves


def test_generate_virtual_account__reproducible_with_a_seed(app):
    from sandbox import create_app
    from tests.conftest import make_config

    def numbers(application):
        client = application.test_client()
        headers = {"Authorization": f"Bearer {KEY}", "customer-id": BUYER}
        return [client.post(VIRTUAL_ACCOUNT, headers=headers).get_json()["data"]["accountNumber"] for _ in range(3)]

    assert numbers(app) == numbers(create_app(make_config()))


@pytest.mark.parametrize("body, message", [
    ({"amount": 0}, '"amount" must be greater than or equal to 1'),
    ({"amount": "50000"}, '"amount" must be an integer'),
    ({"amount": 5, "bank": "x"}, '"bank" is not allowed'),
])
def test_generate_virtual_account__invalid(api, body, message):
    api.error(api.http.post(VIRTUAL_ACCOUNT, customer=BUYER, json=body), 400, message)


# -- top-up ----------------------------------------------------------------------------------------------


def test_top_up(api):
    reply = api.http.post(TOPUP, customer=SELLER, json={"amount": 50000})
    assert api._expect(reply, 200) == {"mainBalance": 50000}
    assert reply.body["message"] == "Virtual account top up successful"
    assert api.wallet(SELLER) == {"mainBalance": 50000, "escrowBalance": 0, "currency": "NGN"}
    ledger = api.http.get("/_sandbox/ledger").data
    [posting] = [p for p in ledger["postings"] if p["kind"] == "topup"]
    assert posting["entries"] == [["external:topup", -50000], [f"customer:{SELLER}:main", 50000]]
    assert posting["customerId"] == SELLER and posting["reference"].startswith("TOPUP_REF_")


def test_top_up__twice_a_day(api):
    api._expect(api.http.post(TOPUP, customer=SELLER, json={"amount": 50000}), 200)
    api.error(api.http.post(TOPUP, customer=SELLER, json={"amount": 50000}), 401,
              "You can only top up your account once a day")
    assert main_balance(api, SELLER) == 50000
    # The limit is per customer.
    assert api._expect(api.http.post(TOPUP, customer=BUYER, json={"amount": 1}), 200) == {"mainBalance": 5000001}


def test_top_up__rolling_day_on_the_namespace_clock(app):
    """In-process: the clock is moved through the namespace state (no clock API yet)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {KEY}", "customer-id": SELLER}

    def top_up(amount):
        resp = client.post(TOPUP, headers=headers, json={"amount": amount})
        return resp.status_code, resp.get_json()

    assert top_up(100) == (200, {"status": 200, "message": "Virtual account top up successful",
                                 "data": {"mainBalance": 100}})
    clock = app.extensions["sandbox"].store.namespace(KEY).state["clock"]
    start = clock["frozen_ms"]
    clock["frozen_ms"] = start + 24 * 3600 * 1000 - 1
    assert top_up(100) == (401, {"status": 401, "message": "You can only top up your account once a day", "data": {}})
    clock["frozen_ms"] = start + 24 * 3600 * 1000
    assert top_up(200)[1]["data"] == {"mainBalance": 300}
    clock["frozen_ms"] += 3600 * 1000  # an hour later, a new calendar day would not matter
    assert top_up(100)[0] == 401


@pytest.mark.parametrize("body, message", [
    ({}, '"amount" is required'),
    ({"amount": 0}, '"amount" must be greater than or equal to 1'),
    ({"amount": 10.5}, '"amount" must be an integer'),
    ({"amount": "100"}, '"amount" must be an integer'),
    ({"amount": None}, '"amount" must not be null'),
    ({"amount": 100, "currency": "NGN"}, '"currency" is not allowed'),
])
def test_top_up__invalid(api, body, message):
    api.error(api.http.post(TOPUP, customer=SELLER, json=body), 400, message)
    assert main_balance(api, SELLER) == 0


# -- verify-account ------------------------------------------------------------------------------------------


def test_verify_account(api):
    reply = api.http.post(VERIFY_ACCOUNT, customer=BUYER, json={"accountNumber": "0123456789", "bankCode": "044"})
    assert api._expect(reply, 200) == {"accountName": "ADA EZE", "accountNumber": "0123456789"}  # the docs' example
    assert reply.body["message"] == "Account verified"


def test_verify_account__deterministic_names(api):
    def name(number):
        return api._expect(api.http.post(VERIFY_ACCOUNT, customer=BUYER, json={
            "accountNumber": number, "bankCode": "058", "bankName": "GTBank"}), 200)["accountName"]

    names = {number: name(number) for number in ("9988776655", "2233445566", "0000000001")}
    assert all(re.fullmatch(r"[A-Z]+ [A-Z]+", n) for n in names.values())
    assert len(set(names.values())) == 3
    assert {number: name(number) for number in names} == names


@pytest.mark.parametrize("body, status, message", [
    ({"accountNumber": "0000000000", "bankCode": "044"}, 400, "Could not resolve account name"),
    ({"bankCode": "044"}, 400, '"accountNumber" is required'),
    ({"accountNumber": "0123456789"}, 400, '"bankCode" is required'),
    ({"accountNumber": "012345678", "bankCode": "044"}, 400, '"accountNumber" must be 10 digits'),
    ({"accountNumber": "01234567890", "bankCode": "044"}, 400, '"accountNumber" must be 10 digits'),
    ({"accountNumber": "01234S6789", "bankCode": "044"}, 400, '"accountNumber" must be 10 digits'),
    ({"accountNumber": 1234567890, "bankCode": "044"}, 400, '"accountNumber" must be a string'),
    ({"accountNumber": "0123456789", "bankCode": ""}, 400, '"bankCode" is not allowed to be empty'),
    ({"accountNumber": "0123456789", "bankCode": "044", "country": "NG"}, 400, '"country" is not allowed'),
])
def test_verify_account__invalid(api, body, status, message):
    api.error(api.http.post(VERIFY_ACCOUNT, customer=BUYER, json=body), status, message)


# -- payment history ----------------------------------------------------------------------------------------------


def test_payment_history(api):
    deposit = create_intent(api)
    verify(api, {"reference": deposit["reference"]})
    payout = withdraw(api, 100)
    api._expect(api.http.post(TOPUP, customer=BUYER, json={"amount": 1000}), 200)
    escrow = api.create_milestone_escrow()
    api.pay(escrow["id"], reference="ESC_REF_98765")
    create_intent(api, customer=POOR_BUYER)  # someone else's

    reply = api.http.get(HISTORY, customer=BUYER)
    body = api._expect(reply, 200)
    assert reply.body["message"] == "Payment history fetched successfully"
    assert body["pagination"] == {"count": 4, "pages": 1, "isLastPage": True, "nextPage": None, "previousPage": None}
    by_reference = {r["reference"]: r for r in body["data"]}
    assert set(by_reference) == {deposit["reference"], payout["reference"], "ESC_REF_98765"} | {
        r for r in by_reference if r.startswith("TOPUP_REF_")}
    assert by_reference[deposit["reference"]] == {
        "id": by_reference[deposit["reference"]]["id"], "reference": deposit["reference"], "amount": 50000, "fee": 0,
        "currency": "NGN", "gateway": "PAYSTACK", "transactionType": "DEPOSIT", "creditType": "CREDIT",
        "status": "SUCCESS", "createdAt": "2026-06-22T10:15:00.000Z", "updatedAt": "2026-06-22T10:15:00.000Z"}
    assert re.fullmatch(r"[0-9a-f]{24}", by_reference[deposit["reference"]]["id"])
    assert (by_reference[payout["reference"]]["status"], by_reference[payout["reference"]]["creditType"]) == (
        "PENDING", "DEBIT")
    assert (by_reference["ESC_REF_98765"]["transactionType"], by_reference["ESC_REF_98765"]["amount"]) == (
        "ESCROW", 1025000)


def test_payment_history__filters(api):
    deposit = create_intent(api)
    withdraw(api, 100)
    page_one = api._expect(api.http.get(f"{HISTORY}?limit=1&page=1", customer=BUYER), 200)
    assert len(page_one["data"]) == 1 and page_one["pagination"]["nextPage"] == 2
    only_deposits = api._expect(api.http.get(f"{HISTORY}?type=deposit", customer=BUYER), 200)["data"]
    assert [r["reference"] for r in only_deposits] == [deposit["reference"]]
    # [B]: `reference`, `fromDate`, `toDate` answer a flat array.
    assert [r["reference"] for r in api._expect(
        api.http.get(f"{HISTORY}?reference={deposit['reference']}", customer=BUYER), 200)] == [deposit["reference"]]
    assert len(api._expect(api.http.get(f"{HISTORY}?fromDate=2026-06-22&toDate=2026-06-22", customer=BUYER), 200)) == 2
    assert api._expect(api.http.get(f"{HISTORY}?toDate=2026-06-21", customer=BUYER), 200) == []
    assert api._expect(api.http.get(f"{HISTORY}?fromDate=2026-06-22T10:15:00.001Z", customer=BUYER), 200) == []


def test_payment_history__newest_first(app):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {KEY}", "customer-id": BUYER}
    clock = app.extensions["sandbox"].store.namespace(KEY).state["clock"]
    references = []
    for _ in range(3):
        references.append(client.post(CREATE, headers=headers, json=DOCS_INTENT).get_json()["data"]["reference"])
        clock["frozen_ms"] += 1000
    data = client.get(HISTORY, headers=headers).get_json()["data"]["data"]
    assert [r["reference"] for r in data] == references[::-1]


@pytest.mark.parametrize("query, message", [
    ("type=refund", '"type" must be one of [DEPOSIT, ESCROW, WITHDRAWAL, WALLET_TRANSFER, TOPUP]'),
    ("fromDate=yesterday", '"fromDate" must be a valid date (YYYY-MM-DD or ISO-8601)'),
    ("limit=101", '"limit" must be less than or equal to 100'),
    ("page=0", '"page" must be greater than or equal to 1'),
])
def test_payment_history__invalid(api, query, message):
    api.error(api.http.get(f"{HISTORY}?{query}", customer=BUYER), 400, message)


# -- rules every route of this area shares ------------------------------------------------------------------------

ROUTES = [("POST", CREATE, DOCS_INTENT), ("POST", VERIFY, {"reference": "PSK_REF_12345"}),
          ("POST", VIRTUAL_ACCOUNT, {"amount": 5}), ("POST", TOPUP, {"amount": 5}),
          ("POST", VERIFY_ACCOUNT, {"accountNumber": "0123456789", "bankCode": "044"}), ("GET", HISTORY, None)]
JSON_ROUTES = [r for r in ROUTES if r[0] == "POST"]


@pytest.mark.parametrize("method, path, body", ROUTES)
def test_routes__no_token(api, method, path, body):
    api.error(api.http.request(method, path, key=None, customer=BUYER, json=body), 401, "No token provided")


@pytest.mark.parametrize("method, path, body", ROUTES)
def test_routes__customer_id_required(api, method, path, body):
    api.error(api.http.request(method, path, json=body), 400, "customer-id header is required")


@pytest.mark.parametrize("method, path, body", ROUTES)
def test_routes__unknown_customer(api, method, path, body):
    api.error(api.http.request(method, path, customer=UNKNOWN_ID, json=body), 404, "Customer not found")


@pytest.mark.parametrize("method, path, body", ROUTES)
def test_routes__blocked_customer(api, method, path, body):
    assert api.http.put(f"/v1/customer/block/{BUYER}", json={}).status == 200
    api.error(api.http.request(method, path, customer=BUYER, json=body), 401,
              "Your account is disabled. Please contact support")


@pytest.mark.parametrize("method, path, body", JSON_ROUTES)
@pytest.mark.parametrize("raw", [b"{", b"{'amount': 1}", b"\xff\xfe"])
def test_routes__malformed_json(api, method, path, body, raw):
    reply = api.http.request(method, path, customer=BUYER, body=raw, headers={"Content-Type": "application/json"})
    api.error(reply, 400, "Malformed JSON in request body")


@pytest.mark.parametrize("method, path, body", JSON_ROUTES)
def test_routes__form_body_refused(api, method, path, body):
    api.error(api.http.request(method, path, customer=BUYER, data={"amount": "5"}), 400,
              "Content-Type must be application/json")


@pytest.mark.parametrize("method, path, body", JSON_ROUTES)
@pytest.mark.parametrize("raw", [b"[]", b"5", b'"text"', b"null"])
def test_routes__body_must_be_an_object(api, method, path, body, raw):
    reply = api.http.request(method, path, customer=BUYER, body=raw, headers={"Content-Type": "application/json"})
    api.error(reply, 400, "Request body must be a JSON object")
