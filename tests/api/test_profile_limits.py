"""Profile 2026-10 ([B]): the rate limit — 10 requests a minute per secret key, every /v1 route
together, 429 `Too many request` with `RateLimit-Policy` / `RateLimit` / `Retry-After`
(payluk-api.md §1) — switched on per namespace with `PUT /_sandbox/rate-limit`, and the
`maintenance` scenario (503). The count is real time and lives in the store: two workers on one
Redis share it; a frozen or moved namespace clock does not touch it."""

import re
import time

import pytest

from sandbox import create_app
from sandbox.controlplane import faults
from sandbox.domain import errors as E
from sandbox.domain.profiles import OCTOBER
from tests.api.test_redis_backend import RoundTrips
from tests.conftest import BUYER, KEY, SELLER, InProcessHttp, make_config, pay_body
from tests.redis_server import database

OFF = {"enabled": False, "limit": 10, "windowSeconds": 60, "active": False}
ON = {"enabled": True, "limit": 10, "windowSeconds": 60, "active": True}
REFUSAL = {"status": 429, "message": E.TOO_MANY_REQUEST}
RATE = re.compile(r"^limit=(\d+), remaining=(\d+), reset=(\d+)$")
ROUTE = "/v1/escrow/category/get"  # any /v1 route: all of them count together


def limit(http, key=KEY, **body):
    reply = http.put("/_sandbox/rate-limit", json=body, key=key)
    assert reply.status == 200, reply.body
    assert reply.body["message"] == "Rate limit updated successfully"
    return reply.data


def setting(http, key=KEY):
    reply = http.get("/_sandbox/rate-limit", key=key)
    assert reply.status == 200, reply.body
    assert reply.body["message"] == "Rate limit fetched successfully"
    return reply.data


def rate(reply) -> tuple[int, int, int]:
    """(limit, remaining, reset) of an answer's RateLimit header."""
    found = RATE.match(reply.headers["RateLimit"])
    assert found, reply.headers["RateLimit"]
    return tuple(int(n) for n in found.groups())


def hit(http, path=ROUTE, key=KEY, **kw):
    return http.get(path, key=key, **kw)


def assert_refused(reply, policy="10;w=60", window=60):
    assert (reply.status, reply.body) == (429, REFUSAL)
    assert reply.headers["RateLimit-Policy"] == policy
    limit_, remaining, reset = rate(reply)
    assert remaining == 0 and 0 <= reset <= window
    assert reply.headers["Retry-After"] == str(reset)


def escrow_count(http, key=KEY) -> int:
    return len(http.get("/_sandbox/state", key=key).data["state"]["escrows"])


# -- the setting -------------------------------------------------------------------------------------


def test_rate_limit__off_by_default(later_http):
    assert setting(later_http) == OFF
    for _ in range(15):
        reply = hit(later_http)
        assert reply.status == 200, reply.body
        assert "RateLimit" not in reply.headers and "RateLimit-Policy" not in reply.headers


def test_put_rate_limit__payluk_numbers_by_default(later_http):
    assert limit(later_http, enabled=True) == ON
    assert setting(later_http) == ON
    assert limit(later_http, enabled=True, limit=3, windowSeconds=5) == {**ON, "limit": 3, "windowSeconds": 5}
    assert limit(later_http, enabled=False) == OFF  # the whole setting is replaced


@pytest.mark.parametrize("body, message", [
    ({}, '"enabled" is required'),
    ({"enabled": "yes"}, '"enabled" must be a boolean'),
    ({"enabled": True, "limit": 0}, '"limit" must be greater than or equal to 1'),
    ({"enabled": True, "limit": 2.5}, '"limit" must be an integer'),
    ({"enabled": True, "windowSeconds": 86_401}, '"windowSeconds" must be less than or equal to 86400'),
    ({"enabled": True, "burst": 3}, '"burst" is not allowed'),
])
def test_put_rate_limit__bad_input(later, later_http, body, message):
    later.error(later_http.put("/_sandbox/rate-limit", json=body), 400, message)
    assert setting(later_http) == OFF


def test_rate_limit__kept_by_a_reset_and_the_count_starts_again(later_http):
    limit(later_http, enabled=True, limit=2)
    hit(later_http), hit(later_http)
    assert_refused(hit(later_http), policy="2;w=60")
    assert later_http.post("/_sandbox/reset").status == 200
    assert setting(later_http) == {**ON, "limit": 2}
    assert rate(hit(later_http))[:2] == (2, 1)  # a fresh window
    assert later_http.post("/_sandbox/reset", json={"keepSettings": False}).status == 200
    later_http.put("/_sandbox/profile", json={"profile": OCTOBER})
    assert setting(later_http) == OFF


