"""The pytest plugin (`sandbox/testing/pytest_plugin.py`): a throwaway consumer project run by pytester in
a subprocess (so the plugin loads from its `pytest11` entry point, as in a real project), against
the in-process server and against an external one; then the fixture's helpers one by one."""

pytest_plugins = ["pytester"]

import json
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from sandbox.testing.pytest_plugin import (
    ENV_URL, SCENARIO_HEADER, InProcessServer, PaylukSandbox, PaylukSandboxError, build_app,
)
from tests.conftest import BUYER, SELLER

EXAMPLE = Path(__file__).resolve().parent / "plugin_project" / "example_escrow_flow.py"
EXAMPLE_TESTS = 4

# A consumer test that reports which server and key it used (the outer test checks them).
PROBE = '''
import json, pathlib, threading

def test_probe(payluk_sandbox, request):
    seller = payluk_sandbox.customer("ada.eze@sandbox.payluk.test")["id"]
    reply = payluk_sandbox.session.post("/v1/escrow/milestone/create", headers={"customer-id": seller}, json={
        "amount": 2000, "purpose": "probe", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]})
    assert reply.status_code == 201, reply.json()
    pathlib.Path("probe.json").write_text(json.dumps({
        "baseUrl": payluk_sandbox.base_url, "key": payluk_sandbox.key,
        "token": reply.json()["data"]["paymentToken"],
        "threads": [t.name for t in threading.enumerate()],
        "registered": request.config.pluginmanager.has_plugin("payluk_sandbox"),
    }))
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def consumer(pytester, monkeypatch):
    """A consumer project holding the README example and the probe; no external URL preset."""
    monkeypatch.delenv(ENV_URL, raising=False)
    pytester.makepyfile(test_escrow_flow=EXAMPLE.read_text(), test_probe=PROBE)
    return pytester


def probe_report(pytester) -> dict:
    return json.loads((pytester.path / "probe.json").read_text())


def assert_probe_escrow_on(url: str, report: dict):
    """The probe's escrow lives on the server at `url`, in the probe key's own namespace."""
    reply = requests.get(f"{url}/v1/escrow/verify/{report['token']}",
                         headers={"Authorization": f"Bearer {report['key']}"}, timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.json()["data"]["purpose"] == "probe"


# -- the consumer project ------------------------------------------------------------------------
def test_consumer_project_against_the_in_process_server(consumer):
    result = consumer.runpytest_subprocess()
    result.assert_outcomes(passed=EXAMPLE_TESTS + 1)
    report = probe_report(consumer)
    assert report["registered"] is True
    assert report["baseUrl"].startswith("http://127.0.0.1:")
    assert "payluk-sandbox-server" in report["threads"]
    assert report["key"].startswith("sk_test_") and len(report["key"]) == len("sk_test_") + 32


def test_consumer_project_against_an_external_server(consumer, live_server, monkeypatch):
    monkeypatch.setenv(ENV_URL, live_server + "/")
    result = consumer.runpytest_subprocess()
    result.assert_outcomes(passed=EXAMPLE_TESTS + 1)
    result.stdout.fnmatch_lines([f"payluk-sandbox: external server {live_server}"])
    report = probe_report(consumer)
    assert report["baseUrl"] == live_server
    assert "payluk-sandbox-server" not in report["threads"]  # nothing started in-process
    assert_probe_escrow_on(live_server, report)


def test_command_line_url_beats_the_environment(pytester, live_server, monkeypatch):
    monkeypatch.setenv(ENV_URL, f"http://127.0.0.1:{free_port()}")
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_subprocess(f"--payluk-sandbox-url={live_server}")
    result.assert_outcomes(passed=1)
    assert_probe_escrow_on(live_server, probe_report(pytester))


def test_ini_option_names_the_server(pytester, live_server, monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    pytester.makeini(f"[pytest]\npayluk_sandbox_url = {live_server}\n")
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert probe_report(pytester)["baseUrl"] == live_server


def test_unreachable_external_server_is_a_clear_error(pytester, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv(ENV_URL, url)
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*PaylukSandboxError: payluk-sandbox at {url} is not reachable*"])


@pytest.fixture
def guarded_server():
    """A second sandbox whose controls need the token `s3cret` (like a CI container would)."""
    from sandbox import create_app
    from sandbox.server.config import Config

    server = InProcessServer(create_app(Config(control_token="s3cret")))
    yield server.url
    server.stop()


CONTROL_PROBE = '''
def test_controls(payluk_sandbox):
    assert payluk_sandbox.reset()["customers"]
    assert payluk_sandbox.invariants()["ok"] is True
