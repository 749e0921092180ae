"""Hosted checkout: the SDK's session route (publishable key, CORS) and the sandbox page.

`POST /v1/checkout/session` is what `payluk-escrow-inline-checkout` calls on Payluk's
checkout host with no Authorization header (payluk-api.md §5.11, §9). The publishable key
`pk_test_<suffix>` selects the namespace of the secret key `sk_test_<suffix>`. The answer
is the usual envelope plus a top-level `session` (the SDK reads `session`, envelope
readers read `data.session`). The session's `url` is a server-rendered sandbox page,
`/_sandbox/checkout/<id>`, where a person (or a test) approves or declines the payment.
"""

import json
import re

from flask import current_app, g, redirect, render_template, request

from sandbox.api.auth import public
from sandbox.api.documented import HTML, Tag, doc
from sandbox.api.http import blueprint_with_pages, call, json_body
from sandbox.clock import iso
from sandbox.domain import checkout
from sandbox.domain import errors as E
from sandbox.domain.errors import CHECKOUT_SESSION_NOT_FOUND, UNAUTHORIZED_ACCESS, Forbidden, NotFound, PaylukError
from sandbox.domain.money import kobo_to_wire
from sandbox.schemas import answers as out
from sandbox.schemas import checkout as chk
from sandbox.schemas.base import load
from sandbox.schemas.checkout import (
    CHECKOUT_APPROVE_FORM,
    CHECKOUT_SESSION,
    CHECKOUT_SESSION_CREATE,
    CHECKOUT_SESSION_QUERY,
)

bp, pages = blueprint_with_pages("checkout", __name__)

PUBLISHABLE_TEST_KEY = re.compile(r"^pk_test_([A-Za-z0-9_\-]{1,200})$")
SESSION_PATH = "/v1/checkout/session"


# -- the SDK's JSON routes ------------------------------------------------------------------


def _namespace_for(public_key: str):
    """The namespace a publishable key belongs to: `pk_test_X` pairs with `sk_test_X`.
    A live key, or anything that is not a test publishable key, is 403 like a bad secret key."""
    match = PUBLISHABLE_TEST_KEY.match(public_key)
    if not match:
        raise Forbidden(UNAUTHORIZED_ACCESS)
    secret_key = "sk_test_" + match.group(1)
    return secret_key, current_app.extensions["sandbox"].store.namespace(secret_key)


def _session_reply(status: int, message: str, session: dict):
    """The envelope with the session under `data.session` and, for the SDK, top-level `session`."""
    wire = CHECKOUT_SESSION.dump({**session, "url": f"{request.host_url}_sandbox/checkout/{session['id']}"})
    body = {"status": status, "message": message, "data": {"session": wire}, "session": wire}
    return current_app.response_class(current_app.json.dumps(body), status=status, mimetype="application/json")


@bp.route(SESSION_PATH, methods=["OPTIONS"])
@doc(Tag.CHECKOUT, "CORS preflight of the SDK's session request", status=204, public=True, content=None)
@public
def preflight_checkout_session():
    """The browser's CORS preflight before the SDK's JSON POST."""
    response = current_app.response_class(status=204)
    del response.headers["Content-Type"]
    response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@bp.route(SESSION_PATH, methods=["POST"], provide_automatic_options=False)
@doc(Tag.CHECKOUT, "Create a hosted-checkout session (publishable key, no Authorization)",
     data=out.CheckoutSessionDataSchema, status=201, message="Checkout session created successfully",
     body=chk.CheckoutSessionCreateSchema, public=True,
     errors=((403, E.UNAUTHORIZED_ACCESS), (400, E.ESCROW_NOT_FOUND), (400, E.CHECKOUT_INVALID_STATE),
             (400, E.DUPLICATE_REFERENCE), (404, E.CUSTOMER_NOT_FOUND), (401, E.ACCOUNT_DISABLED)),
     description="The envelope carries the session twice: `data.session` and, for the SDK, top-level `session`.",
     envelope={"session": chk.CheckoutSessionSchema}, rate_limited=True)
@public
def create_checkout_session():
    body = json_body()
    # The key is judged before the rest of the body, as the bearer key is on other routes.
    if isinstance(body, dict) and isinstance(body.get("publicKey"), str) and body["publicKey"]:
        _namespace_for(body["publicKey"])
    data = load(CHECKOUT_SESSION_CREATE, body)
    secret_key, g.ns = _namespace_for(data["public_key"])
    store = current_app.extensions["sandbox"].store

    def claim(session_id: str) -> bool:
        # Seeded namespaces can mint equal ids; a page URL must name one namespace only.
        if store.namespace_for_link(session_id) not in (None, g.ns):
            return False
        store.link(session_id, secret_key)
        return True

    session = call(checkout.create_checkout_session, data, claim)
    return _session_reply(201, "Checkout session created successfully", session)


@bp.get(f"{SESSION_PATH}/<session_id>")
@doc(Tag.CHECKOUT, "A checkout session, by its id and the publishable key", data=out.CheckoutSessionDataSchema,
     message="Checkout session fetched successfully", query=chk.CheckoutSessionQuerySchema, public=True,
     errors=((403, E.UNAUTHORIZED_ACCESS), (404, E.CHECKOUT_SESSION_NOT_FOUND)),
     envelope={"session": chk.CheckoutSessionSchema})