def test_rate_limit__stored_but_not_enforced_under_2026_06(api, http):
    assert limit(http, enabled=True, limit=2) == {**ON, "limit": 2, "active": False}
    for _ in range(5):
        reply = hit(http, "/v1/wallet", customer=BUYER)
        assert reply.status == 200 and "RateLimit" not in reply.headers
    assert http.put("/_sandbox/profile", json={"profile": OCTOBER}).status == 200
    http.profiles[KEY] = OCTOBER
    assert setting(http)["active"] is True
    assert rate(hit(http))[:2] == (2, 1)


# -- counting and refusing -----------------------------------------------------------------------------


def test_rate_limit__counts_every_v1_route_together_and_refuses_the_eleventh(later, later_http):
    assert limit(later_http, enabled=True) == ON
    replies = [hit(later_http), hit(later_http, "/v1/wallet", customer=BUYER), hit(later_http, "/v1/customers")]
    escrow = later.create_milestone_escrow()  # a POST counts as well (4)
    replies += [hit(later_http, f"/v1/escrow/verify/{escrow['paymentToken']}") for _ in range(6)]
    for n, reply in enumerate(replies):
        assert reply.status == 200, reply.body
        assert reply.headers["RateLimit-Policy"] == "10;w=60"
        expected_remaining = 10 - (n + 1) - (1 if n >= 3 else 0)
        assert rate(reply)[:2] == (10, expected_remaining)
        assert 0 < rate(reply)[2] <= 60
    assert rate(replies[-1])[1] == 0  # ten requests: the last one allowed
    assert_refused(hit(later_http))
    assert_refused(later_http.post("/v1/escrow/milestone/create", customer=SELLER, json={}))


def test_rate_limit__a_refused_request_changes_nothing_and_is_journaled(later, later_http):
    limit(later_http, enabled=True, limit=1)
    assert hit(later_http).status == 200
    escrows = escrow_count(later_http)
    assert later_http.request("DELETE", "/_sandbox/requests").status == 200
    reply = later.http.post("/v1/escrow/milestone/create", customer=SELLER, json={
        "amount": 3000, "purpose": "Refused", "whoPays": "buyer", "maxDelivery": 3, "deliveryTimeline": "days",
        "milestones": [{"title": "a", "amount": 3000}]})
    assert_refused(reply, policy="1;w=60")
    assert escrow_count(later_http) == escrows
    [entry] = [e for e in later_http.get("/_sandbox/requests").data["data"] if e["path"].startswith("/v1/")]
    assert (entry["method"], entry["path"], entry["status"], entry["responseBody"]) == (
        "POST", "/v1/escrow/milestone/create", 429, REFUSAL)


def test_rate_limit__errors_count_and_carry_the_headers(later, later_http):
    limit(later_http, enabled=True, limit=3)
    reply = later_http.get("/v1/escrow/verify/PY_nothing0000")
    later.error(reply, 400, E.ESCROW_NOT_FOUND)
    assert rate(reply)[:2] == (3, 2)
    reply = later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "no_such"})  # a sandbox refusal counts too
    later.error(reply, 400, E.UNKNOWN_SCENARIO.format(name="no_such", known=", ".join(faults.BY_NAME)))
    assert rate(reply)[:2] == (3, 1)
    reply = later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "server_error"})
    later.error(reply, 500, E.SERVER_ERROR)
    assert rate(reply)[:2] == (3, 0)
    assert_refused(later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "server_error"}), policy="3;w=60")


def test_rate_limit__a_delayed_request_is_counted_once(later_http):
    """On the live server a `latency` request is parked and replayed from the start
    (sandbox/server/serving.py); it is counted after its wait, once."""
    limit(later_http, enabled=True, limit=2)
    reply = later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "latency; ms=50"})
    assert reply.status == 200 and rate(reply)[:2] == (2, 1)
    assert rate(hit(later_http))[:2] == (2, 0)


def test_rate_limit__sandbox_controls_and_other_keys_are_not_counted(later_http):
    limit(later_http, enabled=True, limit=2)
    for _ in range(5):
        reply = later_http.get("/_sandbox/clock")
        assert reply.status == 200 and "RateLimit" not in reply.headers
    other = "sk_test_limits_other"
    assert later_http.put("/_sandbox/profile", json={"profile": OCTOBER}, key=other).status == 200
    later_http.profiles[other] = OCTOBER
    for _ in range(3):
        assert hit(later_http, key=other).status == 200  # its own namespace: no limit switched on
    assert rate(hit(later_http))[:2] == (2, 1)


