"""Payment-intent routes (create, verify), the other /v1/payment helpers (virtual account,
staging top-up, verify-account, [B] history) and the sandbox page that authorises or
declines an intent.

`authorizationUrl` points at `/_sandbox/authorize/<token>`, a server-rendered page standing in
for the gateway's checkout (Paystack's in the [A] example). The token is unguessable and is
linked to the caller's namespace, so the page works without the secret key.
"""

import secrets

from flask import current_app, g, render_template, request

from sandbox.api.auth import public
from sandbox.api.documented import HTML, OneOf, Tag, doc, introduced, variant
from sandbox.api.http import blueprint_with_pages, call, customer_header, envelope, json_body, pagination
from sandbox.domain import errors as E
from sandbox.domain import listings, payments, profiles
from sandbox.domain.errors import INTENT_NOT_FOUND, NotFound, PaylukError
from sandbox.domain.money import kobo_to_wire
from sandbox.domain.profiles import OCTOBER
from sandbox.schemas import answers as out
from sandbox.schemas import intent as itn
from sandbox.schemas import payment as pay
from sandbox.schemas.base import load
from sandbox.schemas.intent import (
    ACCOUNT,
    AUTHORIZE_FORM,
    CREATE_INTENT,
    CREATE_INTENT_LATER,
    HISTORY_RECORDS,
    INTENT_CREATED,
    INTENT_TRANSACTION,
    INTENT_TRANSACTIONS,
    PAYMENT_HISTORY_QUERY,
    TEST_BANK_TRANSFER,
    TOP_UP,
    TOP_UP_RESULT,
    VERIFIED_PAYMENT,
    VERIFY_ACCOUNT,
    VERIFY_PAYMENT,
    VIRTUAL_ACCOUNT,
    VIRTUAL_ACCOUNT_REQUEST,
)
from sandbox.schemas.payment import TRANSACTIONS

bp, pages = blueprint_with_pages("intents", __name__)

AUTHORIZE_PATH = "/_sandbox/authorize/"


def _authorization_url(token: str) -> str:
    return f"{request.host_url}{AUTHORIZE_PATH.lstrip('/')}{token}"


@bp.post("/v1/payment/create-intent")
@doc(Tag.PAYMENTS, "Create a payment intent (deposit, withdrawal, transfer)", data=itn.IntentCreatedSchema,
     message="Payment intent created successfully", body=itn.CreateIntentSchema, customer="required",
     errors=((400, E.DUPLICATE_REFERENCE), (400, E.TRANSFER_TO_SELF), (400, E.INSUFFICIENT_BALANCE)))
@variant(OCTOBER, data=itn.IntentTransactionSchema, body=itn.CreateIntentLaterSchema,
         summary="Create a payment intent: the transaction with its fee, and where to pay a deposit",
         errors=((400, E.DUPLICATE_REFERENCE), (400, E.TRANSFER_TO_SELF), (400, E.INTENT_AMOUNT_AT_LEAST_100),
                 (400, E.AMOUNT_TWO_DECIMALS), (400, E.AMOUNT_NUMBER), (400, E.REFERENCE_REQUIRED)))
def create_intent():
    customer_id = customer_header()
    later = call(profiles.later)
    data = load(CREATE_INTENT_LATER if later else CREATE_INTENT, json_body(exact=later))
    token = secrets.token_urlsafe(24)
    intent = call(payments.create_intent, customer_id, data, token)
    current_app.extensions["sandbox"].store.link(token, g.key)
    if later:
        return envelope(200, "Payment intent created successfully", INTENT_TRANSACTION.dump(_later_intent(intent)))
    return envelope(200, "Payment intent created successfully",
                    INTENT_CREATED.dump({**intent, "authorization_url": _authorization_url(token)}))


