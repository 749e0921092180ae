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
from sandbox.api.documented import HTML, OneOf, Tag, doc, variant
from sandbox.api.http import blueprint_with_pages, call, customer_header, envelope, json_body, pagination
from sandbox.domain import errors as E
from sandbox.domain import listings, payments
from sandbox.domain.errors import INTENT_NOT_FOUND, NotFound, PaylukError
from sandbox.domain.money import kobo_to_wire
from sandbox.domain.profiles import OCTOBER
from sandbox.schemas import answers as out
from sandbox.schemas import intent as itn
from sandbox.schemas.base import load
from sandbox.schemas.intent import (
    ACCOUNT,
    AUTHORIZE_FORM,
    CREATE_INTENT,
    HISTORY_RECORDS,
    INTENT_CREATED,
    PAYMENT_HISTORY_QUERY,
    TOP_UP,
    TOP_UP_RESULT,
    VERIFIED_PAYMENT,
    VERIFY_ACCOUNT,
    VERIFY_PAYMENT,
    VIRTUAL_ACCOUNT,
    VIRTUAL_ACCOUNT_REQUEST,
)

bp, pages = blueprint_with_pages("intents", __name__)

AUTHORIZE_PATH = "/_sandbox/authorize/"


def _authorization_url(token: str) -> str:
    return f"{request.host_url}{AUTHORIZE_PATH.lstrip('/')}{token}"


@bp.post("/v1/payment/create-intent")
@doc(Tag.PAYMENTS, "Create a payment intent (deposit, withdrawal, transfer)", data=itn.IntentCreatedSchema,
     message="Payment intent created successfully", body=itn.CreateIntentSchema, customer="required",
     errors=((400, E.DUPLICATE_REFERENCE), (400, E.TRANSFER_TO_SELF), (400, E.INSUFFICIENT_BALANCE)))
def create_intent():
    customer_id = customer_header()
    data = load(CREATE_INTENT, json_body())
    token = secrets.token_urlsafe(24)
    intent = call(payments.create_intent, customer_id, data, token)
    current_app.extensions["sandbox"].store.link(token, g.key)
    return envelope(200, "Payment intent created successfully",
                    INTENT_CREATED.dump({**intent, "authorization_url": _authorization_url(token)}))


@bp.post("/v1/payment/verify")
@doc(Tag.PAYMENTS, "Verify intents: one object for `reference`, an array for `references`",
     data=OneOf(itn.VerifiedPaymentSchema, itn.VerifiedPaymentSchema(many=True)),
     message="Payment intent verified successfully", body=itn.VerifyPaymentSchema, customer="required",
     errors=((400, E.INTENT_NOT_FOUND), (400, E.INTENT_DECLINED), (400, E.INSUFFICIENT_BALANCE)))
def verify_payment():
    customer_id = customer_header()
    data = load(VERIFY_PAYMENT, json_body())
    results = call(payments.verify_payment, customer_id, data["references"])
    # A batch (`references`) is answered with a list, a single `reference` with one object.
    body = VERIFIED_PAYMENT.dump(results, many=True) if data["batch"] else VERIFIED_PAYMENT.dump(results[0])
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
def payment_history():
    customer_id = customer_header()
    query = load(PAYMENT_HISTORY_QUERY, request.args.to_dict())
    records = call(payments.payment_history, customer_id, query.get("type"), query.get("reference"),
                   query.get("from_ms"), query.get("to_ms"))
    message = "Payment history fetched successfully"
    # [B]: any of `reference`, `fromDate`, `toDate` answers a flat array instead of a page.
    if any(key in query for key in ("reference", "from_ms", "to_ms")):
        return envelope(200, message, HISTORY_RECORDS.dump(records))
    page = listings.paginate(records, query["page"], query["limit"])
    return envelope(200, message, {"data": HISTORY_RECORDS.dump(page.items), "pagination": pagination(page)})


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