def test_rate_limit__a_change_of_the_setting_starts_a_fresh_window(later_http):
    limit(later_http, enabled=True, limit=1)
    hit(later_http)
    assert_refused(hit(later_http), policy="1;w=60")
    limit(later_http, enabled=True, limit=1)
    assert hit(later_http).status == 200
    limit(later_http, enabled=False)
    for _ in range(3):
        assert hit(later_http).status == 200


# -- real time -------------------------------------------------------------------------------------------


def test_rate_limit__the_window_resets_in_real_time(later_http):
    limit(later_http, enabled=True, limit=2, windowSeconds=1)
    first = hit(later_http)
    assert rate(first) == (2, 1, 1)
    hit(later_http)
    assert_refused(hit(later_http), policy="2;w=1", window=1)
    time.sleep(1.05)
    assert rate(hit(later_http))[:2] == (2, 1)


def test_rate_limit__the_namespace_clock_does_not_move_the_window(later_http):
    limit(later_http, enabled=True, limit=1, windowSeconds=2)
    assert later_http.post("/_sandbox/clock/freeze").status == 200
    assert hit(later_http).status == 200
    assert later_http.post("/_sandbox/clock/advance", json={"duration": "P1D"}).status == 200
    assert_refused(hit(later_http), policy="1;w=2", window=2)  # a day on the namespace clock: still refused
    time.sleep(2.05)  # the namespace clock stays frozen, real time goes on
    assert hit(later_http).status == 200


# -- the store: workers share one count; the cost ----------------------------------------------------------


@pytest.fixture
def two_apps(redis_url):
    """Two apps (two workers) on one emptied Redis database."""
    url = database(redis_url, 5)
    apps = [create_app(make_config(store=url)) for _ in range(2)]
    yield apps
    for app in apps:
        app.close()


def test_rate_limit__two_workers_share_one_count(two_apps):
    first, second = (InProcessHttp(app) for app in two_apps)
    for http in (first, second):
        http.profiles[KEY] = OCTOBER
    assert first.put("/_sandbox/profile", json={"profile": OCTOBER}).status == 200
    limit(first, enabled=True, limit=4)
    replies = [hit(http) for http in (first, second, second, first)]
    assert [rate(r)[1] for r in replies] == [3, 2, 1, 0]
    assert_refused(hit(second), policy="4;w=60")
    assert_refused(hit(first), policy="4;w=60")
    limit(second, enabled=False)  # switched off by one worker: the count goes, so neither refuses
    assert hit(first).status == 200 and hit(second).status == 200


def test_rate_limit__a_refusal_is_confirmed_against_the_current_setting(two_apps):
    """A worker holds the settings its last operation saw; the other worker raised the limit since:
    the request over the old limit is let through by the new one (and the worker knows it after)."""
    first, second = (InProcessHttp(app) for app in two_apps)
    for http in (first, second):
        http.profiles[KEY] = OCTOBER
    first.put("/_sandbox/profile", json={"profile": OCTOBER})
    limit(first, enabled=True, limit=1)
    assert rate(hit(second))[:2] == (1, 0)  # the second worker has seen limit=1
    limit(first, enabled=True, limit=3)
    assert rate(hit(first))[:2] == (3, 2)
    assert rate(hit(second))[:2] == (3, 1)  # counted 2 > 1 by what it held; confirmed: 3 allows it
    assert rate(hit(second))[:2] == (3, 0)
    assert_refused(hit(second), policy="3;w=60")


def test_rate_limit__one_round_trip_per_request_and_only_when_enforced(two_apps, monkeypatch):
    http = InProcessHttp(two_apps[0])
    http.profiles[KEY] = OCTOBER
    http.put("/_sandbox/profile", json={"profile": OCTOBER})
    trips = RoundTrips(monkeypatch)
    hit(http)
    off = trips.of(lambda: hit(http))
    limit(http, enabled=True, limit=1000)
    hit(http)
    on = trips.of(lambda: hit(http))
    assert on == off + 1, (off, on)
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        hit(http)
    per_request_on = (time.perf_counter() - started) / rounds
    limit(http, enabled=False)
    started = time.perf_counter()
    for _ in range(rounds):
        hit(http)
    per_request_off = (time.perf_counter() - started) / rounds
    print(f"\nRedis, in-process: {per_request_off * 1e6:.0f} µs per request with the limit off, "
          f"{per_request_on * 1e6:.0f} µs with it on ({on} round trips instead of {off})")


# -- maintenance (503) ---------------------------------------------------------------------------------------


