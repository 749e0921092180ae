"""The sandbox console (/_sandbox/console) through the Flask test client, as a browser would
use it: sign in with a key, read every view, press the buttons (CSRF-protected POSTs that run
the API's own domain services), and its security promises: the key never reaches a page, a
URL, a cookie, the journal or a log; cookie flags; CSRF; off with the controls; the control
token; one key never sees another's namespace."""

import logging
import re
from dataclasses import replace
from html import unescape

import pytest

from sandbox import create_app
from sandbox.console.session import COOKIE
from tests.api.test_webhooks import Receiver, wait_for
from tests.conftest import (
    BENEFICIARY,
    BUYER,
    DOCS_MILESTONE_EXAMPLE,
    POOR_BUYER,
    SELLER,
    START,
    UNKNOWN_ID,
    Api,
    InProcessHttp,
    OneKey,
    make_config,
)

PREFIX = "/_sandbox/console"
KEY_A = "sk_test_console_alpha_7Q"
KEY_B = "sk_test_console_bravo_9Z"
MASK_A = "sk_test_co…7Q"
STANDARD_BODY = {"amount": "150000", "purpose": "Console laptop", "whoPays": "both", "maxDelivery": "3",
                 "deliveryTimeline": "days"}
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def console_app(**overrides):
    """An app (create_app registers the console)."""
    return create_app(replace(make_config(), **overrides))


class KeyedHttp(OneKey, InProcessHttp):
    """The API client of one secret key (the conftest helpers send the suite's key)."""


class Browser:
    """A browser stand-in: one cookie jar, and every answer kept for the leak checks."""

    def __init__(self, app):
        self.client = app.test_client()
        self.answers = []
        self.csrf = None

    def get(self, path, **kw):
        return self._keep(self._open("GET", path, **kw))

    def post(self, path, form=None, csrf=True):
        data = dict(form or {})
        if csrf is True:
            data["csrf"] = self.csrf
        elif csrf is not None:
            data["csrf"] = csrf
        return self._keep(self._open("POST", path, data=data))

    def _open(self, method, path, **kw):
        return self.client.open(PREFIX + path, method=method, **kw)

    def _keep(self, response):
        self.answers.append(response)
        found = CSRF_FIELD.search(response.get_data(as_text=True))
        if found:
            self.csrf = found.group(1)
        return response

    def sign_in(self, key, token=None, status=303):
        self.get("")
        form = {"key": key} if token is None else {"key": key, "token": token}
        response = self.post("/sign-in", form)
        assert response.status_code == status, response.get_data(as_text=True)
        if status == 303:
            assert response.headers["Location"] == f"{PREFIX}/overview"
            self.get("/overview")  # picks up the session's CSRF token
        return response

    def act(self, path, form=None) -> str:
        """Press a button: 303 back to a page; answers that page's HTML (with the flash)."""
        response = self.post(path, form)
        assert response.status_code == 303, response.get_data(as_text=True)
        return self.get(response.headers["Location"][len(PREFIX):]).get_data(as_text=True)

    def html(self, path) -> str:
        response = self.get(path)
        assert response.status_code == 200 and response.mimetype == "text/html", (path, response.status_code)
        return response.get_data(as_text=True)


class Workers(Browser):
    """A browser whose requests go to several apps on one store in turn — worker processes behind
    one port, each request on a new connection — with the one cookie jar a browser has."""

    def __init__(self, apps):
        self.clients = [app.test_client(use_cookies=False) for app in apps]
        self.answers, self.csrf, self.cookie, self.served = [], None, None, []

    def _open(self, method, path, worker=None, **kw):
        worker = len(self.served) % len(self.clients) if worker is None else worker
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        response = self.clients[worker].open(PREFIX + path, method=method, headers=headers, **kw)
        self.served.append(worker)
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            if name == COOKIE:
                self.cookie = rest.split(";", 1)[0] or None  # a deleted cookie comes back empty
        return response


