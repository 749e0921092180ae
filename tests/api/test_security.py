"""Security of a shared sandbox: keys, namespaces, controls, secrets and crashes.

* Authentication: every keyed route (`ROUTES`) refuses a header that is not `Bearer <token>`
  (401 `No token provided`) and any token that is not a test secret key — live, publishable,
  garbage, too long, injected — (403 `Unauthorized Access`), before touching any namespace
  (none is created for the refused key).
* Isolation: with a second key B, every keyed route called with key A's ids and bodies either
  refuses (not found) or answers B's own data; A's export is byte for byte unchanged and no
  answer to B holds one of A's ids.
* Controls: switched off (config, and `SANDBOX_CONTROLS=off` on a real server) every
  `/_sandbox` control answers 404 `Route not found` while `/v1` still works; behind a control
  token every control refuses without it (wrong, missing or non-ASCII tokens: 401, never a
  500) and works with it.
* Secrets: after a run of calls carrying a distinctive key (in the header, and pasted into a
  path, a query, `customer-id`, a scenario name, a refused body, a fork target), the key text
  appears nowhere: not in the journal list or its entries, the events, the webhook deliveries,
  what the receiver got, the state export, the ledger, nor the server's stdout/stderr. Payluk
  itself puts the secret key in one place only: it is the HMAC key of `x-payluk-signature`,
  which is checked to verify with it.
* Crashes: an unexpected exception answers the generic 500 envelope; its message, file paths
  and traceback go to the server log only. Text shown on the sandbox's HTML pages is escaped.
"""

import hashlib
import hmac
import json
import logging
import re
import subprocess
import sys
from dataclasses import replace
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from sandbox import create_app
from tests.api.test_bad_input_sweep import SPECS, assert_refused, build_world, exported
from tests.api.test_cross_cutting import ROUTES
from tests.api.test_webhooks import Receiver, wait_for
from tests import processes
from tests.conftest import (
    BACKENDS, BUYER, DOCS_MILESTONE_EXAMPLE, KEY, ROOT, SELLER, Api, InProcessHttp, backend_config, make_config, pay_body, running_server,
)

CONTROL_ROUTES = [(m, p) for m, p in ROUTES if p.startswith("/_sandbox/")]
V1_ROUTES = [(m, p) for m, p in ROUTES if p.startswith("/v1/")]
TOKEN_REQUIRED = "Sandbox control token required (X-Sandbox-Token)"


def ids(routes):
    return [f"{m} {p.split('?')[0]}" for m, p in routes]


ROUTE_IDS = ids(ROUTES)


def namespaces(http) -> int:
    return http.get("/readyz", key=None).data["namespaces"]


# -- authentication -----------------------------------------------------------------------------

NOT_BEARER = {  # -> 401 No token provided
    "bare scheme": "Bearer",
    "scheme and spaces": "Bearer   ",
    "no space": "Bearersk_test_abc",
    "tab instead of space": "Bearer\tsk_test_abc",
    "basic": "Basic c2tfdGVzdF9hYmM6",
    "token scheme": "Token sk_test_abc",
    "key without scheme": "sk_test_abc",
}
NOT_A_TEST_KEY = {  # -> 403 Unauthorized Access
    "live key": "Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "publishable key": "Bearer pk_test_abc",
    "empty suffix": "Bearer sk_test_",
    "201-character suffix": "Bearer sk_test_" + "a" * 201,
    "very long key": "Bearer sk_test_" + "a" * 10_000,
    "two tokens": "Bearer sk_test_abc sk_test_def",
    "doubled scheme": "Bearer Bearer sk_test_abc",
    "joined doubled header": "Bearer sk_test_abc, Bearer sk_test_abc",
    "null": "Bearer null",
    "script": "Bearer sk_test_<script>",
    "sql": "Bearer sk_test_' OR '1'='1",
    "non-ascii": "Bearer sk_test_åbc",
    "percent-encoded": "Bearer sk_test_%61bc",
}


@pytest.fixture(scope="module")
def client():
    http = InProcessHttp(create_app(make_config()))
    yield http
    http.app.close()


@pytest.mark.parametrize("header", list({**NOT_BEARER, **NOT_A_TEST_KEY}.values()),
                         ids=list({**NOT_BEARER, **NOT_A_TEST_KEY}))
@pytest.mark.parametrize("method, path", ROUTES, ids=ROUTE_IDS)
def test_auth__refused_before_any_namespace(client, method, path, header):
    status, message = (401, "No token provided") if header in NOT_BEARER.values() else (403, "Unauthorized Access")
    before = namespaces(client)
    reply = client.request(method, path, key=None, customer=BUYER, headers={"Authorization": header}, json={})
    assert_refused(reply, status, message)
    assert namespaces(client) == before, "a refused key got a namespace"