'''


def test_control_token_of_an_external_server(pytester, guarded_server, monkeypatch):
    monkeypatch.setenv(ENV_URL, guarded_server)
    monkeypatch.delenv("SANDBOX_CONTROL_TOKEN", raising=False)
    monkeypatch.setenv("PAYLUK_SANDBOX_TOKEN", "s3cret")
    pytester.makepyfile(test_controls=CONTROL_PROBE)
    pytester.runpytest_subprocess().assert_outcomes(passed=1)

    monkeypatch.delenv("PAYLUK_SANDBOX_TOKEN")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*PaylukSandboxError: POST /_sandbox/reset failed: 401 Sandbox control token "
                                 "required (X-Sandbox-Token) (give it as PAYLUK_SANDBOX_TOKEN)"])

    pytester.makeini("[pytest]\npayluk_sandbox_token = s3cret\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_sessions_that_do_not_use_the_fixture_load_nothing_heavy(pytester, monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    pytester.makepyfile(test_plain='''
        import sys, threading

        def test_plain(request):
            assert request.config.pluginmanager.has_plugin("payluk_sandbox")
            heavy = {"flask", "werkzeug", "requests", "marshmallow", "sandbox.app"} & set(sys.modules)
            assert heavy == set()
            assert "payluk-sandbox-server" not in [t.name for t in threading.enumerate()]
    ''')
    # Other installed plugins may import `requests` themselves (schemathesis does): leave them out.
    result = pytester.runpytest_subprocess("-p", "no:schemathesis")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*payluk-sandbox: external server*")


def test_fixture_is_listed_with_its_options(pytester, monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*--payluk-sandbox-url=URL*", "*payluk_sandbox_url*"])
    result = pytester.runpytest_subprocess("--fixtures")
    result.stdout.fnmatch_lines(["payluk_sandbox_server *session scope* -- *pytest_plugin.py*",
                                 "payluk_sandbox -- *pytest_plugin.py*"])


# -- the fixture's helpers (this session loads the plugin too) ------------------------------------
class Recorder:
    """The requests one of the handle's sessions actually sent."""

    def __init__(self, session):
        self.sent = []
        session.hooks["response"].append(lambda reply, *a, **kw: self.sent.append(reply.request))

    def bodies(self):
        return [json.loads(r.body) if r.body else None for r in self.sent]


def missing(err: PaylukSandboxError) -> bool:
    return "is not provided by the payluk-sandbox" in str(err)


def test_payluk_sandbox__fresh_key_and_namespace_per_handle(payluk_sandbox, payluk_sandbox_server):
    other = PaylukSandbox(payluk_sandbox_server)
    assert payluk_sandbox.base_url == payluk_sandbox_server
    assert other.key != payluk_sandbox.key
    created = payluk_sandbox.session.post("/v1/escrow/milestone/create", headers={"customer-id": SELLER}, json={
        "amount": 2000, "purpose": "mine", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]}).json()["data"]
    seen = other.session.get(f"/v1/escrow/verify/{created['paymentToken']}")
    assert seen.json() == {"status": 400, "message": "Escrow not found", "data": {}}
    assert payluk_sandbox.session.get(f"/v1/escrow/verify/{created['paymentToken']}").status_code == 200
    other.close()


def test_payluk_sandbox__headers(payluk_sandbox):
    auth = {"Authorization": f"Bearer {payluk_sandbox.key}"}
    assert payluk_sandbox.headers() == auth
    assert payluk_sandbox.headers(BUYER) == {**auth, "customer-id": BUYER}
    reply = requests.get(payluk_sandbox.url("/v1/wallet"), headers=payluk_sandbox.headers(BUYER), timeout=10)
    assert reply.json()["data"]["mainBalance"] == 5000000
    missing_header = requests.get(payluk_sandbox.url("/v1/wallet"), headers=payluk_sandbox.headers(), timeout=10)
    assert missing_header.json() == {"status": 400, "message": "customer-id header is required", "data": {}}


def test_payluk_sandbox__session_is_authorised_and_resolves_paths(payluk_sandbox):
    reply = payluk_sandbox.session.get("/v1/wallet", headers={"customer-id": BUYER})
    assert reply.url == payluk_sandbox.base_url + "/v1/wallet"
    assert reply.request.headers["Authorization"] == f"Bearer {payluk_sandbox.key}"
    assert reply.json()["data"]["mainBalance"] == 5000000
    absolute = payluk_sandbox.session.get(payluk_sandbox.url("/healthz"))
    assert absolute.status_code == 200


def test_payluk_sandbox__customers(payluk_sandbox):
    emails = [c["email"] for c in payluk_sandbox.customers]
    assert len(emails) == 5 and "ada.eze@sandbox.payluk.test" in emails
    assert payluk_sandbox.customer("ADA.EZE@sandbox.payluk.test")["id"] == SELLER
    assert payluk_sandbox.customer(BUYER)["firstname"] == "Tunde"
    with pytest.raises(LookupError, match="no customer 'nobody@example.com'"):
        payluk_sandbox.customer("nobody@example.com")


def test_payluk_sandbox__customers_page_through_the_list(payluk_sandbox):
    for n in range(100):
        reply = payluk_sandbox.session.post("/v1/customer/create", json={
            "firstname": "C", "lastname": str(n), "email": f"c{n}@example.com", "phone": f"0803{n:07d}"})
        assert reply.status_code == 201, reply.json()
    assert len(payluk_sandbox.customers) == 105
    assert payluk_sandbox.customer("c99@example.com")["lastname"] == "99"


def test_payluk_sandbox__reset(payluk_sandbox):
    created = payluk_sandbox.session.post("/v1/customer/create", json={
        "firstname": "New", "lastname": "One", "email": "new@example.com", "phone": "08030000001"})
    assert created.status_code == 201
    assert len(payluk_sandbox.customers) == 6
    data = payluk_sandbox.reset()
    assert len(data["customers"]) == 5
    assert len(payluk_sandbox.customers) == 5
    with pytest.raises(LookupError):
        payluk_sandbox.customer("new@example.com")


def test_payluk_sandbox__use_profile(payluk_sandbox):
    assert payluk_sandbox.use_profile("2026-10", reset=True) == {
        "profile": "2026-10", "source": "namespace", "profiles": ["2026-06", "2026-10"]}
    seller = payluk_sandbox.customers[0]["id"]
    created = payluk_sandbox.session.post("/v1/escrow/create", headers={"customer-id": seller}, json={
        "amount": 150000, "purpose": "Phone", "whoPays": "buyer", "maxDelivery": 3, "deliveryTimeline": "days"})
    assert created.json()["data"]["fee"] == 3000  # 2 %, the October 2026 tariff
    assert payluk_sandbox.use_profile(None)["profile"] == "2026-06"
    with pytest.raises(PaylukSandboxError):
        payluk_sandbox.use_profile("2027-01")


def test_payluk_sandbox__reset_keeps_settings_unless_told(payluk_sandbox):
    hook = "http://127.0.0.1:9/plugin-hooks"
    assert payluk_sandbox.control("PUT", "/_sandbox/webhook", json={"url": hook})["url"] == hook
    payluk_sandbox.reset()
    assert payluk_sandbox.control("GET", "/_sandbox/webhook")["url"] == hook
    payluk_sandbox.reset(keep_settings=False)
    assert payluk_sandbox.control("GET", "/_sandbox/webhook")["url"] is None


def test_payluk_sandbox__scenario_header(payluk_sandbox):
    recorder = Recorder(payluk_sandbox._control)
    with payluk_sandbox.scenario("card_declined") as handle:
        assert handle is payluk_sandbox
        inside = payluk_sandbox.session.get("/healthz")
        assert inside.request.headers[SCENARIO_HEADER] == "card_declined"
        assert payluk_sandbox.headers(BUYER)[SCENARIO_HEADER] == "card_declined"
        with payluk_sandbox.scenario("gateway_timeout"):
            assert payluk_sandbox.session.get("/healthz").request.headers[SCENARIO_HEADER] == "gateway_timeout"
        assert payluk_sandbox.session.get("/healthz").request.headers[SCENARIO_HEADER] == "card_declined"
        payluk_sandbox.ledger()  # control calls never carry the scenario
    assert SCENARIO_HEADER not in payluk_sandbox.session.get("/healthz").request.headers
    assert SCENARIO_HEADER not in payluk_sandbox.headers()
    assert [SCENARIO_HEADER in r.headers for r in recorder.sent] == [False]


def test_payluk_sandbox__a_lost_response_closes_the_connection(payluk_sandbox):
    """`response_lost` on the plugin's own server: the operation commits and the connection is
    closed at once, as the production server does (it used to stay open: the client waited until
    its timeout, or forever)."""
    escrow = payluk_sandbox.session.post("/v1/escrow/milestone/create", headers={"customer-id": SELLER}, json={
        "amount": 3000, "purpose": "lost", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 2000}]}).json()["data"]
    with payluk_sandbox.scenario("response_lost"):
        with pytest.raises(requests.ConnectionError):
            payluk_sandbox.session.post("/v1/payment/escrow", headers={"customer-id": BUYER}, timeout=5, json={
                "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow["id"]}})
    verified = payluk_sandbox.session.get(f"/v1/escrow/verify/{escrow['paymentToken']}", timeout=5).json()["data"]
    assert verified["state"] == "OPENED", "the payment committed though its answer was lost"


def test_payluk_sandbox__scenario_header_is_removed_after_an_error(payluk_sandbox):
    with pytest.raises(ZeroDivisionError):
        with payluk_sandbox.scenario("gateway_timeout"):
            1 / 0
    assert SCENARIO_HEADER not in payluk_sandbox.session.headers


def test_payluk_sandbox__ledger_and_invariants(payluk_sandbox):
    escrow = payluk_sandbox.session.post("/v1/escrow/milestone/create", headers={"customer-id": SELLER}, json={
        "amount": 2000, "purpose": "x", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]}).json()["data"]
    paid = payluk_sandbox.session.post("/v1/payment/escrow", headers={"customer-id": BUYER}, json={
        "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow["id"]}})
    assert paid.status_code == 200, paid.json()
    ledger = payluk_sandbox.ledger()
    assert any(p.get("escrowId") == escrow["id"] for p in ledger["postings"])
    assert sum(ledger["balances"].values()) == 0
    assert payluk_sandbox.invariants() == {"ok": True, "violations": []}


def test_payluk_sandbox__invariants_raise_when_the_books_do_not_balance():
    server = InProcessServer(build_app())
    try:
        sandbox = PaylukSandbox(server.url)
        assert sandbox.invariants()["ok"] is True
        ns = server.app.extensions["sandbox"].store.namespace(sandbox.key)
        with ns.lock:  # money out of nowhere: a buyer balance nobody posted
            balances = ns.state["ledger"]["balances"]
            account = next(a for a in balances if BUYER in a)
            balances[account] += 100
        with pytest.raises(AssertionError, match=f"invariants violated for {sandbox.key}:\n  - "):
            sandbox.invariants()
        sandbox.close()
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/healthz", timeout=2)


def test_payluk_sandbox__control_errors_name_route_and_answer(payluk_sandbox):
    with pytest.raises(PaylukSandboxError) as err:
        payluk_sandbox.control("GET", "/_sandbox/no-such-control")
    assert str(err.value) == (
        f"GET /_sandbox/no-such-control is not provided by the payluk-sandbox at {payluk_sandbox.base_url} "
        "(404 Route not found): the server predates that control, or runs with its controls switched off "
        "(SANDBOX_CONTROLS=off)")
    with pytest.raises(PaylukSandboxError, match=r"^GET /v1/wallet failed: 400 customer-id header is required$"):
        payluk_sandbox.control("GET", "/v1/wallet")


def test_payluk_sandbox__controls_switched_off():
    from sandbox import create_app
    from sandbox.server.config import Config

    server = InProcessServer(create_app(Config(controls=False)))
    sandbox = PaylukSandbox(server.url)
    try:
        assert len(sandbox.customers) == 5  # the API itself still answers
        with pytest.raises(PaylukSandboxError, match=r"^POST /_sandbox/clock/advance is not provided .*"
                                                     r"controls switched off \(SANDBOX_CONTROLS=off\)$"):
            sandbox.advance(60)
    finally:
        sandbox.close()
        server.stop()


def test_payluk_sandbox__reset_to_a_fixture_set(payluk_sandbox):
    data = payluk_sandbox.reset(fixtures="funded-milestone", seed=7)
    assert data["fixtures"] == "funded-milestone"
    assert payluk_sandbox.customers == data["customers"]
    escrows = payluk_sandbox.session.get("/v1/escrow/feeds").json()["data"]["data"]
    assert [e["settlementType"] for e in escrows] == ["MILESTONE"]
    with pytest.raises(PaylukSandboxError, match=r"^POST /_sandbox/reset failed: 400 "):
        payluk_sandbox.reset(fixtures="no-such-set")


def test_payluk_sandbox__events(payluk_sandbox):
    probe = payluk_sandbox.session.get("/_sandbox/events")
    if probe.status_code == 404:
        with pytest.raises(PaylukSandboxError, match=r"^GET /_sandbox/events is not provided by the payluk-sandbox"):
            payluk_sandbox.events()
    else:
        assert payluk_sandbox.events() == probe.json()["data"]


def test_payluk_sandbox__advance_rejects_other_types(payluk_sandbox):
    for bad in (None, True, [3]):
        with pytest.raises(TypeError, match="advance\\(\\) takes seconds or an ISO-8601 duration"):
            payluk_sandbox.advance(bad)


def test_payluk_sandbox__clock(payluk_sandbox):
    recorder = Recorder(payluk_sandbox._control)
    frozen = payluk_sandbox.freeze()
    assert frozen["frozen"] is True
    start = frozen["now"]
    moved = payluk_sandbox.advance(90)
    assert moved["frozen"] is True and isinstance(moved["due"], list)
    payluk_sandbox.advance(timedelta(hours=1))
    payluk_sandbox.advance(1.5)
    payluk_sandbox.advance("PT1H")
    assert recorder.bodies()[1:] == [{"seconds": 90}, {"seconds": 3600}, {"duration": "PT1.5S"}, {"duration": "PT1H"}]
    clock = payluk_sandbox.clock()
    from sandbox.clock import parse_iso

    assert parse_iso(clock["now"]) - parse_iso(start) == (90 + 3600 + 1.5 + 3600) * 1000
    payluk_sandbox.set_clock("2030-01-01T00:00:00.000Z")
    assert payluk_sandbox.clock()["now"] == "2030-01-01T00:00:00.000Z"
    assert payluk_sandbox.set_clock(datetime(2031, 1, 1, tzinfo=timezone.utc))["now"] == "2031-01-01T00:00:00.000Z"
    with pytest.raises(PaylukSandboxError, match=r"^POST /_sandbox/clock/set failed: 400 "):
        payluk_sandbox.set_clock("2030-01-01T00:00:00Z")  # forward only
    assert payluk_sandbox.resume()["frozen"] is False


def test_payluk_sandbox__snapshots(payluk_sandbox):
    created = payluk_sandbox.snapshot("empty")
    assert created["name"] == "empty"
    payluk_sandbox.session.post("/v1/customer/create", json={
        "firstname": "New", "lastname": "One", "email": "new@example.com", "phone": "08030000001"})
    assert len(payluk_sandbox.customers) == 6
    payluk_sandbox.restore("empty")
    assert len(payluk_sandbox.customers) == 5
    assert [s["name"] for s in payluk_sandbox.snapshots()] == ["empty"]
    with pytest.raises(PaylukSandboxError, match=r"^POST /_sandbox/snapshots/nope/restore failed: 404 Snapshot not found$"):
        payluk_sandbox.restore("nope")


def test_payluk_sandbox__state_and_requests_log(payluk_sandbox):
    payluk_sandbox.session.get("/v1/wallet", headers={"customer-id": BUYER})
    state = payluk_sandbox.state()
    assert BUYER in json.dumps(state)
    payluk_sandbox.session.get("/v1/wallet", headers={"customer-id": SELLER})
    log = payluk_sandbox.requests_log(path="/v1/")
    assert [(e["path"], e["customerId"]) for e in log["data"]] == [("/v1/wallet", SELLER), ("/v1/wallet", BUYER)]
    recorder = Recorder(payluk_sandbox._control)
    only = payluk_sandbox.requests_log(customer_id=BUYER, status="2xx", method=None)
    assert [e["customerId"] for e in only["data"]] == [BUYER]
    assert recorder.sent[0].url.endswith("/_sandbox/requests?customerId=" + BUYER + "&status=2xx")
    one = payluk_sandbox.requests_log(path="/v1/wallet", limit=1)
    assert (len(one["data"]), one["count"]) == (1, 2)