def text(html: str) -> str:
    """The page's words, tags dropped, spaces squeezed (so assertions read like the page)."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def flash(html: str) -> str:
    found = re.search(r'data-testid="flash-(ok|error)">(.*?)</p>', html, re.DOTALL)
    return f"{found.group(1)}: {text(found.group(2)).strip()}" if found else ""


@pytest.fixture(params=["memory", "redis"])
def app(request):
    """The console on either store (on Redis: an emptied database of the suite's redis-server),
    closed after the test (its webhook dispatcher stopped)."""
    if request.param == "memory":
        made = console_app()
    else:
        from tests.redis_server import database

        made = console_app(store=database(request.getfixturevalue("redis_url"), 8))
    yield made
    made.close()


@pytest.fixture
def api(app):
    return Api(KeyedHttp(app, KEY_A))


@pytest.fixture
def browser(app):
    b = Browser(app)
    b.sign_in(KEY_A)
    return b


def state(api) -> dict:
    reply = api.http.get("/_sandbox/state")
    return {"state": reply.data["state"], "snapshots": api.http.get("/_sandbox/snapshots").data}


def main_balance(api, customer) -> int:
    return api.wallet(customer)["mainBalance"]


# -- the app serves it ----------------------------------------------------------------------------


def test_create_app_serves_the_console():
    assert "console" in create_app(make_config()).blueprints


# -- sign-in -------------------------------------------------------------------------------------


def test_sign_in_page(app):
    b = Browser(app)
    html = b.html("")
    assert 'id="sign-in-form"' in html and 'name="key"' in html and 'name="token"' not in html
    assert b.csrf


def test_pages_redirect_to_sign_in_when_signed_out(app):
    b = Browser(app)
    for path in ("/overview", "/customers", "/escrows", f"/escrows/{UNKNOWN_ID}", "/ledger", "/webhooks",
                 "/requests", "/requests/1"):
        response = b.get(path)
        assert (response.status_code, response.headers["Location"]) == (303, PREFIX), path
    b.get("")  # a pre-session cookie: its CSRF token is right, but nobody is signed in
    response = b.post("/clock/advance", {"duration": "P1D"})
    assert (response.status_code, response.headers["Location"]) == (303, PREFIX)
    assert b.get("/version").status_code == 401


@pytest.mark.parametrize("key", ["sk_live_console_alpha_7Q", "pk_test_abc", "sk_test_", "sk_test_a b", ""])
def test_sign_in__refuses_what_is_not_a_test_secret_key(app, key):
    b = Browser(app)
    response = b.sign_in(key, status=400)
    assert "not a sandbox test secret key" in text(response.get_data(as_text=True))
    assert f'value="{key}"' not in response.get_data(as_text=True), "the pasted value is not echoed"
    assert b.get("/overview").status_code == 303


def test_sign_in__needs_the_form_token(app):
    b = Browser(app)
    b.get("")
    response = b.post("/sign-in", {"key": KEY_A}, csrf="forged")
    assert response.status_code == 400 and b.get("/overview").status_code == 303


def test_sign_in__a_page_shows_the_masked_key_only(browser):
    html = browser.html("/overview")
    assert MASK_A in html and KEY_A not in html


def test_signed_in_sign_in_page_goes_to_the_overview(browser):
    response = browser.get("")
    assert (response.status_code, response.headers["Location"]) == (303, f"{PREFIX}/overview")


def test_sign_out_forgets_the_session(app, browser):
    cookie = browser.client.get_cookie("payluk_console", path=PREFIX).value
    response = browser.post("/sign-out")
    assert (response.status_code, response.headers["Location"]) == (303, PREFIX)
    assert browser.get("/overview").status_code == 303
    replay = app.test_client()
    replay.set_cookie("payluk_console", cookie, path=PREFIX)
    assert replay.get(f"{PREFIX}/overview").status_code == 303, "a copied cookie is dead after sign-out"


def test_cookie_flags(app):
    b = Browser(app)
    cookies = [b.get("").headers["Set-Cookie"]]
    cookies.append(b.post("/sign-in", {"key": KEY_A}).headers["Set-Cookie"])
    for cookie in cookies:
        parts = {p.strip().split("=")[0].lower(): p.strip() for p in cookie.split(";")}
        assert "httponly" in parts and parts["samesite"] == "SameSite=Strict" and parts["path"] == f"Path={PREFIX}"
        assert "expires" not in parts and "max-age" not in parts, "a browser-session cookie"


def test_cookie_is_secure_over_https(app):
    response = app.test_client().get(PREFIX, base_url="https://localhost")
    assert "; Secure" in response.headers["Set-Cookie"]


def test_pages_carry_security_headers(browser):
    for path in ("", "/overview", "/static/console.css"):
        headers = browser.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"


def test_assets_ship_with_the_package_and_nothing_loads_from_elsewhere(browser):
    css, js = browser.get("/static/console.css"), browser.get("/static/console.js")
    assert css.status_code == js.status_code == 200
    assert css.mimetype == "text/css" and "overflow-x: auto" in css.get_data(as_text=True)
    assert js.mimetype in ("text/javascript", "application/javascript") and "3000" in js.get_data(as_text=True)
    for path in ("", "/overview"):
        html = browser.get(path).get_data(as_text=True)
        assert re.findall(r'(?:src|href)="(?!/)', html) == [], "every asset and link is on this server"
        assert "<script>" not in html and " style=" not in html, "no inline code (the CSP forbids it)"


# -- the views ----------------------------------------------------------------------------------


def test_views_show_the_namespace(api, browser):
    escrow = api.funded_milestone_escrow()
    api.create_escrow(STANDARD_BODY)

    overview = text(browser.html("/overview"))
    assert START in overview and "frozen" in overview and "✓ balanced" in overview
    assert "Customers 5 Escrows 2 Webhook events 5 Deliveries 0" in overview
    assert "OPENED 1" in overview and "AWAITING_PAYMENT 1" in overview

    customers = text(browser.html("/customers"))
    paid = 1_000_000 + 25_000
    assert f"Ada Eze {SELLER} ada.eze@sandbox.payluk.test active ₦0 ₦0" in customers
    assert f"Tunde Bakare {BUYER} tunde.bakare@sandbox.payluk.test active ₦3,975,000 ₦{paid:,}" in customers

    escrows = browser.html("/escrows")
    assert escrows.count('data-testid="escrow-row"') == 2
    assert f'href="{PREFIX}/escrows/{escrow["id"]}"' in escrows and escrow["paymentToken"] in escrows

    page = text(browser.html(f"/escrows/{escrow['id']}"))
    assert "Company website build" in page and "ONGOING (OPENED)" in page
    assert f"Design ₦300,000 Chidi Nwosu {BENEFICIARY} 2026-07-15 PENDING" in page
    assert f"Deployment ₦200,000 Ada Eze {SELLER} (seller)" in page
    assert re.search(r"created Created by .*? MILESTONE, ₦1,000,000", page)
    assert re.search(rf"paid Paid by .*? ₦{paid:,} via WALLET", page)
    assert "escrow_funding" in page and "escrow.ongoing" in page and "released" not in page

    ledger = text(browser.html("/ledger"))
    assert "Total (must be zero) ₦0 ✓ balanced" in ledger and "escrow_funding" in ledger

    webhooks = browser.html("/webhooks")
    assert webhooks.count('data-testid="event"') == 5  # created+pending for each, ongoing for one
    assert '"event": "escrow.ongoing",\n  "data": {\n    "id": "%s"' % escrow["id"] in unescape(webhooks)

    requests = browser.html("/requests")
    assert requests.count('data-testid="request-row"') == 3
    first = re.search(r'data-request-id="(\d+)"', requests).group(1)  # newest first: the standard create
    detail = text(browser.html(f"/requests/{first}"))
    assert "POST /v1/escrow/create" in detail and "Console laptop" in detail and "Created successfully" in detail


def test_escrow_filters_and_pages(api, browser):
    milestone = api.funded_milestone_escrow()
    standards = [api.create_escrow(STANDARD_BODY)["id"] for _ in range(51)]

    def rows(query):
        return re.findall(r'data-escrow-id="(\w+)"', browser.html(f"/escrows?{query}"))

    assert rows("type=MILESTONE") == [milestone["id"]]
    assert rows("state=OPENED") == rows(f"party={BUYER}") == rows("status=ONGOING") == [milestone["id"]]
    assert rows(f"party={SELLER}&type=STANDARD") == standards[::-1][:50]
    assert rows("type=STANDARD&page=2") == [standards[0]]
    assert rows("page=2") == [standards[0], milestone["id"]], "52 in all, 50 a page, newest first"
    assert rows("status=CLAIMED") == [] and len(rows("type=bogus")) == 50, "an unknown value filters nothing"
    assert f'href="{PREFIX}/escrows?page=2&amp;type=STANDARD"' in browser.html("/escrows?type=STANDARD"), \
        "the pager keeps the filter"


def test_unknown_escrow_and_request_are_404_pages(browser):
    for path in (f"/escrows/{UNKNOWN_ID}", "/escrows/not-an-id", "/requests/999", "/requests/x"):
        response = browser.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html", path


# -- the buttons -----------------------------------------------------------------------------------


def test_confirm_milestone(api, browser):
    escrow = api.funded_milestone_escrow()
    design = escrow["milestones"][0]["id"]
    before = main_balance(api, BENEFICIARY)
    page = browser.html(f"/escrows/{escrow['id']}")
    assert page.count('data-testid="action-confirm-milestone"') == 3

    html = browser.act(f"/escrows/{escrow['id']}/confirm-milestone", {"milestone": design})
    assert flash(html) == "ok: Done: Milestone confirmed by the buyer and released"
    assert main_balance(api, BENEFICIARY) == before + 300_000
    assert re.search(rf"released Milestone “Design” released: ₦300,000 to .*?\({BENEFICIARY}\)", text(html))
    assert html.count('data-testid="action-confirm-milestone"') == 2
    assert "milestone_release" in text(html)

    again = browser.act(f"/escrows/{escrow['id']}/confirm-milestone", {"milestone": design})
    assert flash(again) == "error: Refused: Action not allowed"
    assert main_balance(api, BENEFICIARY) == before + 300_000


def test_confirm_every_milestone_closes_the_escrow(api, browser):
    escrow = api.funded_milestone_escrow()
    for milestone in escrow["milestones"]:
        html = browser.act(f"/escrows/{escrow['id']}/confirm-milestone", {"milestone": milestone["id"]})
    assert "COMPLETED (CLOSED)" in text(html) and "closed Closed as COMPLETED" in text(html)
    assert 'data-testid="no-actions"' in html and "✓ balanced" in browser.html("/overview")


def test_pay_from_the_wallet(api, browser):
    escrow = api.create_milestone_escrow()
    poor = browser.act(f"/escrows/{escrow['id']}/pay", {"buyer": POOR_BUYER})
    assert flash(poor) == "error: Refused: Insufficient balance"
    before = main_balance(api, BUYER)
    html = browser.act(f"/escrows/{escrow['id']}/pay", {"buyer": BUYER})
    assert flash(html).startswith("ok: Done: Paid ₦1,025,000 from the buyer's wallet")
    assert main_balance(api, BUYER) == before - 1_025_000
    assert api.verify(escrow["paymentToken"])["status"] == "ONGOING"


def test_standard_escrow_buttons(api, browser):
    confirmed, claimed, disputed = (api.create_escrow(STANDARD_BODY) for _ in range(3))
    for escrow in (confirmed, claimed, disputed):
        api.pay(escrow["id"])
    page = browser.html(f"/escrows/{confirmed['id']}")
    assert all(f'data-testid="action-{name}"' in page for name in ("confirm-payment", "claim-funds", "dispute"))

    html = browser.act(f"/escrows/{confirmed['id']}/confirm-payment")
    assert "COMPLETED (CLOSED)" in text(html)

    early = browser.act(f"/escrows/{claimed['id']}/claim-funds")
    assert flash(early) == "error: Refused: Escrow cannot be claimed yet"
    browser.act("/clock/advance", {"duration": "P3D"})
    assert "CLAIMED (CLOSED)" in text(browser.act(f"/escrows/{claimed['id']}/claim-funds"))

    assert flash(browser.act(f"/escrows/{disputed['id']}/dispute", {"message": " "})).startswith("error: Refused:")
    html = browser.act(f"/escrows/{disputed['id']}/dispute", {"message": "Never arrived"})
    assert "DISPUTED (OPENED)" in text(html) and "from the buyer" in text(html) and "Never arrived" in text(html)
    assert 'data-testid="action-dispute"' not in html
    assert [api.verify(e["paymentToken"])["status"] for e in (confirmed, claimed, disputed)] == [
        "COMPLETED", "CLAIMED", "DISPUTED"]


def test_unknown_action_is_404(api, browser):
    escrow = api.funded_milestone_escrow()
    assert browser.post(f"/escrows/{escrow['id']}/release-everything").status_code == 404


def test_advance_freeze_and_resume_the_clock(api, browser):
    html = browser.act("/clock/advance", {"duration": "P1D"})
    assert flash(html) == "ok: Done: Clock advanced by P1D to 2026-06-23T10:15:00.000Z"
    html = browser.act("/clock/advance", {"duration": "PT1H"})
    assert api.http.get("/_sandbox/clock").data["now"] == "2026-06-23T11:15:00.000Z"
    assert "2026-06-23T11:15:00.000Z" in text(html)
    html = browser.act("/clock/advance", {"duration": "3 days"})
    assert flash(html).startswith("error: Refused: not an ISO-8601 duration")
    assert api.http.get("/_sandbox/clock").data["now"] == "2026-06-23T11:15:00.000Z"
    assert 'data-testid="clock-resume"' in html
    html = browser.act("/clock/resume")
    assert 'data-testid="clock-freeze"' in html and api.http.get("/_sandbox/clock").data["frozen"] is False
    html = browser.act("/clock/freeze")
    assert "frozen" in text(html) and api.http.get("/_sandbox/clock").data["frozen"] is True


def test_advance_reports_what_fell_due(api, browser):
    api.pay(api.create_escrow(STANDARD_BODY)["id"])
    html = browser.act("/clock/advance", {"duration": "P3D"})
    assert flash(html).endswith("fell due: 1× escrow.claimable")


def test_snapshot_restore_and_reset(api, browser):
    assert flash(browser.act("/snapshots", {"name": "clean"})) == "ok: Done: Snapshot clean saved"
    assert flash(browser.act("/snapshots", {"name": "no spaces"})).startswith("error: Refused:")
    escrow = api.create_milestone_escrow()
    assert escrow["id"] in browser.html("/escrows")
    html = browser.act("/snapshots/restore", {"name": "clean"})
    assert flash(html) == "ok: Done: Snapshot clean restored" and "Escrows 0" in text(html)
    assert flash(browser.act("/snapshots/restore", {"name": "nope"})) == "error: Refused: Snapshot not found"
    api.create_milestone_escrow()
    browser.act("/clock/advance", {"duration": "P1D"})
    api.http.put("/_sandbox/webhook", json={"url": "https://hooks.example/kept"})
    html = browser.act("/reset")
    assert "Escrows 0" in text(html) and START in text(html)
    assert [s["name"] for s in api.http.get("/_sandbox/snapshots").data] == ["clean"], "snapshots stay"
    assert api.http.get("/_sandbox/webhook").data["url"] == "https://hooks.example/kept", "settings stay, as the API's reset"


def test_resend_a_webhook(api, browser):
    receiver = Receiver()
    try:
        assert api.http.put("/_sandbox/webhook", json={"url": receiver.url}).status == 200
        escrow = api.create_milestone_escrow()
        wait_for(lambda: len(receiver.received) == 2)
        event = api.http.get(f"/_sandbox/events?escrowId={escrow['id']}&type=escrow.created").data["data"][0]
        wait_for(lambda: 'data-testid="delivery-status">200<' in browser.html("/webhooks"))
        html = browser.act(f"/webhooks/{event['id']}/resend")
        assert flash(html).startswith(f"ok: Done: Event escrow.created ({event['id']}) queued for delivery")
        wait_for(lambda: len(receiver.received) == 3)
        assert receiver.received[2]["body"] == receiver.received[0]["body"]
        wait_for(lambda: browser.html("/webhooks").count('data-testid="delivery-row"') == 3)
        html = browser.html("/webhooks")
        signature = receiver.received[2]["headers"]["x-payluk-signature"]
        assert html.count(signature) == 2, "each delivery shows the signature header it carried"
    finally:
        receiver.close()
    missing = browser.act(f"/webhooks/{UNKNOWN_ID}/resend")
    assert flash(missing) == "error: Refused: Event not found"


def test_resend_without_a_callback_url_is_refused(api, browser):
    api.create_milestone_escrow()
    event = api.http.get("/_sandbox/events").data["data"][0]
    html = browser.act(f"/webhooks/{event['id']}/resend")
    assert flash(html) == "error: Refused: No webhook URL is set for this namespace"


def test_invariant_failure_is_shown_in_words(monkeypatch, browser):
    from sandbox.console import views

    monkeypatch.setattr(views.invariants, "check", lambda ns: ["balances sum to 5 kobo, not zero"])
    overview = text(browser.html("/overview"))
    assert "✗ broken balances sum to 5 kobo, not zero" in overview and "balanced" not in overview


# -- CSRF ---------------------------------------------------------------------------------------------


def _buttons(api) -> list:
    escrow = api.funded_milestone_escrow()
    event = api.http.get("/_sandbox/events").data["data"][0]["id"]
    return [("/clock/advance", {"duration": "P1D"}), ("/clock/freeze", {}), ("/clock/resume", {}), ("/reset", {}),
            ("/snapshots", {"name": "s"}), ("/snapshots/restore", {"name": "s"}),
            (f"/escrows/{escrow['id']}/confirm-milestone", {"milestone": escrow["milestones"][0]["id"]}),
            (f"/escrows/{escrow['id']}/pay", {"buyer": BUYER}), (f"/webhooks/{event}/resend", {}),
            ("/sign-out", {})]


def test_every_button_needs_the_csrf_token(app, api, browser):
    buttons = _buttons(api)
    api.http.post("/_sandbox/clock/resume")  # a running clock: a refused freeze would show
    before = state(api)
    for path, form in buttons:
        for sent in (None, "", "forged-token", browser.csrf + "x"):
            response = browser.post(path, form, csrf=sent)
            assert response.status_code == 400, (path, sent)
            assert "security token did not match" in text(response.get_data(as_text=True))
    assert state(api) == before, "a refused button changed nothing"
    assert api.http.get("/_sandbox/clock").data["frozen"] is False
    assert browser.get("/overview").status_code == 200, "still signed in"
    for path, form in buttons:  # the same buttons with the token go through
        assert browser.post(path, form).status_code == 303, path


def test_csrf_token_is_per_session(app, api, browser):
    other = Browser(app)
    other.sign_in(KEY_A)
    assert other.csrf != browser.csrf
    assert other.post("/clock/advance", {"duration": "P1D"}, csrf=browser.csrf).status_code == 400


# -- isolation, controls switch, control token, secrets -------------------------------------------------


def test_a_second_key_sees_only_its_own_namespace():
    app = console_app(seed=None)  # seeded namespaces would mint the same ids in both
    mine = Api(KeyedHttp(app, KEY_A)).create_milestone_escrow({**DOCS_MILESTONE_EXAMPLE, "purpose": "Alpha secret"})
    mine_browser, other = Browser(app), Browser(app)
    mine_browser.sign_in(KEY_A)
    other.sign_in(KEY_B)
    theirs = Api(KeyedHttp(app, KEY_B)).create_escrow({**STANDARD_BODY, "purpose": "Bravo public"})
    pages = "".join(other.html(p) for p in ("/overview", "/customers", "/escrows", "/ledger", "/webhooks", "/requests"))
    assert "Bravo public" in pages and theirs["id"] in pages
    assert "Alpha secret" not in pages and mine["id"] not in pages and mine["paymentToken"] not in pages
    assert other.get(f"/escrows/{mine['id']}").status_code == 404
    refused = other.act(f"/escrows/{mine['id']}/confirm-milestone", {"milestone": mine["milestones"][0]["id"]})
    assert flash(refused) == "error: Refused: Escrow not found"
    assert "Alpha secret" in mine_browser.html("/escrows") and "Bravo public" not in mine_browser.html("/escrows")


def _every_console_url(app):
    """(method, url) of every console route, with sample path values."""
    adapter = app.url_map.bind("localhost")
    samples = {"escrow_id": UNKNOWN_ID, "event_id": UNKNOWN_ID, "entry_id": "1", "filename": "console.css",
               "name": "pay"}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield method, adapter.build(rule.endpoint, {k: samples[k] for k in rule.arguments}, method=method)


def test_console_is_gone_when_controls_are_off():
    app = console_app(controls=False)
    client = app.test_client()
    urls = list(_every_console_url(app))
    assert len(urls) >= 20
    for method, url in urls:
        response = client.open(url, method=method, data={"key": KEY_A})
        assert (response.status_code, response.get_json()) == (404, {"status": 404, "message": "Route not found",
                                                                      "data": {}}), url


def test_control_token_is_asked_for_when_configured():
    app = console_app(control_token="s3cret-✓")
    b = Browser(app)
    assert 'name="token"' in b.html("")
    for token in (None, "", "wrong", "s3cret-"):
        response = b.sign_in(KEY_A, token=token, status=401)
        assert "Sandbox control token required" in response.get_data(as_text=True)
        assert b.get("/overview").status_code == 303
    b.sign_in(KEY_A, token="s3cret-✓")
    assert MASK_A in b.html("/overview")


def test_the_key_appears_nowhere(app, api, browser, caplog):
    caplog.set_level(logging.DEBUG)
    receiver = Receiver()
    try:
        api.http.put("/_sandbox/webhook", json={"url": receiver.url})
        escrow = api.funded_milestone_escrow()
        browser.act(f"/escrows/{escrow['id']}/confirm-milestone", {"milestone": escrow["milestones"][0]["id"]})
        wait_for(lambda: len(receiver.received) == 3)  # created, pending, ongoing
    finally:
        receiver.close()
    browser.act("/clock/advance", {"duration": "PT1H"})
    pages = ["", "/overview", "/customers", "/escrows", f"/escrows/{escrow['id']}", "/ledger", "/webhooks",
             "/requests", "/version", "/static/console.js"]
    for path in pages:
        browser.get(path)
    for entry_id in re.findall(r'data-request-id="(\d+)"', browser.html("/requests")):
        browser.html(f"/requests/{entry_id}")
    browser.post("/sign-out")
    secret = KEY_A[len("sk_test_"):]
    for response in browser.answers:
        seen = [response.get_data(as_text=True), response.headers.get("Location", ""),
                *response.headers.getlist("Set-Cookie")]
        for value in seen:
            assert secret not in value, response.request.path
    assert secret not in caplog.text
    journal = api.http.get("/_sandbox/requests?limit=1000").data["data"]
    assert journal and not any(e["path"].startswith(PREFIX) for e in journal), "console requests are not journaled"


# -- several workers, one store -------------------------------------------------------------------------


def test_two_workers_on_one_redis_share_sign_in_flashes_and_sign_out(redis_url):
    """Two apps on one Redis database are two worker processes: each request goes to the other one
    (the sign-in page from one, its form to the other), and the signed-in session, its flash
    messages and its end hold for both."""
    from tests.redis_server import database

    url = database(redis_url, 10)
    apps = [console_app(store=url), console_app(store=url)]
    try:
        browser = Workers(apps)
        browser.sign_in(KEY_A)  # page from worker 0, form to worker 1, overview from worker 0
        for path in ("/overview", "/customers", "/escrows", "/ledger", "/webhooks", "/requests", "/version"):
            assert browser.get(path).status_code == 200, path
        html = browser.act("/clock/advance", {"duration": "P1D"})  # the button on one, the page on the other
        assert flash(html).startswith("ok: Done: Clock advanced by P1D")
        assert flash(browser.html("/overview")) == "", "a flash shows once, whichever worker shows it"
        assert set(browser.served) == {0, 1} and MASK_A in html

        cookie = browser.cookie
        assert browser.post("/sign-out").status_code == 303 and browser.cookie is None
        for worker in (0, 1):  # the signed-out cookie replayed on either worker
            browser.cookie = cookie
            response = browser.get("/overview", worker=worker)
            assert (response.status_code, response.headers["Location"]) == (303, PREFIX), worker
    finally:
        for app in apps:
            app.close()


def test_a_page_reads_its_session_once_and_the_api_never(app, api, browser, monkeypatch):
    store, calls = app.extensions["sandbox"].store, []
    for name in ("console_session_start", "console_session", "console_session_flash", "console_session_take_flashes",
                 "console_session_end", "console_secret"):
        method = getattr(store, name)
        monkeypatch.setattr(store, name, lambda *args, _method=method, _name=name: calls.append(_name) or _method(*args))

    for path in ("/overview", f"/escrows/{UNKNOWN_ID}", "/version"):
        browser.get(path)
    assert calls == ["console_session"] * 3
    calls.clear()
    escrow = api.funded_milestone_escrow()
    api.confirm(escrow["id"], escrow["milestones"][0]["id"])
    api.wallet(BUYER)
    api.http.get("/_sandbox/state")
    assert calls == [], "the API's requests never touch a console session"
    browser.act("/clock/advance", {"duration": "PT1H"})
    assert calls == ["console_session", "console_session_flash",  # the button
                     "console_session", "console_session_take_flashes"]  # the page it leads to, with its flash


# -- live updates ------------------------------------------------------------------------------------


def test_version_changes_when_the_namespace_does(api, browser):
    def version():
        reply = browser.get("/version")
        assert reply.status_code == 200
        return reply.get_json()["data"]["version"]

    first = version()
    shown = re.search(r'data-version="(\w+)"', browser.html("/overview")).group(1)
    assert first == shown == version(), "reading pages changes nothing"
    api.create_milestone_escrow()
    after_create = version()
    assert after_create != first
    assert version() == after_create
    browser.act("/clock/advance", {"duration": "PT1M"})
    assert version() != after_create


def test_a_change_while_a_page_is_drawn_makes_the_poller_reload_it(app, browser):
    """A page carries the change mark taken before it reads what it shows: a change that lands in
    between (another worker's webhook delivery) leaves the page's mark behind, so the poller
    reloads it. Taken after the read, the page would show the old data under the new mark and
    never reload (the browser test of a resend on 2 workers met it)."""
    ns = app.extensions["sandbox"].store.namespace(KEY_A)
    read = ns.all

    def read_then_change(kind):
        found = read(kind)
        if kind == "deliveries":
            ns.new_id()  # a write meanwhile (the view holds the lock: this thread may)
        return found

    ns.all = read_then_change
    try:
        shown = re.search(r'data-version="(\w+)"', browser.html("/webhooks")).group(1)
    finally:
        del ns.all
    assert browser.get("/version").get_json()["data"]["version"] != shown


def test_dispute_answer_and_ruling_buttons(api, browser):
    """The seller answers once; the merchant (the key holder) rules: pay or refund."""
    paid, refunded = (api.create_escrow(STANDARD_BODY) for _ in range(2))
    for escrow in (paid, refunded):
        api.pay(escrow["id"])
        browser.act(f"/escrows/{escrow['id']}/dispute", {"message": "Never arrived"})
    page = browser.html(f"/escrows/{paid['id']}")
    assert all(f'data-testid="action-{name}"' in page for name in ("reply", "resolve-completed", "resolve-refunded"))

    html = browser.act(f"/escrows/{paid['id']}/reply", {"message": "Shipped on Monday"})
    assert flash(html) == "ok: Done: The seller answered the dispute"
    assert "INVESTIGATING (OPENED)" in text(html) and 'data-testid="action-reply"' not in html
    assert flash(browser.act(f"/escrows/{paid['id']}/resolve", {"resolution": "", "status": "COMPLETED"})).startswith(
        "error: Refused:")
    seller_before, buyer_before = main_balance(api, SELLER), main_balance(api, BUYER)
    html = browser.act(f"/escrows/{paid['id']}/resolve", {"resolution": "Proof of delivery", "status": "COMPLETED"})
    assert flash(html) == "ok: Done: Dispute resolved by the merchant: COMPLETED"
    assert "COMPLETED (CLOSED)" in text(html) and 'data-testid="no-actions"' in html
    assert main_balance(api, SELLER) > seller_before

    html = browser.act(f"/escrows/{refunded['id']}/resolve", {"resolution": "No proof", "status": "REFUNDED"})
    assert flash(html) == "ok: Done: Dispute resolved by the merchant: REFUNDED"
    assert main_balance(api, BUYER) == buyer_before + 151_875  # all the buyer paid: 150,000 + half the 3,750 fee
    assert [api.verify(e["paymentToken"])["status"] for e in (paid, refunded)] == ["COMPLETED", "REFUNDED"]


def test_the_profile_shows_on_every_page_and_can_be_chosen(api, browser):
    html = browser.html("/overview")
    assert 'data-testid="profile-tag"' in html and "API 2026-06" in text(html)
    assert "the server's default" in text(html)
    html = browser.act("/profile", {"profile": "2026-10"})
    assert flash(html) == "ok: Done: API profile 2026-10 (chosen for this namespace)"
    assert api.http.get("/_sandbox/profile").data["profile"] == "2026-10"
    assert "API 2026-10" in text(browser.html("/customers"))
    html = browser.act("/profile", {"profile": "2027-01"})
    assert flash(html) == 'error: Refused: "profile" must be one of [2026-06, 2026-10]'
    html = browser.act("/profile", {"profile": ""})
    assert flash(html) == "ok: Done: API profile 2026-06 (the fixture or server default)"
    assert api.http.get("/_sandbox/profile").data["source"] == "server"


def test_vault_escrows_splits_and_the_merchant_wallet(api, browser):
    """Profile 2026-10 on the console: a vault's participants and winner, a SPLIT ruling, the
    merchant wallet and its commission."""
    http = api.http
    assert http.put("/_sandbox/profile", json={"profile": "2026-10"}).status == 200
    http.profiles[KEY_A] = "2026-10"
    assert http.put("/_sandbox/merchant", json={"commission": 1}).status == 200
    later = Api(http, later=True)
    vault = later._expect(http.post("/v1/escrow/vault/create", json={
        "purpose": "Office pool", "participants": [{"customerId": BUYER, "amount": 600000},
                                                   {"customerId": POOR_BUYER, "amount": 5000}]}), 201)
    assert http.post(f"/v1/escrow/vault/winner/{vault['paymentToken']}", json={"winnerId": BUYER}).status == 200
    page = text(browser.html(f"/escrows/{vault['id']}"))
    assert "Participants" in page and "winner" in page and "Staked: " in page
    assert "the pot less the fee to Tunde Bakare" in page
    assert [e["id"] for e in later.http.get("/v1/escrow/feeds").data["data"]] == [vault["id"]]
    assert vault["id"] in browser.html("/escrows?type=VAULT") and vault["id"] not in browser.html("/escrows?type=STANDARD")

    escrow = later.create_escrow()
    later.pay(escrow["id"])
    http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=BUYER, json={"message": "Broken"})
    ruling = http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}", json={
        "resolution": "Half each", "status": "SPLIT", "sellerAmount": 73875, "buyerAmount": 73875})
    assert ruling.status == 200, ruling.body
    page = text(browser.html(f"/escrows/{escrow['id']}"))
    # 150,000 less the seller's half of the 4,500 fee (2 % + 1 % commission) is held
    assert "Split ₦73,875 to the seller, ₦73,875 to the buyer, of ₦147,750 held" in page
    assert "(the merchant's commission: ₦1,500)" in page and "Closed as SPLIT: ₦73,875 to the seller" in page
    merchant = http.get("/v1/merchant/balance").data["mainBalance"]
    assert "Merchant wallet Sandbox Merchant Ltd" in text(browser.html("/customers"))
    assert f"Sandbox Merchant Ltd 665f1b2c9a1e4d0012ab3c01 : ₦{merchant:,}" in text(browser.html("/customers"))