@pytest.mark.parametrize("header", ["bearer sk_test_lowercase", "BEARER sk_test_uppercase",
                                    "Bearer  sk_test_two_spaces ", "Bearer sk_test_" + "a" * 200])
def test_auth__scheme_is_case_insensitive_and_spaces_trimmed(client, header):
    """RFC 7235 §2.1: the scheme is case-insensitive (passport-http-bearer, what Node services
    use, matches /^Bearer$/i); a 200-character suffix is the longest key."""
    reply = client.get("/v1/wallet", key=None, customer=BUYER, headers={"Authorization": header})
    assert reply.status == 200, reply.body


# -- one namespace cannot reach another -----------------------------------------------------------

INTRUDER = "sk_test_intruder"
# Answers outside the envelope by design (Pact's verifiers read their top-level keys).
UNENVELOPED = {"/_sandbox/pact/provider-states"}


@pytest.fixture(scope="module", params=BACKENDS)
def pair(request):
    """Key A (the suite's key) with the sweep's world of entities; key B seeded differently,
    so nothing B makes can carry one of A's ids. On each store."""
    http = InProcessHttp(create_app(backend_config(request, request.param, 7)))
    world = build_world(http)
    secrets = {world.customer, world.category, world.address, world.reference, world.event}
    for escrow in (world.std, world.ms, world.funded, world.disputed, world.fms):
        secrets |= {escrow["id"], escrow["paymentToken"], *(m["id"] for m in escrow["milestones"])}
    yield http, world, secrets
    http.app.close()


@pytest.mark.parametrize("method, template", ROUTES, ids=ROUTE_IDS)
def test_namespaces__b_cannot_read_or_write_a(pair, method, template):
    http, world, secrets = pair
    spec = SPECS[(method, template)]
    assert http.post("/_sandbox/reset", key=INTRUDER, json={"seed": 99}).status == 200
    assert http.request("DELETE", "/_sandbox/requests", key=INTRUDER).status == 200  # what B sent before
    as_b = replace(world, export=http.get("/_sandbox/state", key=INTRUDER).data)  # B imports only its own state
    before = exported(http)
    path = spec.path.format(w=world) + (f"?{urlencode(spec.query)}" if spec.query else "")
    reply = http.request(method, path, key=INTRUDER, customer=spec.customer,
                         json=spec.body(as_b) if spec.body else None)
    assert reply.status < 500, reply.body
    if template not in UNENVELOPED:
        assert list(reply.body) == ["status", "message", "data"], reply.body
    assert exported(http) == before, f"key B's {method} {template} changed key A's namespace"
    leaked = [value for value in secrets if value in json.dumps(reply.body)]
    assert leaked == [], f"key B was answered key A's {leaked}"
    if spec.missing:
        assert reply.status in (400, 403, 404), reply.body


def test_namespaces__b_can_fork_but_not_overwrite_a(pair):
    """`/_sandbox/fork` writes another key's namespace by design; it refuses an existing one
    unless told `replace` — and the target key itself is the credential for that namespace."""
    http, _, _ = pair
    before = exported(http)
    reply = http.post("/_sandbox/fork", key=INTRUDER, json={"key": KEY})
    assert_refused(reply, 400, "That key already has a namespace; send replace: true to overwrite it")
    assert exported(http) == before


# -- the controls: off, or behind a token ---------------------------------------------------------


@pytest.fixture(scope="module")
def controls_off():
    http = InProcessHttp(create_app(make_config(controls=False)))
    yield http
    http.app.close()


@pytest.mark.parametrize("method, path", CONTROL_ROUTES, ids=ids(CONTROL_ROUTES))
def test_controls_off__every_control_is_gone(controls_off, method, path):
    assert_refused(controls_off.request(method, path, customer=BUYER, json={}), 404, "Route not found")
    assert controls_off.get("/v1/wallet", customer=BUYER).status == 200


def test_controls_off__on_a_real_server(monkeypatch):
    monkeypatch.setenv("SANDBOX_CONTROLS", "off")
    with running_server() as url:
        auth = {"Authorization": "Bearer sk_test_controls_off"}
        for method, path in CONTROL_ROUTES[:6]:
            reply = requests.request(method, url + path, headers=auth, json={}, timeout=10)
            assert (reply.status_code, reply.json()) == (404, {"status": 404, "message": "Route not found", "data": {}})
        assert requests.get(url + "/v1/wallet", headers={**auth, "customer-id": BUYER}, timeout=10).status_code == 200


@pytest.fixture(scope="module")
def guarded():
    http = InProcessHttp(create_app(make_config(control_token="s3cret-Token")))
    yield http
    http.app.close()


