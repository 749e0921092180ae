"""The console's pages and buttons, all under /_sandbox/console, for the signed-in key's
namespace only.

Pages read the namespace under its lock and render outside it. Buttons are POST forms with
the CSRF token; each runs one domain service (the very functions the API views call) under
the lock, flashes the outcome (a refusal is the service's own message) and redirects back
with a 303. Console requests carry no `g.ns`, so the request journal never records them
(and the key they are signed in with cannot reach it)."""

import functools
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from markupsafe import Markup, escape

from sandbox import clock
from sandbox.controlplane import recorder
from sandbox.api.auth import TEST_KEY, public
from sandbox.api.http import envelope
from sandbox.api.webhooks import dispatcher
from sandbox.console.session import Sessions, mask
from sandbox.domain import controls, disputes, funding, invariants, ledger, milestones
from sandbox.domain import escrows as escrow_rules  # a page here is named `escrows`
from sandbox.domain import outbox
from sandbox.domain.errors import (
    CONTROL_TOKEN_REQUIRED,
    ROUTE_NOT_FOUND,
    BadRequest,
    NotFound,
    PaylukError,
)
from sandbox.domain.lifecycle import (
    MILESTONE,
    RELEASED,
    STANDARD,
    STATE_OF_STATUS,
    STATUSES,
    TRANSITIONS,
)
from sandbox.domain.money import kobo_to_wire
from sandbox.store.base import Filter
from sandbox.ids import is_object_id
from sandbox.schemas.base import load, wire_number
from sandbox.schemas.control import SNAPSHOT_CREATE
from sandbox.schemas.escrow import DISPUTE_RESOLVE, DISPUTE_SUBMIT
from sandbox.controlplane.dispatcher import payload

bp = Blueprint("console", __name__, url_prefix="/_sandbox/console")

STATIC = Path(__file__).resolve().parent / "static"
PAGE_SIZE = 50
NAV = (("console.overview", "Overview"), ("console.customers", "Customers"), ("console.escrows", "Escrows"),
       ("console.ledger_page", "Ledger"), ("console.webhooks_page", "Webhooks"), ("console.requests", "Requests"))
STATES = tuple(dict.fromkeys(STATE_OF_STATUS.values()))
TONES = {"ok": ("COMPLETED", "CLAIMED", "RELEASED", "DELIVERED", "SUCCESS", "active"),
         "warn": ("DISPUTED", "INVESTIGATING", "REFUNDED", "SENDING"),
         "bad": ("FAILED", "blocked")}
# Security headers of every console answer: only its own scripts and styles, never framed,
# never cached (pages show a namespace), no Referer leaving it.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def sessions() -> Sessions:
    return current_app.extensions["sandbox"].console_sessions


def _store():
    return current_app.extensions["sandbox"].store


def _config():
    return current_app.extensions["sandbox"].config


# -- formatting ------------------------------------------------------------------------------


def naira(kobo: int) -> str:
    """`₦1,234.50` from kobo (the sandbox's money helper decides whole vs 2 dp)."""
    sign = "−" if kobo < 0 else ""
    return f"{sign}₦{kobo_to_wire(abs(kobo)):,}"


def at(ms) -> str:
    return "—" if ms is None else clock.iso(ms)


def tone(status) -> str:
    """A status's colour family; the status text is always shown beside it."""
    return next((name for name, members in TONES.items() if status in members), "info")


def pretty(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=wire_number)