def _later_intent(record: dict) -> dict:
    """[B] an intent (or escrow payment) as create-intent and verify answer it: the transaction,
    and while a deposit is pending, where to pay it: the test bank's account (no card), or the
    checkout (a card) -- the sandbox authorisation page, opened with the key's publishable twin."""
    body = payments.as_transaction(record)
    if "authorization_token" not in record or record["status"] != payments.PENDING:
        return body
    if record.get("test_account") is not None:
        body["test_account"] = record["test_account"]
    elif record["credit_type"] == "CREDIT":
        body["checkout_config"] = {"public_key": "pk_test_" + g.key.removeprefix("sk_test_"),
                                   "reference": record["reference"], "amount": record["amount"],
                                   "currency": record["currency"],
                                   "url": _authorization_url(record["authorization_token"])}
    return body


@bp.post("/v1/payment/verify")
@doc(Tag.PAYMENTS, "Verify intents: one object for `reference`, an array for `references`",
     data=OneOf(itn.VerifiedPaymentSchema, itn.VerifiedPaymentSchema(many=True)),
     message="Payment intent verified successfully", body=itn.VerifyPaymentSchema, customer="required",
     errors=((400, E.INTENT_NOT_FOUND), (400, E.INTENT_DECLINED), (400, E.INSUFFICIENT_BALANCE)))
@variant(OCTOBER, data=OneOf(itn.IntentTransactionSchema, itn.IntentTransactionSchema(many=True)),
         summary="Verify intents (`otp` accepted, never required): the transactions with their fees")
def verify_payment():
    customer_id = customer_header()
    data = load(VERIFY_PAYMENT, json_body())
    later = call(profiles.later)
    results = call(payments.verify_payment, customer_id, data["references"])
    if later:
        records = [_later_intent(r) for r in results]
        body = INTENT_TRANSACTIONS.dump(records) if data["batch"] else INTENT_TRANSACTION.dump(records[0])
    # A batch (`references`) is answered with a list, a single `reference` with one object.
    elif data["batch"]:
        body = VERIFIED_PAYMENT.dump(results, many=True)
    else:
        body = VERIFIED_PAYMENT.dump(results[0])
    return envelope(200, "Payment intent verified successfully", body)


@bp.post("/v1/payment/virtual-account")
@doc(Tag.PAYMENTS, "A virtual account the customer can pay into", data=itn.VirtualAccountResponseSchema,
     message="Virtual account generated successfully", body=itn.VirtualAccountSchema, customer="required")
@variant(OCTOBER, summary="Deprecated ([B], since 2 Sep 2026): answers 410, reading no header or body",
         customer=None, body=None, errors=((410, E.ROUTE_DEPRECATED),))
def generate_virtual_account():
    call(payments.require_virtual_accounts)  # [B]: 410 before the header or the body is read
    customer_id = customer_header()
    data = load(VIRTUAL_ACCOUNT_REQUEST, json_body())
    account = call(payments.generate_virtual_account, customer_id, data.get("amount"))
    return envelope(200, "Virtual account generated successfully", VIRTUAL_ACCOUNT.dump(account))


@bp.post("/v1/payment/topup")
@doc(Tag.PAYMENTS, "Staging top-up of the customer's main balance (once a day)", data=itn.TopUpResponseSchema,
     message="Virtual account top up successful", body=itn.TopUpSchema, customer="required",
     errors=((401, E.TOPUP_ONCE_A_DAY),))
@variant(OCTOBER, errors=((401, E.TOPUP_ONCE_A_DAY), (400, E.AMOUNT_AT_LEAST_1000), (400, E.TOPUP_AMOUNT_AT_MOST)))
def top_up():
    customer_id = customer_header()
    data = load(TOP_UP, json_body())
    wallet = call(payments.top_up, customer_id, data["amount"])
    return envelope(200, "Virtual account top up successful", TOP_UP_RESULT.dump(wallet))


@bp.post("/v1/payment/verify-account")
@doc(Tag.PAYMENTS, "Resolve a bank account's name", data=itn.AccountResponseSchema, message="Account verified",
     body=itn.VerifyAccountSchema, customer="required", errors=((400, E.ACCOUNT_NOT_RESOLVED),))
def verify_account():
    customer_id = customer_header()
    data = load(VERIFY_ACCOUNT, json_body())
    account = call(payments.verify_account, customer_id, data)
    return envelope(200, "Account verified", ACCOUNT.dump(account))