def test_maintenance__header(later, later_http):
    reply = later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "maintenance"})
    later.error(reply, 503, E.MAINTENANCE)
    assert reply.headers["Retry-After"] == "60"
    assert reply.headers["X-Sandbox-Scenario-Applied"] == "maintenance"
    reply = later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "maintenance; retry=5"})
    later.error(reply, 503, E.MAINTENANCE)
    assert reply.headers["Retry-After"] == "5"


def test_maintenance__changes_nothing(later, later_http):
    escrows = escrow_count(later_http)
    reply = later_http.post("/v1/escrow/milestone/create", customer=SELLER, headers={"X-Sandbox-Scenario": "maintenance"},
                            json={"amount": 3000, "purpose": "Down", "whoPays": "buyer", "maxDelivery": 3,
                                  "deliveryTimeline": "days", "milestones": [{"title": "a", "amount": 3000}]})
    later.error(reply, 503, E.MAINTENANCE)
    assert escrow_count(later_http) == escrows


def test_maintenance__magic_reference_under_2026_06(api, http):
    escrow = api.create_milestone_escrow()
    before = api.wallet(BUYER)
    reply = http.post("/v1/payment/escrow", customer=BUYER,
                      json=pay_body(escrow["id"], reference="sbx_maintenance_120_order42"))
    api.error(reply, 503, E.MAINTENANCE)
    assert reply.headers["Retry-After"] == "120"
    assert api.wallet(BUYER) == before


def test_maintenance__counted_by_the_rate_limit(later, later_http):
    limit(later_http, enabled=True, limit=1)
    reply = later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "maintenance"})
    later.error(reply, 503, E.MAINTENANCE)
    assert rate(reply)[:2] == (1, 0)
    assert_refused(later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "maintenance"}), policy="1;w=60")


# -- maintenance mode: the whole namespace -------------------------------------------------------------------


def maintenance(http, key=KEY, **body):
    reply = http.put("/_sandbox/maintenance", json=body, key=key)
    assert reply.status == 200, reply.body
    assert reply.body["message"] == "Maintenance mode updated successfully"
    return reply.data


def test_maintenance_mode__every_v1_request_answers_503_until_switched_off(later, later_http):
    assert later_http.get("/_sandbox/maintenance").data == {"enabled": False, "retry": 60}
    assert maintenance(later_http, enabled=True, retry=30) == {"enabled": True, "retry": 30}
    escrows = escrow_count(later_http)  # the controls still answer
    for reply in (hit(later_http), later_http.post("/v1/escrow/milestone/create", customer=SELLER, json={})):
        later.error(reply, 503, E.MAINTENANCE)
        assert reply.headers["Retry-After"] == "30"
        assert reply.headers["X-Sandbox-Scenario-Applied"] == "maintenance"
    assert escrow_count(later_http) == escrows
    entry = next(e for e in later_http.get("/_sandbox/requests").data["data"] if e["path"].startswith("/v1/"))
    assert (entry["status"], entry["scenario"]) == (503, "maintenance")
    reply = later_http.get(ROUTE, headers={"X-Sandbox-Scenario": "server_error"})  # the request's own comes first
    later.error(reply, 500, E.SERVER_ERROR)
    assert maintenance(later_http, enabled=False) == {"enabled": False, "retry": 60}
    assert hit(later_http).status == 200


def test_maintenance_mode__ended_by_a_reset(api, http):
    maintenance(http, enabled=True)
    api.error(http.get("/v1/wallet", customer=BUYER), 503, E.MAINTENANCE)
    assert http.post("/_sandbox/reset").status == 200
    assert http.get("/_sandbox/maintenance").data == {"enabled": False, "retry": 60}
    assert http.get("/v1/wallet", customer=BUYER).status == 200


@pytest.mark.parametrize("body, message", [
    ({"retry": 5}, '"enabled" is required'),
    ({"enabled": True, "retry": -1}, '"retry" must be greater than or equal to 0'),
    ({"enabled": True, "retry": 86_401}, '"retry" must be less than or equal to 86400'),
])
def test_put_maintenance__bad_input(api, http, body, message):
    api.error(http.put("/_sandbox/maintenance", json=body), 400, message)


def test_maintenance_mode__switched_off_by_another_worker(two_apps):
    first, second = (InProcessHttp(app) for app in two_apps)
    maintenance(first, enabled=True)
    assert second.get(ROUTE).status == 503  # the second worker has seen it on
    maintenance(first, enabled=False)
    assert second.get(ROUTE).status == 200  # confirmed before answering: never a 503 for a mode switched off
    maintenance(second, enabled=True)
    # The first worker learns of it with its next operation on the namespace (no round trip is
    # spent on every request to ask): the one request it serves first is answered normally.
    assert first.get(ROUTE).status == 200
    assert first.get(ROUTE).status == 503
