"""The console's pages, all under /_sandbox/console, for the signed-in key's namespace only
(its buttons are in sandbox/console/actions.py, what both share in sandbox/console/helpers.py).

Pages read the namespace under its lock and render outside it; a page for a missing escrow or
journal entry is a 404 inside the console's layout. `bp` (the one console blueprint, made in
helpers.py) is importable from here as before."""

from flask import redirect, request, send_from_directory, url_for

from sandbox import clock
from sandbox.api.auth import public
from sandbox.api.http import envelope
from sandbox.console.helpers import (
    PAGE_SIZE,
    STATES,
    STATIC,
    Viewer,
    bp,
    change_mark,
    naira,
    page,
    pretty,
    sessions,
    sign_in_form,
    signed_in,
)
from sandbox.controlplane import recorder
from sandbox.controlplane.dispatcher import payload
from sandbox.domain import controls, invariants, ledger, outbox
from sandbox.domain import escrows as escrow_rules  # a page here is named `escrows`
from sandbox.domain.errors import (
    CONSOLE_NO_ESCROW,
    CONSOLE_NO_REQUEST,
    CONSOLE_NOT_SIGNED_IN,
    ESCROW_NOT_FOUND,
    REQUEST_NOT_FOUND,
)
from sandbox.domain.lifecycle import (
    MILESTONE,
    PENDING,
    SPLIT,
    STANDARD,
    STATE_OF_STATUS,
    TRANSITIONS,
    VAULT,
)
from sandbox.domain.lifecycle import STATUSES as API_STATUSES

# The console counts and filters by every status an escrow can reach, [B]'s SPLIT too (the API's
# list filters keep [A]'s statuses).
STATUSES = (*API_STATUSES, SPLIT)
KINDS = (STANDARD, MILESTONE, VAULT)
from sandbox.ids import is_object_id
from sandbox.store.base import Filter

# -- sign-in page, poller, assets ------------------------------------------------------------------


@bp.get("")
@public
def sign_in_page():
    if signed_in() is not None:
        return redirect(url_for("console.overview"), 303)
    return sign_in_form(sessions().read(request))


@bp.get("/version")
@public
def version():
    """The poller's question: has the namespace changed since the page was drawn?"""
    viewer = signed_in()
    if viewer is None:
        return envelope(401, CONSOLE_NOT_SIGNED_IN)
    with viewer.ns.lock:
        mark = change_mark(viewer.ns)
    return envelope(200, "Console version", {"version": mark})


@bp.get("/static/<path:filename>")
@public
def asset(filename):
    return send_from_directory(STATIC, filename, max_age=300)


# -- overview: clock, counts, invariants, snapshots (its buttons: sandbox/console/actions.py) -------


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
        snapshots = controls.list_snapshots(ns)
    by_state = {state: sum(n for s, n in by_status.items() if STATE_OF_STATUS[s] == state) for state in STATES}
    return viewer.render("overview.html", "console.overview", clock=clock_now, problems=problems,
                         by_status=by_status, by_state=by_state, counts=counts, snapshots=snapshots)


# -- customers ---------------------------------------------------------------------------------


@bp.get("/customers")
@page
def customers(viewer: Viewer):
    ns = viewer.ns
    with ns.lock:
        rows = [{"customer": c, "main": ns.balance(ledger.main_account(c["id"])),
                 "escrow": ns.balance(ledger.escrow_account(c["id"]))} for c in ns.all("customers")]
        merchant = {**ns.get_merchant(), "main": ns.balance(ledger.MERCHANT)}
    return viewer.render("customers.html", "console.customers", rows=rows, merchant=merchant)


def _names(ns) -> dict:
    """Who each party id is: the customers, and the merchant (the seller of the escrows it sells
    as its own business account, [B])."""
    merchant = ns.get_merchant()
    return {merchant["id"]: f"{merchant['name']} (merchant)",
            **{c["id"]: f"{c['firstname']} {c['lastname']}" for c in ns.all("customers")}}


# -- escrows ------------------------------------------------------------------------------------


def _page_number() -> int:
    text = request.args.get("page", "1")
    return max(1, min(int(text), 10**9)) if text.isascii() and text.isdigit() and len(text) < 12 else 1


def _filters() -> dict:
    """The escrow filters from the query; a value outside its list is ignored (shown as "any")."""
    args = request.args
    chosen = {"type": args.get("type") if args.get("type") in KINDS else None,
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
    if kind == MILESTONE:
        where &= Filter(present=("milestones",))
    elif kind is not None:  # standard and vault escrows both have no milestones: their type tells them apart
        where &= Filter(absent=("milestones",)) & Filter(equal={"settlement_type": kind})
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

    creator = f" by {who(escrow['seller_id'])}" if escrow["seller_id"] else ""
    items = [(escrow["created_at_ms"], "created",
              f"Created{creator}: {escrow['settlement_type']}, {naira(escrow['amount'])}")]
    if escrow["settlement_type"] == VAULT:
        stakes = ", ".join(f"{who(p['customer_id'])} {naira(p['amount'])}" for p in escrow["participants"])
        items.append((escrow["paid_at_ms"], "paid", f"Staked: {stakes}"))
    elif escrow["paid_at_ms"] is not None:
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
        closed = f"Closed as {escrow['status']}"
        if escrow.get("winner_id"):
            closed += f": the pot less the fee to {who(escrow['winner_id'])}"
        if escrow.get("split"):
            split = escrow["split"]
            closed += (f": {naira(split['seller_amount'])} to the seller, {naira(split['buyer_amount'])} to the "
                       f"buyer, of {naira(split['pool'])} held")
        items.append((escrow["completed_at_ms"], "closed", closed))
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
            return viewer.missing("console.escrows", ESCROW_NOT_FOUND, CONSOLE_NO_ESCROW)
        names = _names(ns)
        postings = [p for p in ns.postings() if p.get("escrow_id") == escrow["id"]]
        events = outbox.list_events(ns, None, escrow["id"])
        event_ids = {e["id"] for e in events}
        deliveries = ns.find("deliveries", Filter(among={"event_id": event_ids}))
        claimable = escrow["paid_at_ms"] is not None and escrow["settlement_type"] == STANDARD
        claim_from = escrow_rules.claim_window_ends_ms(ns, escrow) if claimable else None
    return viewer.render("escrow.html", "console.escrows", escrow=escrow, names=names, postings=postings,
                         events=events, deliveries=deliveries, timeline=_timeline(escrow, names),
                         actions=_next_actions(escrow), claim_from=claim_from, PENDING=PENDING,
                         buyers=[(cid, name) for cid, name in names.items() if cid != escrow["seller_id"]])


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
        return viewer.missing("console.requests", REQUEST_NOT_FOUND, CONSOLE_NO_REQUEST)
    shown = recorder.render(entry)
    return viewer.render("request.html", "console.requests", entry=shown,
                         request_body=pretty(shown["requestBody"]), response_body=pretty(shown["responseBody"]))
