"""What every console page and button shares: the blueprint and its guards (controls switch,
security headers), the signed-in `Viewer`, the `page` and `action` decorators, and the
formatting helpers the templates use (naira, at, tone, pretty, change_mark).

Pages (sandbox/console/views.py) read the namespace under its lock and render outside it.
Buttons (sandbox/console/actions.py) are POST forms with the CSRF token; each runs one domain
service (the very functions the API views call) under the lock, flashes the outcome (a refusal
is the service's own message) and redirects back with a 303. Console requests carry no `g.ns`,
so the request journal never records them (and the key they are signed in with cannot reach it)."""

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape

from sandbox import clock
from sandbox.api.auth import public
from sandbox.api.webhooks import dispatcher
from sandbox.console.session import Sessions, mask
from sandbox.domain import profiles
from sandbox.domain.errors import (
    CONSOLE_CSRF_REFUSED,
    CONSOLE_FORM_REFUSED,
    ROUTE_NOT_FOUND,
    NotFound,
    PaylukError,
)
from sandbox.domain.lifecycle import STATE_OF_STATUS
from sandbox.domain.money import kobo_to_wire
from sandbox.schemas.base import wire_number

bp = Blueprint("console", __name__, url_prefix="/_sandbox/console")

STATIC = Path(__file__).resolve().parent / "static"
PAGE_SIZE = 50
NAV = (("console.overview", "Overview"), ("console.customers", "Customers"), ("console.escrows", "Escrows"),
       ("console.ledger_page", "Ledger"), ("console.webhooks_page", "Webhooks"), ("console.requests", "Requests"))
STATES = tuple(dict.fromkeys(STATE_OF_STATUS.values()))
TONES = {"ok": ("COMPLETED", "CLAIMED", "RELEASED", "DELIVERED", "SUCCESS", "active", "STAKED"),
         "warn": ("DISPUTED", "INVESTIGATING", "REFUNDED", "SPLIT", "SENDING"),
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


def store():
    return current_app.extensions["sandbox"].store


def config():
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
    if not config().controls:
        raise NotFound(ROUTE_NOT_FOUND)


@bp.after_request
def security_headers(response):
    response.headers.update(HEADERS)
    # Which worker process answered (as /healthz says): with several workers or replicas, which one
    # served a page is visible in the browser's network panel (and the browser tests check both do).
    response.headers["X-Sandbox-Worker"] = str(os.getpid())
    return response


@dataclass
class Viewer:
    """The signed-in person's cookie, session and namespace for one request."""

    cookie: dict
    session: dict
    key: str
    ns: object
    # The page's change mark and profile, taken before the page reads its data (`page`): a change
    # that lands while it is drawn makes the poller reload it again. Taken after, such a change
    # would be in the mark and not on the page, and the poller would never reload it.
    version: str | None = None
    profile: dict | None = None

    def look(self) -> None:
        with self.ns.lock:
            self.version = change_mark(self.ns)
            self.profile = profiles.describe(self.ns)

    def render(self, template: str, active: str, **context):
        if self.version is None:
            self.look()
        version, profile = self.version, self.profile
        csrf = self.cookie["csrf"]
        return render_template(
            f"console/{template}", nav=NAV, active=active, key_mask=mask(self.key), csrf=csrf, profile=profile,
            csrf_input=Markup(f'<input type="hidden" name="csrf" value="{escape(csrf)}">'),
            flashes=sessions().take_flashes(self.session), version=version, naira=naira, at=at, tone=tone,
            **context)

    def missing(self, active: str, title: str, message: str):
        """A 404 inside the console's layout (the flash of a refused button still shows)."""
        return self.render("missing.html", active, title=title, message=message), 404


def signed_in() -> Viewer | None:
    """The request's signed-in Viewer, or None (no session, or a cookie without its CSRF token)."""
    cookie = sessions().read(request)
    session = sessions().get(cookie)
    if session is None or "csrf" not in cookie:
        return None
    return Viewer(cookie, session, session["key"], store().namespace(session["key"]))


def to_sign_in():
    return redirect(url_for("console.sign_in_page"), 303)


def message_page(status: int, title: str, text: str):
    return render_template("console/message.html", status=status, title=title, message=text), status


def csrf_refused():
    return message_page(400, CONSOLE_FORM_REFUSED, CONSOLE_CSRF_REFUSED)


def page(view):
    """A GET page: signed in, or redirected to the sign-in page."""

    @functools.wraps(view)
    def wrapper(**kwargs):
        viewer = signed_in()
        if viewer is None:
            return to_sign_in()
        viewer.look()  # before the view reads what it shows (`Viewer.version`)
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
                return csrf_refused()
            viewer = signed_in()
            if viewer is None:
                return to_sign_in()
            try:
                with viewer.ns.lock:
                    done = view(viewer, **kwargs)
                sessions().flash(viewer.session, "ok", done)
            except PaylukError as err:
                sessions().flash(viewer.session, "error", err.message)
            wake_dispatcher(viewer.ns)
            return redirect(back(**kwargs), 303)

        return public(wrapper)

    return decorate


def wake_dispatcher(ns) -> None:
    """As the API's after_request does: a namespace with a callback URL gets its due events sent."""
    if ns.recent_state()["webhook"]["url"] is not None:
        dispatcher().wake()


def sign_in_form(cookie: dict, error: str | None = None, status: int = 200):
    """The sign-in page (a refusal's `error` shown on it), with a fresh CSRF cookie unless the
    sign-in cookie already carries one."""
    cookie = cookie if isinstance(cookie.get("csrf"), str) and "sid" not in cookie else Sessions.fresh()
    html = render_template("console/sign_in.html", csrf=cookie["csrf"], needs_token=bool(config().control_token),
                           error=error)
    response = make_response(html, status)
    sessions().write(response, request, cookie)
    return response