def change_mark(ns) -> str:
    """A cheap fingerprint of everything the pages show: the state object (a reset or restore
    replaces it), the id sequence (every new entity, posting, event and delivery draws an id),
    the clock setting, the journal's newest entry, snapshots, the outbox. A running clock
    does not change it, so an idle page does not reload every poll."""
    setting = ns.get_clock()
    entries = ns.journal_entries()
    parts = (ns.revision(), setting.get("offset_ms"), setting.get("frozen_ms"),
             entries[-1]["id"] if entries else 0, ns.count("events"), ns.count("deliveries"),
             tuple(s["name"] for s in ns.snapshot_list()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


# -- guards: controls switch, sign-in, CSRF ------------------------------------------------------


@bp.before_request
def controls_switch():
    """The console is a control: gone (the same 404) when the controls are switched off."""
    if not _config().controls:
        raise NotFound(ROUTE_NOT_FOUND)


@bp.after_request
def security_headers(response):
    response.headers.update(HEADERS)
    return response


@dataclass
class Viewer:
    """The signed-in person's cookie, session and namespace for one request."""

    cookie: dict
    session: dict
    key: str
    ns: object

    def render(self, template: str, active: str, **context):
        with self.ns.lock:
            version = change_mark(self.ns)
        csrf = self.cookie["csrf"]
        return render_template(
            f"console/{template}", nav=NAV, active=active, key_mask=mask(self.key), csrf=csrf,
            csrf_input=Markup(f'<input type="hidden" name="csrf" value="{escape(csrf)}">'),
            flashes=sessions().take_flashes(self.session), version=version, naira=naira, at=at, tone=tone,
            **context)

    def missing(self, active: str, title: str, message: str):
        """A 404 inside the console's layout (the flash of a refused button still shows)."""
        return self.render("missing.html", active, title=title, message=message), 404


def _viewer() -> Viewer | None:
    cookie = sessions().read(request)
    session = sessions().get(cookie)
    if session is None or "csrf" not in cookie:
        return None
    return Viewer(cookie, session, session["key"], _store().namespace(session["key"]))


def _to_sign_in():
    return redirect(url_for("console.sign_in_page"), 303)


def message_page(status: int, title: str, text: str):
    return render_template("console/message.html", status=status, title=title, message=text), status


def _csrf_refused():
    return message_page(400, "Form refused",
                        "The form's security token did not match this session (a stale page, or a forged "
                        "form). Nothing was changed: go back, reload the page and try again.")


def page(view):
    """A GET page: signed in, or redirected to the sign-in page."""

    @functools.wraps(view)
    def wrapper(**kwargs):
        viewer = _viewer()
        if viewer is None:
            return _to_sign_in()
        return view(viewer, **kwargs)

    return public(wrapper)


def action(back):
    """A POST button: CSRF-checked, run under the namespace lock, outcome flashed, 303 to
    `back(**route arguments)`. A refusal (PaylukError) changes nothing and is flashed."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            cookie = sessions().read(request)
            if not sessions().csrf_ok(cookie, request.form.get("csrf")):
                return _csrf_refused()
            viewer = _viewer()
            if viewer is None:
                return _to_sign_in()
            try:
                with viewer.ns.lock:
                    done = view(viewer, **kwargs)
                sessions().flash(viewer.session, "ok", done)
            except PaylukError as err:
                sessions().flash(viewer.session, "error", err.message)
            _wake_dispatcher(viewer.ns)
            return redirect(back(**kwargs), 303)

        return public(wrapper)

    return decorate


def _wake_dispatcher(ns) -> None:
    """As the API's after_request does: a namespace with a callback URL gets its due events sent."""
    if ns.recent_state()["webhook"]["url"] is not None:
        dispatcher().wake()


# -- sign-in ---------------------------------------------------------------------------------


def _sign_in_form(cookie: dict, error: str | None = None, status: int = 200):
    cookie = cookie if isinstance(cookie.get("csrf"), str) and "sid" not in cookie else Sessions.fresh()
    html = render_template("console/sign_in.html", csrf=cookie["csrf"], needs_token=bool(_config().control_token),
                           error=error)
    response = make_response(html, status)
    sessions().write(response, request, cookie)
    return response


@bp.get("")
@public
def sign_in_page():
    if _viewer() is not None:
        return redirect(url_for("console.overview"), 303)
    return _sign_in_form(sessions().read(request))


@bp.post("/sign-in")
@public
def sign_in():
    cookie = sessions().read(request)
    if not sessions().csrf_ok(cookie, request.form.get("csrf")):
        return _sign_in_form({}, "The sign-in form had expired. Please try again.", 400)
    token = _config().control_token
    sent = request.form.get("token", "")
    if token and not hmac.compare_digest(sent.encode("utf-8", "replace"), token.encode()):
        return _sign_in_form(cookie, CONTROL_TOKEN_REQUIRED.replace(" (X-Sandbox-Token)", "") + ".", 401)
    key = request.form.get("key", "").strip()
    if not TEST_KEY.match(key):
        return _sign_in_form(cookie, "That is not a sandbox test secret key (sk_test_ followed by letters, "
                                     "digits, _ or -).", 400)
    _store().namespace(key)
    response = redirect(url_for("console.overview"), 303)
    sessions().write(response, request, Sessions.fresh(sessions().start(key)))
    return response


@bp.post("/sign-out")
@public
def sign_out():
    cookie = sessions().read(request)
    if not sessions().csrf_ok(cookie, request.form.get("csrf")):
        return _csrf_refused()
    sessions().end(cookie)
    response = _to_sign_in()
    sessions().forget_cookie(response, request)
    return response


@bp.get("/version")
@public
def version():
    """The poller's question: has the namespace changed since the page was drawn?"""
    viewer = _viewer()
    if viewer is None:
        return envelope(401, "Not signed in to the console")
    with viewer.ns.lock:
        mark = change_mark(viewer.ns)
    return envelope(200, "Console version", {"version": mark})


@bp.get("/static/<path:filename>")
@public
def asset(filename):
    return send_from_directory(STATIC, filename, max_age=300)


# -- overview: clock, counts, invariants, reset, snapshots -------------------------------------------


@bp.get("/overview")
@page
def overview(viewer: Viewer):
    ns = viewer.ns
    with ns.lock:
        clock_now = controls.clock_view(ns)
        problems = invariants.check(ns)
        by_status = {s: ns.page("escrows", 1, 0, Filter(equal={"status": s}))[1] for s in STATUSES}
        counts = {"customers": ns.count("customers"), "escrows": ns.count("escrows"),
                  "webhook events": ns.count("events"), "deliveries": ns.count("deliveries")}
        snapshots = ns.snapshot_list()
    by_state = {state: sum(n for s, n in by_status.items() if STATE_OF_STATUS[s] == state) for state in STATES}
    return viewer.render("overview.html", "console.overview", clock=clock_now, problems=problems,
                         by_status=by_status, by_state=by_state, counts=counts, snapshots=snapshots)


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
    try:
        ms = clock.parse_duration_ms(text)
    except clock.ClockError as err:
        raise BadRequest(str(err)) from None
    due = controls.advance_clock(viewer.ns, ms)
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
    _store().reset(viewer.key)
    return "Namespace reset to its fixtures (the journal and snapshots are kept)"


@bp.post("/snapshots")
@action(_back_to_overview)
def create_snapshot(viewer: Viewer):
    name = load(SNAPSHOT_CREATE, {"name": request.form.get("name", "").strip()})["name"]
    viewer.ns.snapshot_save(name, viewer.ns.now_ms())
    return f"Snapshot {name} saved"


@bp.post("/snapshots/restore")
@action(_back_to_overview)
def restore_snapshot(viewer: Viewer):
    name = request.form.get("name", "")
    if viewer.ns.snapshot_restore(name) is None:
        raise NotFound("Snapshot not found")
    return f"Snapshot {name} restored"


# -- customers ---------------------------------------------------------------------------------


@bp.get("/customers")
@page
def customers(viewer: Viewer):
    ns = viewer.ns
    with ns.lock:
        rows = [{"customer": c, "main": ns.balance(ledger.main_account(c["id"])),
                 "escrow": ns.balance(ledger.escrow_account(c["id"]))} for c in ns.all("customers")]
    return viewer.render("customers.html", "console.customers", rows=rows)


def _names(ns) -> dict:
    return {c["id"]: f"{c['firstname']} {c['lastname']}" for c in ns.all("customers")}


# -- escrows ------------------------------------------------------------------------------------


def _page_number() -> int:
    text = request.args.get("page", "1")
    return max(1, min(int(text), 10**9)) if text.isascii() and text.isdigit() and len(text) < 12 else 1


def _filters() -> dict:
    """The escrow filters from the query; a value outside its list is ignored (shown as "any")."""
    args = request.args
    chosen = {"type": args.get("type") if args.get("type") in (STANDARD, MILESTONE) else None,
              "state": args.get("state") if args.get("state") in STATES else None,
              "status": args.get("status") if args.get("status") in STATUSES else None,
              "party": args.get("party", "").strip().lower() or None}
    return chosen


def _escrow_filter(chosen: dict) -> Filter | None:
    """The escrows the page's choices ask for, or None for "everything"."""
    if not any(chosen.values()):
        return None
    kind, state, status, party = chosen["type"], chosen["state"], chosen["status"], chosen["party"]
    where = Filter.where(status=status)
    if kind is not None:
        where &= Filter(present=("milestones",)) if kind == MILESTONE else Filter(absent=("milestones",))
    if state is not None:
        where &= Filter(among={"status": tuple(s for s, of in STATE_OF_STATUS.items() if of == state)})
    if party is not None:
        where &= Filter(any_field=(("seller_id", "buyer_id"), party))
    return where


def _pages(count: int, number: int) -> dict:
    last = max(1, -(-count // PAGE_SIZE))
    return {"count": count, "page": number, "last": last,
            "previous": number - 1 if number > 1 else None, "next": number + 1 if number < last else None}


@bp.get("/escrows")
@page
def escrows(viewer: Viewer):
    ns, chosen, number = viewer.ns, _filters(), _page_number()
    with ns.lock:
        items, count = ns.page("escrows", number, PAGE_SIZE, _escrow_filter(chosen))
        names = _names(ns)
    query = {k: v for k, v in chosen.items() if v}
    return viewer.render("escrows.html", "console.escrows", escrows=items, names=names, chosen=chosen, query=query,
                         pages=_pages(count, number), statuses=STATUSES, states=STATES)


def _timeline(escrow: dict, names: dict) -> list[dict]:
    """The escrow's life, oldest first, from its own fields: created, paid, each milestone
    released (to whom), each dispute message, closed."""
    def who(customer_id):
        return f"{names.get(customer_id, 'unknown customer')} ({customer_id})"

    items = [(escrow["created_at_ms"], "created",
              f"Created by {who(escrow['seller_id'])}: {escrow['settlement_type']}, {naira(escrow['amount'])}")]
    if escrow["paid_at_ms"] is not None:
        details = escrow["payment_details"] or {}
        paid = (f"Paid by {who(escrow['buyer_id'])}: {naira(details.get('amount', 0))} via "
                f"{details.get('gateway')}, reference {details.get('reference')}")
        items.append((escrow["paid_at_ms"], "paid", paid))
    for milestone in escrow["milestones"]:
        if milestone["released_at_ms"] is not None:
            beneficiary = milestone["customer_id"] or escrow["seller_id"]
            released = (f"Milestone “{milestone['title'] or milestone['id']}” released: "
                        f"{naira(milestone['amount'])} to {who(beneficiary)}")
            items.append((milestone["released_at_ms"], "released", released))
    for entry in escrow["dispute"] or []:
        items.append((clock.parse_iso(entry["created_at"].replace(" ", "T")), "dispute",
                      f"Dispute message from the {entry['type']} ({entry['name']}): {entry['message']}"))
    if escrow["completed_at_ms"] is not None:
        items.append((escrow["completed_at_ms"], "closed", f"Closed as {escrow['status']}"))
    return [{"at_ms": ms, "kind": kind, "text": text}
            for ms, kind, text in sorted(items, key=lambda item: item[0])]


def _legal(escrow: dict, action_name: str) -> bool:
    return (escrow["settlement_type"], escrow["status"], action_name) in TRANSITIONS


def _next_actions(escrow: dict) -> dict:
    """Which buttons the escrow's state allows (the lifecycle table decides)."""
    sides = {entry["type"] for entry in escrow["dispute"] or []}
    return {
        "pay": _legal(escrow, "pay"),
        "confirm_milestone": _legal(escrow, "release_milestone") or _legal(escrow, "complete_milestones"),
        "confirm_payment": _legal(escrow, "confirm_payment"),
        "claim_funds": _legal(escrow, "claim"),
        "dispute": _legal(escrow, "open_dispute") and "buyer" not in sides,
        "reply": _legal(escrow, "reply_dispute") and "seller" not in sides,
        "resolve": _legal(escrow, "resolve_completed"),
    }


@bp.get("/escrows/<escrow_id>")
@page
def escrow_page(viewer: Viewer, escrow_id):
    ns = viewer.ns
    with ns.lock:
        escrow = ns.get("escrows", escrow_id.lower()) if is_object_id(escrow_id) else None
        if escrow is None:
            return viewer.missing("console.escrows", "Escrow not found", "No escrow with this id in your namespace.")
        names = _names(ns)
        postings = [p for p in ns.postings() if p.get("escrow_id") == escrow["id"]]
        events = outbox.list_events(ns, None, escrow["id"])
        event_ids = {e["id"] for e in events}
        deliveries = ns.find("deliveries", Filter(among={"event_id": event_ids}))
        claimable = escrow["paid_at_ms"] is not None and escrow["settlement_type"] == STANDARD
        claim_from = escrow_rules.claim_window_ends_ms(escrow) if claimable else None
    return viewer.render("escrow.html", "console.escrows", escrow=escrow, names=names, postings=postings,
                         events=events, deliveries=deliveries, timeline=_timeline(escrow, names),
                         actions=_next_actions(escrow), claim_from=claim_from, RELEASED=RELEASED,
                         buyers=[(cid, name) for cid, name in names.items() if cid != escrow["seller_id"]])


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
    escrow_rules.confirm_payment(ns, escrow["buyer_id"], escrow["id"])
    return "Delivery confirmed by the buyer: the seller is paid"


def _claim_funds(ns, escrow: dict) -> str:
    escrow_rules.claim_funds(ns, escrow["seller_id"], escrow["payment_token"])
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
    escrow = escrow_rules.escrow_by_id(viewer.ns, escrow_id.lower())
    return ESCROW_ACTIONS[name](viewer.ns, escrow)


# -- ledger -------------------------------------------------------------------------------------


@bp.get("/ledger")
@page
def ledger_page(viewer: Viewer):
    ns, number = viewer.ns, _page_number()
    with ns.lock:
        postings = ns.postings()
        balances = ns.balances()
    postings.reverse()
    start = (number - 1) * PAGE_SIZE
    accounts = sorted((account, amount) for account, amount in balances.items() if amount)
    return viewer.render("ledger.html", "console.ledger_page", postings=postings[start:start + PAGE_SIZE],
                         pages=_pages(len(postings), number), accounts=accounts,
                         total=sum(amount for _, amount in accounts))


# -- webhooks -----------------------------------------------------------------------------------


@bp.get("/webhooks")
@page
def webhooks_page(viewer: Viewer):
    ns, number = viewer.ns, _page_number()
    with ns.lock:
        config = ns.settings("webhook")
        events = ns.all("events")
        deliveries = ns.all("deliveries")
    events.reverse()
    start = (number - 1) * PAGE_SIZE
    shown = events[start:start + PAGE_SIZE]
    by_event = {}
    for delivery in deliveries:
        by_event.setdefault(delivery["event_id"], []).append(delivery)
    rows = [{"event": e, "payload": pretty(payload(e)), "deliveries": by_event.get(e["id"], [])} for e in shown]
    return viewer.render("webhooks.html", "console.webhooks_page", config=config, rows=rows,
                         pages=_pages(len(events), number))


@bp.post("/webhooks/<event_id>/resend")
@action(lambda event_id: url_for("console.webhooks_page"))
def resend_event(viewer: Viewer, event_id):
    event = outbox.resend(viewer.ns, event_id.lower())
    return f"Event {event['type']} ({event['id']}) queued for delivery to {event['url']}"


# -- requests (the journal) -----------------------------------------------------------------------


@bp.get("/requests")
@page
def requests(viewer: Viewer):
    number = _page_number()
    with viewer.ns.lock:
        entries = viewer.ns.journal_entries()
    entries.reverse()
    start = (number - 1) * PAGE_SIZE
    return viewer.render("requests.html", "console.requests", entries=entries[start:start + PAGE_SIZE],
                         pages=_pages(len(entries), number))


@bp.get("/requests/<entry_id>")
@page
def request_page(viewer: Viewer, entry_id):
    with viewer.ns.lock:
        entries = viewer.ns.journal_entries()
    entry = recorder.find(entries, entry_id)
    if entry is None:
        return viewer.missing("console.requests", "Request not found",
                              "No journal entry with this id (it may have dropped off).")
    shown = recorder.render(entry)
    return viewer.render("request.html", "console.requests", entry=shown,
                         request_body=pretty(shown["requestBody"]), response_body=pretty(shown["responseBody"]))
