"""The console's buttons: sign-in and sign-out, then POST forms (the `action` decorator of
sandbox/console/helpers.py: CSRF-checked, run under the namespace lock, outcome flashed, 303
back). Each button calls one domain service, the very one its API route calls: the control
services of sandbox/domain/controls.py (clock, reset, snapshots) and the escrow lifecycle's."""

import hmac

from flask import redirect, request, url_for

from sandbox.api.auth import TEST_KEY, public
from sandbox.console.helpers import (
    Viewer,
    action,
    at,
    bp,
    config,
    csrf_refused,
    naira,
    sessions,
    sign_in_form,
    store,
    to_sign_in,
)
from sandbox.console.session import Sessions
from sandbox.domain import controls, disputes, escrows, funding, milestones, outbox, profiles
from sandbox.domain.errors import CONSOLE_FORM_EXPIRED, CONSOLE_NOT_A_TEST_KEY, CONSOLE_TOKEN_REFUSED
from sandbox.schemas.base import load
from sandbox.schemas.control import PROFILE_CHOICE_BODY, SNAPSHOT_CREATE
from sandbox.schemas.escrow import DISPUTE_RESOLVE, DISPUTE_SUBMIT


# -- sign-in, sign-out ---------------------------------------------------------------------------


@bp.post("/sign-in")
@public
def sign_in():
    cookie = sessions().read(request)
    if not sessions().csrf_ok(cookie, request.form.get("csrf")):
        return sign_in_form({}, CONSOLE_FORM_EXPIRED, 400)
    token = config().control_token
    sent = request.form.get("token", "")
    if token and not hmac.compare_digest(sent.encode("utf-8", "replace"), token.encode()):
        return sign_in_form(cookie, CONSOLE_TOKEN_REFUSED, 401)
    key = request.form.get("key", "").strip()
    if not TEST_KEY.match(key):
        return sign_in_form(cookie, CONSOLE_NOT_A_TEST_KEY, 400)
    store().namespace(key)
    response = redirect(url_for("console.overview"), 303)
    sessions().write(response, request, Sessions.fresh(sessions().start(key)))
    return response


@bp.post("/sign-out")
@public
def sign_out():
    cookie = sessions().read(request)
    if not sessions().csrf_ok(cookie, request.form.get("csrf")):
        return csrf_refused()
    sessions().end(cookie)
    response = to_sign_in()
    sessions().forget_cookie(response, request)
    return response


# -- overview: clock, reset, snapshots ------------------------------------------------------------


def _back_to_overview(**_):
    return url_for("console.overview")


def _fell_due(due: list) -> str:
    kinds = {}
    for item in due:
        kinds[item["type"]] = kinds.get(item["type"], 0) + 1
    return "; fell due: " + ", ".join(f"{n}× {kind}" for kind, n in kinds.items()) if kinds else ""


@bp.post("/clock/advance")
@action(_back_to_overview)
def advance_clock(viewer: Viewer):
    text = request.form.get("duration", "").strip()
    due = controls.advance_clock_by(viewer.ns, text)
    return f"Clock advanced by {text} to {at(viewer.ns.now_ms())}{_fell_due(due)}"


@bp.post("/clock/freeze")
@action(_back_to_overview)
def freeze_clock(viewer: Viewer):
    controls.freeze_clock(viewer.ns)
    return f"Clock frozen at {at(viewer.ns.now_ms())}"


@bp.post("/clock/resume")
@action(_back_to_overview)
def resume_clock(viewer: Viewer):
    controls.resume_clock(viewer.ns)
    return "Clock running again"


@bp.post("/reset")
@action(_back_to_overview)
def reset(viewer: Viewer):
    controls.reset(store(), viewer.key)  # as POST /_sandbox/reset: settings are configuration, kept
    return "Namespace reset to its fixtures (the journal, snapshots and settings are kept)"


@bp.post("/profile")
@action(_back_to_overview)
def choose_profile(viewer: Viewer):
    """As PUT /_sandbox/profile: empty = forget the namespace's choice."""
    name = load(PROFILE_CHOICE_BODY, {"profile": request.form.get("profile", "").strip() or None})["profile"]
    chosen = profiles.choose(viewer.ns, name)
    return f"API profile {chosen['profile']} ({'chosen for this namespace' if name else 'the fixture or server default'})"