@public
def get_checkout_session(session_id):
    query = load(CHECKOUT_SESSION_QUERY, request.args.to_dict())
    _, g.ns = _namespace_for(query["public_key"])
    session = call(checkout.get_checkout_session, session_id.lower())
    return _session_reply(200, "Checkout session fetched successfully", session)


@bp.after_request
def allow_any_origin(response):
    """The SDK runs on the integrator's own origin, so the JSON routes answer any origin."""
    if request.path.startswith(SESSION_PATH):
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# -- a stand-in for Payluk's widget script ----------------------------------------------------

# The SDK loads https://checkout.payluk.ng/escrow-checkout.min.js and calls
# `window.EscrowCheckout({session, ...})`; give it `scriptUrlOverride` pointing here and the
# "widget" simply opens the sandbox checkout page of the session.
WIDGET_JS = """/* payluk-sandbox stand-in for Payluk's escrow-checkout widget */
(function () {
  function EscrowCheckout(options) {
    var session = options && options.session;
    if (!session || !session.url) { throw new Error("EscrowCheckout: a session with a url is required"); }
    window.location.assign(session.url);
  }
  EscrowCheckout.baseUrl = %s;
  window.EscrowCheckout = EscrowCheckout;
})();
"""


@bp.get("/_sandbox/escrow-checkout.min.js")
@doc(Tag.CHECKOUT, "Stand-in for Payluk's widget script (opens the session's sandbox page)", public=True,
     content="application/javascript")
@public
def checkout_widget():
    body = WIDGET_JS % json.dumps(request.host_url.rstrip("/"))
    return current_app.response_class(body, mimetype="application/javascript")


# -- the sandbox checkout page ------------------------------------------------------------------


def _page_namespace(session_id: str) -> str:
    """Bind the namespace the session's page link belongs to; the session id, normalised."""
    session_id = session_id.lower()
    ns = current_app.extensions["sandbox"].store.namespace_for_link(session_id)
    if ns is None:
        raise NotFound(CHECKOUT_SESSION_NOT_FOUND)
    g.ns = ns
    return session_id


def _naira(kobo: int) -> str:
    return f"₦{kobo_to_wire(kobo):,}"


def _person(customer: dict) -> str:
    return f"{customer['firstname']} {customer['lastname']} ({customer['email']})"


@pages.get("/_sandbox/checkout/<session_id>")
@doc(Tag.CHECKOUT, "The sandbox checkout page of a session", public=True, content=HTML,
     errors=((404, E.CHECKOUT_SESSION_NOT_FOUND),))
@public
def show_checkout(session_id):
    session_id = _page_namespace(session_id)
    view = call(checkout.open_checkout, session_id)
    session, escrow = view["session"], view["escrow"]
    return render_template(
        "checkout.html",
        session=session,
        escrow=escrow,
        amount=_naira(session["amount"]),
        escrow_amount=_naira(escrow["amount"]),
        buyer_fee=_naira(view["buyer_fee"]),
        additional_fee=_naira(escrow["additional_fee"]) if escrow["additional_fee"] else None,
        expires_at=iso(session["expires_at_ms"]),
        buyer=_person(view["buyer"]) if view["buyer"] else None,
        customers=[(c["id"], _person(c)) for c in view["customers"]],
        approve_url=f"/_sandbox/checkout/{session_id}/approve",
        decline_url=f"/_sandbox/checkout/{session_id}/decline",
    )


@pages.post("/_sandbox/checkout/<session_id>/approve")
@doc(Tag.CHECKOUT, "Approve the payment on the page: funds the escrow, redirects to redirectUrl", status=303,
     public=True, content=None, body=chk.CheckoutApproveFormSchema, json_body=False,
     errors=((404, E.CHECKOUT_SESSION_NOT_FOUND), (400, E.CHECKOUT_BUYER_REQUIRED), (400, E.CHECKOUT_SESSION_EXPIRED),
             (400, E.CHECKOUT_SESSION_COMPLETED)),
     html_errors=(400, 404))
@public
def approve_checkout(session_id):
    session_id = _page_namespace(session_id)
    form = load(CHECKOUT_APPROVE_FORM, {k: v for k, v in request.form.items() if v != ""})
    session = call(checkout.approve_checkout, session_id, form["customer_id"])
    return redirect(checkout.return_url(session), code=303)


@pages.post("/_sandbox/checkout/<session_id>/decline")
@doc(Tag.CHECKOUT, "Decline the payment on the page: redirects to redirectUrl", status=303, public=True, content=None,
     errors=((404, E.CHECKOUT_SESSION_NOT_FOUND), (400, E.CHECKOUT_SESSION_COMPLETED)), html_errors=(400, 404))
@public
def decline_checkout(session_id):
    session_id = _page_namespace(session_id)
    session = call(checkout.decline_checkout, session_id)
    return redirect(checkout.return_url(session), code=303)


@pages.errorhandler(PaylukError)
def checkout_refused(err: PaylukError):
    """A refusal on the page is a page: 404 for an unknown session, 400 for anything else."""
    status = 404 if err.message == CHECKOUT_SESSION_NOT_FOUND else 400
    return render_template("checkout_message.html", message=err.message, status=status), status