def guarded_state(http) -> bytes:
    return http.client.get("/_sandbox/state", headers={"Authorization": f"Bearer {KEY}",
                                                       "X-Sandbox-Token": "s3cret-Token"}).get_data()


@pytest.mark.parametrize("sent", [None, "", "wrong", "s3cret-token", "s3cret-Token ", "s3cret-Tokén",
                                  "s3cret-Token, s3cret-Token"],
                         ids=["missing", "empty", "wrong", "other case", "trailing space", "non-ascii", "doubled"])
@pytest.mark.parametrize("method, path", CONTROL_ROUTES, ids=ids(CONTROL_ROUTES))
def test_control_token__refused_without_it(guarded, method, path, sent):
    before = guarded_state(guarded)
    headers = {} if sent is None else {"X-Sandbox-Token": sent}
    reply = guarded.request(method, path, customer=BUYER, json={}, headers=headers)
    assert_refused(reply, 401, TOKEN_REQUIRED)
    assert guarded_state(guarded) == before


@pytest.mark.parametrize("method, path", CONTROL_ROUTES, ids=ids(CONTROL_ROUTES))
def test_control_token__accepted_with_it(guarded, method, path):
    reply = guarded.request(method, path, key="sk_test_token_holder", customer=BUYER, json={},
                            headers={"X-Sandbox-Token": "s3cret-Token"})
    assert reply.status < 500 and reply.body.get("message") != TOKEN_REQUIRED, reply.body


@pytest.mark.parametrize("method, path", V1_ROUTES[:8], ids=ids(V1_ROUTES[:8]))
def test_control_token__v1_needs_none(guarded, method, path):
    reply = guarded.request(method, path, customer=BUYER, json={})
    assert reply.status < 500 and reply.body["message"] != TOKEN_REQUIRED, reply.body


def test_control_token__reset_of_every_namespace():
    """The one admin-wide control: with a token set, `?all=true` needs it like the rest."""
    http = InProcessHttp(create_app(make_config(control_token="s3cret-Token")))
    assert_refused(http.post("/_sandbox/reset?all=true"), 401, TOKEN_REQUIRED)
    assert http.post("/_sandbox/reset?all=true", headers={"X-Sandbox-Token": "s3cret-Token"}).status == 200


# -- no secret key in what the sandbox records or prints ------------------------------------------

CANARY = "sk_test_h3CanaryKey_9f1c"
FORK_TARGET = "sk_test_h3CanaryFork_77"
CONTROL_TOKEN = "h3-control-token-5e2a"


@pytest.fixture
def logged_server(tmp_path):
    """A `payluk-sandbox` process whose stdout and stderr go to a file we can read."""
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = processes.start([sys.executable, "-m", "sandbox", "--port", "0", "--control-token", CONTROL_TOKEN],
                               cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: re.search(r"http://[\d.]+:\d+", log.read_text()))
        url = re.search(r"http://[\d.]+:\d+", log.read_text()).group(0)
        wait_for(lambda: _healthy(url))
        yield url, log
    finally:
        processes.stop(proc)


def _healthy(url) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