@bp.post("/snapshots")
@action(_back_to_overview)
def create_snapshot(viewer: Viewer):
    name = load(SNAPSHOT_CREATE, {"name": request.form.get("name", "").strip()})["name"]
    controls.create_snapshot(viewer.ns, name)
    return f"Snapshot {name} saved"


@bp.post("/snapshots/restore")
@action(_back_to_overview)
def restore_snapshot(viewer: Viewer):
    name = request.form.get("name", "")
    controls.restore_snapshot(viewer.ns, name)
    return f"Snapshot {name} restored"


# -- escrows ------------------------------------------------------------------------------------


def _back_to_escrow(escrow_id, **_):
    return url_for("console.escrow_page", escrow_id=escrow_id)


def _pay(ns, escrow: dict) -> str:
    buyer = request.form.get("buyer", "").strip().lower()
    payment = funding.pay_escrow(ns, buyer, {"escrow_ids": [escrow["id"]], "gateway": funding.WALLET})
    return f"Paid {naira(payment['amount'])} from the buyer's wallet (reference {payment['reference']})"


def _confirm_milestone(ns, escrow: dict) -> str:
    milestone_id = request.form.get("milestone", "").strip().lower()
    milestones.confirm_milestone(ns, escrow["buyer_id"], escrow["id"], milestone_id)
    return "Milestone confirmed by the buyer and released"


def _confirm_payment(ns, escrow: dict) -> str:
    escrows.confirm_payment(ns, escrow["buyer_id"], escrow["id"])
    return "Delivery confirmed by the buyer: the seller is paid"


def _claim_funds(ns, escrow: dict) -> str:
    # An escrow the merchant sells as itself ([B]) is claimed without a customer-id.
    seller = None if escrow["seller_id"] == ns.get_merchant()["id"] else escrow["seller_id"]
    escrows.claim_funds(ns, seller, escrow["payment_token"])
    return "Funds claimed by the seller"


def _dispute_message(ns, escrow: dict, party: str) -> None:
    """A message in the dispute thread from the escrow's buyer (opens it) or seller (answers)."""
    data = load(DISPUTE_SUBMIT, {"message": request.form.get("message", "").strip()})
    disputes.submit_dispute(ns, escrow[party], escrow["payment_token"], {**data, "file_name": None})


def _dispute(ns, escrow: dict) -> str:
    _dispute_message(ns, escrow, "buyer_id")
    return "Dispute submitted by the buyer"


def _reply(ns, escrow: dict) -> str:
    _dispute_message(ns, escrow, "seller_id")
    return "The seller answered the dispute"


def _resolve(ns, escrow: dict) -> str:
    """The merchant's ruling: the key holder is the merchant, as on the API route."""
    data = load(DISPUTE_RESOLVE, {"resolution": request.form.get("resolution", "").strip(),
                                  "status": request.form.get("status", "")})
    resolved = disputes.resolve_dispute(ns, escrow["id"], data)
    return f"Dispute resolved by the merchant: {resolved['status']}"


ESCROW_ACTIONS = {"pay": _pay, "confirm-milestone": _confirm_milestone, "confirm-payment": _confirm_payment,
                  "claim-funds": _claim_funds, "dispute": _dispute, "reply": _reply, "resolve": _resolve}


ACTION_NAMES = ", ".join(f'"{name}"' for name in ESCROW_ACTIONS)


@bp.post(f"/escrows/<escrow_id>/<any({ACTION_NAMES}):name>")
@action(_back_to_escrow)
def escrow_action(viewer: Viewer, escrow_id, name):
    escrow = escrows.escrow_by_id(viewer.ns, escrow_id.lower())
    return ESCROW_ACTIONS[name](viewer.ns, escrow)


# -- webhooks -----------------------------------------------------------------------------------


@bp.post("/webhooks/<event_id>/resend")
@action(lambda event_id: url_for("console.webhooks_page"))
def resend_event(viewer: Viewer, event_id):
    event = outbox.resend(viewer.ns, event_id.lower())
    return f"Event {event['type']} ({event['id']}) queued for delivery to {event['url']}"