@bp.get("/v1/payment/history")
@doc(Tag.PAYMENTS, "The customer's transactions: a page, or a flat array when filtered by reference or dates",
     data=OneOf(out.HistoryPageSchema, itn.HistoryRecordSchema(many=True)),
     message="Payment history fetched successfully", query=itn.PaymentHistoryQuerySchema, customer="required")
@variant(OCTOBER, data=OneOf(out.TransactionPageSchema, pay.TransactionSchema(many=True)))
def payment_history():
    customer_id = customer_header()
    query = load(PAYMENT_HISTORY_QUERY, request.args.to_dict())
    later = call(profiles.later)
    records = call(payments.payment_history, customer_id, query.get("type"), query.get("reference"),
                   query.get("from_ms"), query.get("to_ms"))
    message = "Payment history fetched successfully"
    dump = TRANSACTIONS.dump if later else HISTORY_RECORDS.dump
    # [B]: any of `reference`, `fromDate`, `toDate` answers a flat array instead of a page.
    if any(key in query for key in ("reference", "from_ms", "to_ms")):
        return envelope(200, message, dump(records))
    page = listings.paginate(records, query["page"], query["limit"])
    return envelope(200, message, {"data": dump(page.items), "pagination": pagination(page)})


@bp.post("/_sandbox/test-bank/transfer")
@introduced(OCTOBER)
@doc(Tag.CONTROLS, "Pay into a deposit's Payluk Test Bank account (profile 2026-10): the deposit settles",
     data=itn.IntentTransactionSchema, message="Test bank transfer received", body=itn.TestBankTransferSchema,
     errors=((400, E.TEST_ACCOUNT_NOT_FOUND), (400, E.INTENT_DECLINED)))
def test_bank_transfer():
    data = load(TEST_BANK_TRANSFER, json_body())
    intent = call(payments.test_bank_transfer, data["reference"])
    return envelope(200, "Test bank transfer received", INTENT_TRANSACTION.dump(_later_intent(intent)))


# -- the sandbox authorisation page ---------------------------------------------------------------


def _bind_namespace(token: str) -> None:
    ns = current_app.extensions["sandbox"].store.namespace_for_link(token)
    if ns is None:
        raise NotFound(INTENT_NOT_FOUND)
    g.ns = ns


def _naira(kobo: int) -> str:
    return f"₦{kobo_to_wire(kobo):,}"


def _render(token: str, result: str | None = None):
    view = call(payments.show_authorization, token)
    intent, customer, recipient = view["intent"], view["customer"], view["recipient"]
    return render_template(
        "authorize.html",
        intent=intent,
        amount=_naira(intent["amount"]),
        customer=f"{customer['firstname']} {customer['lastname']} ({customer['email']})",
        recipient=f"{recipient['firstname']} {recipient['lastname']}" if recipient else None,
        result=result,
        action_url=AUTHORIZE_PATH + token,
    )


@pages.get(AUTHORIZE_PATH + "<token>")
@doc(Tag.PAYMENTS, "Sandbox page standing in for the gateway: authorise or decline an intent", public=True,
     content=HTML, errors=((404, E.INTENT_NOT_FOUND),))
@public
def show_authorization(token):
    _bind_namespace(token)
    return _render(token)


@pages.post(AUTHORIZE_PATH + "<token>")
@doc(Tag.PAYMENTS, "Submit the authorisation page (action=authorize|decline)", public=True, content=HTML,
     body=itn.AuthorizeFormSchema, json_body=False,
     errors=((404, E.INTENT_NOT_FOUND), (400, E.INTENT_ALREADY_VERIFIED)))
@public
def authorize_or_decline(token):
    _bind_namespace(token)
    form = load(AUTHORIZE_FORM, request.form.to_dict())
    if form["action"] == "authorize":
        call(payments.authorize_intent, token)
        return _render(token, "Payment authorized: the intent is verified.")
    call(payments.decline_intent, token)
    return _render(token, "Payment declined: verifying this intent now fails.")


@pages.errorhandler(PaylukError)
def authorization_refused(err: PaylukError):
    """A refusal on the page is a page, with the API's status and message."""
    return render_template("authorize.html", error=err.message, status=err.status), err.status