def test_secret_key_appears_nowhere(logged_server):
    url, log = logged_server
    receiver = Receiver()
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {CANARY}", "X-Sandbox-Token": CONTROL_TOKEN})
    try:
        assert s.put(url + "/_sandbox/webhook", json={"url": receiver.url}).status_code == 200
        escrow = s.post(url + "/v1/escrow/milestone/create", headers={"customer-id": SELLER},
                        json=DOCS_MILESTONE_EXAMPLE).json()["data"]
        s.post(url + "/v1/payment/escrow", headers={"customer-id": BUYER}, json=pay_body(escrow["id"]))
        s.post(url + f"/v1/escrow/milestone/confirm/{escrow['id']}/{escrow['milestones'][0]['id']}",
               headers={"customer-id": BUYER})
        # The key pasted where a careless client might put it: all refused, all journaled.
        s.get(url + f"/v1/escrow/verify/{CANARY}")
        s.get(url + f"/v1/escrow/feeds?paymentToken={CANARY}")
        s.get(url + "/v1/wallet", headers={"customer-id": CANARY})
        s.get(url + "/v1/wallet", headers={"customer-id": BUYER, "X-Sandbox-Scenario": CANARY})
        s.post(url + "/v1/customer/create", json={"firstname": CANARY, "email": "not-an-email"})
        s.post(url + "/_sandbox/fork", json={"key": FORK_TARGET})
        wait_for(lambda: len(receiver.received) >= 3)
        # Pact's state-change URL carrying the key and the control token (for verifiers that send
        # no headers there), plainly and percent-encoded, in the body form and the query form.
        pact = url + "/_sandbox/pact/provider-states"
        for query in (f"key={CANARY}&token={CONTROL_TOKEN}",
                      f"key={CANARY.replace('_', '%5F')}&token={CONTROL_TOKEN.replace('-', '%2D')}&state="):
            assert requests.post(f"{pact}?{query}", json=None if "state=" in query else {"state": "default"},
                                 timeout=10).status_code == 200
        recorded = {
            "journal": s.get(url + "/_sandbox/requests?limit=1000").text,
            "events": s.get(url + "/_sandbox/events").text,
            "deliveries": s.get(url + "/_sandbox/webhooks/deliveries").text,
            "state": s.get(url + "/_sandbox/state").text,
            "ledger": s.get(url + "/_sandbox/ledger").text,
            "fork's state": requests.get(url + "/_sandbox/state", headers={"Authorization": f"Bearer {FORK_TARGET}",
                                                                           "X-Sandbox-Token": CONTROL_TOKEN}).text,
        }
        entries = json.loads(recorded["journal"])["data"]["data"]
        assert len(entries) >= 10
        for entry in entries:
            recorded[f"journal entry {entry['id']}"] = s.get(url + f"/_sandbox/requests/{entry['id']}").text
        for n, got in enumerate(receiver.received):
            recorded[f"webhook {n}"] = json.dumps(got["headers"]) + got["body"].decode()
            # The fork is an exact copy, outbox and callback URL included: events still pending
            # when it was taken are delivered by both namespaces, each signing with its own key.
            signatures = {hmac.new(key.encode(), got["body"], hashlib.sha512).hexdigest()
                          for key in (CANARY, FORK_TARGET)}
            assert got["headers"]["x-payluk-signature"] in signatures, "signed with the sending namespace's key"
    finally:
        receiver.close()
    recorded["server output"] = log.read_text()
    for where, text in recorded.items():
        for secret in (CANARY, FORK_TARGET, CONTROL_TOKEN):
            assert secret not in text, f"{secret} found in the {where}"
    assert "sk_test_[REDACTED]" in recorded["journal"]


# -- crashes and pages ----------------------------------------------------------------------------


def test_crash_answers_nothing_of_itself(caplog):
    """An unexpected exception (here one whose text holds a file path and a key) answers the
    bare 500 envelope; the traceback is in the server log, never in the answer or the journal."""
    app = create_app(make_config())

    @app.post("/v1/boom")
    def boom():
        raise RuntimeError(f"kaboom in {__file__} with {KEY}")

    http = InProcessHttp(app)
    with caplog.at_level(logging.ERROR, logger="sandbox"):
        reply = http.post("/v1/boom", customer=BUYER, json={"x": 1})
    assert_refused(reply, 500, "Internal server error")
    assert "RuntimeError: kaboom" in caplog.text and "Traceback" in caplog.text
    [entry] = http.get("/_sandbox/requests?path=/v1/boom").data["data"]
    assert entry["responseBody"] == {"status": 500, "message": "Internal server error", "data": {}}
    assert "kaboom" not in json.dumps(entry)


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/v1/nothing/here", 404), ("DELETE", "/v1/wallet", 405), ("GET", "/_sandbox/checkout/nope", 404),
    ("GET", "/_sandbox/authorize/nope", 404)])
def test_framework_errors_carry_no_trace(client, method, path, status):
    resp = client.client.open(path, method=method, headers={"Authorization": f"Bearer {KEY}"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == status
    assert "Traceback" not in text and ".py" not in text and "werkzeug" not in text.lower()


def test_pages_escape_what_clients_wrote(client):
    """The checkout and payment-authorisation pages show escrow and customer text: escaped."""
    script = "<script>alert(document.cookie)</script>"
    api = Api(client)
    buyer = api.create_customer({"firstname": script, "lastname": script, "email": "xss@example.ng",
                                 "phone": "08030000077"})["id"]
    escrow = api.create_escrow({"amount": "1000", "purpose": script, "description": script, "whoPays": "buyer"})
    session = client.post("/v1/checkout/session", key=None, json={
        "publicKey": "pk_" + KEY[3:], "paymentToken": escrow["paymentToken"], "reference": "xss_1",
        "redirectUrl": "https://shop.example/return", "customerId": buyer}).body["session"]
    intent = client.post("/v1/payment/create-intent", customer=buyer, json={"amount": 5000, "gateway": "PAYSTACK"}).data
    for page in (session["url"], intent["authorizationUrl"]):
        html = client.client.get(urlsplit(page).path).get_data(as_text=True)
        assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in html
        assert "<script>alert" not in html
