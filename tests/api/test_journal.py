"""The request journal: what is recorded (and what never is), `GET /_sandbox/requests` with its
filters and bound, one entry by id, clearing, and isolation between keys.

The journal lives beside the namespace state, so `/_sandbox/reset` does not empty it: every test
starts by clearing the journals of the keys it uses (the live server is shared by the session).
"""

import collections
import json
from urllib.parse import urlencode

import pytest

from sandbox.controlplane import recorder as journal_module
from sandbox.store.base import JOURNAL_SIZE
from tests.conftest import BUYER, KEY, SELLER, START, UNKNOWN_ID, make_config, pay_body
from tests.cluster_leg import http_with_cluster_leg  # noqa: F401  (these tests also run on a Redis Cluster)

OTHER = "sk_test_journal_other"
ENTRY_KEYS = ["id", "at", "method", "path", "query", "status", "latencyMs", "customerId", "scenario", "profile", "ip",
              "requestBody", "requestBodyTruncated", "responseBody", "responseBodyTruncated"]
ONE_DAY = "2026-06-23T10:15:00.000Z"


def clear(http, key=KEY) -> int:
    reply = http.request("DELETE", "/_sandbox/requests", key=key)
    assert reply.status == 200, reply.body
    return reply.data["cleared"]


def journal(http, key=KEY, **filters) -> dict:
    path = "/_sandbox/requests" + (f"?{urlencode(filters)}" if filters else "")
    reply = http.get(path, key=key)
    assert reply.status == 200, reply.body
    assert reply.body["message"] == "Requests fetched successfully"
    return reply.data


def entries(http, key=KEY, **filters) -> list:
    return journal(http, key, **filters)["data"]


@pytest.fixture
def fresh(http):
    """The suite's key (and OTHER) with empty journals."""
    clear(http)
    clear(http, OTHER)
    return http


def make_requests(http, n, key=KEY):
    for _ in range(n):
        assert http.get("/_sandbox/clock", key=key).status == 200


# -- what an entry holds ------------------------------------------------------------------------

def test_list_requests__records_a_success(fresh, api):
    wallet = api.wallet(BUYER)
    data = journal(fresh)
    assert (data["count"], data["dropped"], data["capacity"]) == (1, 0, JOURNAL_SIZE)
    [entry] = data["data"]
    assert list(entry) == ENTRY_KEYS
    assert isinstance(entry["id"], int)
    assert isinstance(entry["latencyMs"], float) and 0 <= entry["latencyMs"] < 10_000
    assert {k: v for k, v in entry.items() if k not in ("id", "latencyMs")} == {
        "at": START, "method": "GET", "path": "/v1/wallet", "query": {}, "status": 200,
        "customerId": BUYER, "scenario": None, "profile": "2026-06", "ip": "127.0.0.1",
        "requestBody": None, "requestBodyTruncated": False,
        "responseBody": {"status": 200, "message": "Wallet fetched successfully", "data": wallet},
        "responseBodyTruncated": False,
    }


def test_list_requests__records_errors_with_both_bodies(fresh, api):
    body = pay_body(UNKNOWN_ID)
    reply = fresh.post("/v1/payment/escrow", customer=BUYER, json=body)
    assert reply.status == 400
    [entry] = entries(fresh)
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/v1/payment/escrow", 400)
    assert entry["requestBody"] == body
    assert entry["responseBody"] == reply.body and reply.body["data"] == {}


def test_list_requests__records_validation_errors_and_a_malformed_body(fresh, api):
    bad = fresh.post("/v1/customer/create", body=b"{not json", headers={"Content-Type": "application/json"})
    api.error(bad, 400, "Malformed JSON in request body")
    [entry] = entries(fresh)
    assert (entry["status"], entry["requestBody"], entry["requestBodyTruncated"]) == (400, "{not json", False)
    assert entry["responseBody"] == {"status": 400, "message": "Malformed JSON in request body", "data": {}}


def test_list_requests__query_parameters(fresh, api):
    fresh.get("/v1/customers?limit=2&page=1&email=a%40b.ng")
    fresh.get("/v1/customers?limit=5&limit=6")
    newest, oldest = entries(fresh)
    assert oldest["query"] == {"limit": "2", "page": "1", "email": "a@b.ng"}
    assert newest["query"] == {"limit": ["5", "6"]}


def test_list_requests__scenario_header(fresh, api):
    fresh.get("/v1/wallet", customer=BUYER, headers={"X-Sandbox-Scenario": "journal_probe_unknown"})
    [entry] = entries(fresh)
    assert entry["scenario"] == "journal_probe_unknown"


def test_list_requests__scenario_by_header_and_its_added_latency(fresh, api):
    """The scenarios module names the applied scenario (`g.scenario`), parameters aside, and the
    latency it adds is part of the measured time."""
    reply = fresh.get("/v1/wallet", customer=BUYER, headers={"X-Sandbox-Scenario": "latency; ms=60"})
    assert reply.status == 200
    [entry] = entries(fresh)
    assert (entry["scenario"], entry["status"]) == ("latency", 200)
    assert entry["latencyMs"] >= 60


def test_list_requests__scenario_by_magic_value(fresh, api):
    escrow = api.create_milestone_escrow()
    clear(fresh)
    reply = fresh.post("/v1/payment/escrow", customer=BUYER,
                       json=pay_body(escrow["id"], gateway="card", reference="sbx_decline_order_1"))
    [entry] = entries(fresh)
    assert (entry["scenario"], entry["status"], entry["responseBody"]) == ("card_declined", reply.status, reply.body)
    assert reply.status == 400


def test_list_requests__lost_response_is_journaled_as_answered(fresh, api):
    """`response_lost`: the client gets no answer, the journal keeps the one the server made."""
    escrow = api.create_milestone_escrow()
    clear(fresh)
    with pytest.raises(OSError):  # ResponseLost in-process; requests.ConnectionError (an IOError) live
        fresh.post("/v1/payment/escrow", customer=BUYER, json=pay_body(escrow["id"]),
                   headers={"X-Sandbox-Scenario": "response_lost"})
    [entry] = entries(fresh)
    assert (entry["scenario"], entry["status"]) == ("response_lost", 200)
    assert entry["responseBody"]["data"]["status"] == "SUCCESS"


def test_list_requests__multipart_with_a_file(fresh, api):
    content = b"\x89PNG fake image" * 10
    escrow = api.create_escrow(files={"imageUrl": [("shoe.png", content)]})
    [entry] = entries(fresh)
    assert (entry["path"], entry["status"], entry["customerId"]) == ("/v1/escrow/create", 201, SELLER)
    assert entry["requestBody"] == {
        "amount": "150000", "purpose": 'MacBook Pro 14"', "whoPays": "both", "description": "Space grey, sealed",
        "maxDelivery": "3", "deliveryTimeline": "days", "totalQuantity": "1",
        "imageUrl": {"filename": "shoe.png", "size": len(content)},
    }
    assert entry["responseBody"]["data"]["id"] == escrow["id"]


def test_list_requests__multipart_with_two_files(fresh, api):
    files = {"imageUrl": [("a.png", b"a" * 3), ("b.png", b"b" * 5)]}
    api.create_escrow(files=files)
    [entry] = entries(fresh)
    assert entry["requestBody"]["imageUrl"] == [{"filename": "a.png", "size": 3}, {"filename": "b.png", "size": 5}]


def test_list_requests__bodies_cut_at_4_kib(fresh, api):
    long_text = "x" * (journal_module.BODY_LIMIT * 2)
    reply = fresh.post("/v1/customer/create", json={"firstname": long_text})
    assert reply.status == 400
    [entry] = entries(fresh)
    assert entry["requestBodyTruncated"] is True
    assert isinstance(entry["requestBody"], str) and len(entry["requestBody"]) == journal_module.BODY_LIMIT
    assert entry["requestBody"].startswith('{"firstname": "xxx') or entry["requestBody"].startswith('{"firstname":"xxx')
    assert entry["responseBodyTruncated"] is False


def test_list_requests__long_response_cut(fresh, api):
    for _ in range(6):
        api.create_milestone_escrow()
    state = fresh.get("/_sandbox/state")
    assert state.status == 200 and len(json.dumps(state.body)) > journal_module.BODY_LIMIT
    entry = entries(fresh, path="/_sandbox/state")[0]
    assert entry["responseBodyTruncated"] is True
    assert isinstance(entry["responseBody"], str) and entry["responseBody"].startswith('{"status":')
    assert len(entry["responseBody"].encode()) <= journal_module.BODY_LIMIT


def test_list_requests__oversize_body_is_not_read(fresh, api):
    body = b'{"firstname": "' + b"x" * (1024 * 1024) + b'"}'
    api.error(fresh.post("/v1/customer/create", body=body, headers={"Content-Type": "application/json"}),
              413, "Request body too large (limit 1 MiB)")
    [entry] = entries(fresh)
    assert entry["status"] == 413
    assert (entry["requestBody"], entry["requestBodyTruncated"]) == (
        {"contentType": "application/json", "size": len(body)}, True)


def test_list_requests__binary_body_kept_as_type_and_size(fresh, api):
    fresh.post("/v1/customer/create", body=b"\x00\x01binary", headers={"Content-Type": "application/octet-stream"})
    [entry] = entries(fresh)
    assert (entry["requestBody"], entry["requestBodyTruncated"]) == (
        {"contentType": "application/octet-stream", "size": 8}, False)


def test_list_requests__form_fields_cut_at_4_kib(fresh, api):
    fresh.post("/v1/escrow/create", customer=SELLER, data={"amount": "1000", "purpose": "p" * 5000, "whoPays": "both"})
    [entry] = entries(fresh)
    assert entry["requestBodyTruncated"] is True
    assert entry["requestBody"]["purpose"] == "p" * journal_module.BODY_LIMIT
    assert entry["requestBody"]["amount"] == "1000"


def test_list_requests__latency_is_real_time(fresh, api):
    api.wallet(BUYER)
    [entry] = entries(fresh)
    assert entry["latencyMs"] > 0


def test_list_requests__time_on_the_namespace_clock(fresh, api):
    api.wallet(BUYER)
    assert fresh.post("/_sandbox/clock/advance", json={"seconds": 86400}).status == 200
    api.wallet(BUYER)
    later, advance, first = entries(fresh)
    assert (first["at"], advance["at"], later["at"]) == (START, ONE_DAY, ONE_DAY)
    assert advance["path"] == "/_sandbox/clock/advance"
    assert [e["id"] for e in entries(fresh, since=ONE_DAY)] == [later["id"], advance["id"]]


# -- what is not journaled ------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, key, status", [
    ("GET", "/v1/no-such-route", KEY, 404),
    ("DELETE", "/v1/wallet", KEY, 405),
    ("GET", "/v1/wallet", None, 401),
    ("GET", "/v1/wallet", "sk_live_journal", 403),
    ("GET", "/healthz", KEY, 200),
])
def test_list_requests__requests_without_a_namespace_are_not_journaled(fresh, method, path, key, status):
    """Unknown routes, refused keys and public views never reach a namespace (auth skips them),
    so they are not attributed to anyone."""
    assert fresh.request(method, path, key=key, customer=BUYER).status == status
    assert journal(fresh)["count"] == 0


def test_list_requests__reading_the_journal_is_not_journaled(fresh, api):
    api.wallet(BUYER)
    for _ in range(3):
        journal(fresh)
    fresh.get("/_sandbox/requests/999999999")
    fresh.get("/_sandbox/requests?limit=0")
    clear_reply = fresh.request("DELETE", "/_sandbox/requests")
    assert clear_reply.data == {"cleared": 1}
    assert journal(fresh)["count"] == 0


def test_list_requests__other_controls_are_journaled(fresh, api):
    assert fresh.get("/_sandbox/ledger").status == 200
    assert fresh.get("/_sandbox/invariants").status == 200
    assert [e["path"] for e in entries(fresh)] == ["/_sandbox/invariants", "/_sandbox/ledger"]


def test_list_requests__reset_of_every_namespace_is_journaled(fresh, api):
    api.wallet(BUYER)
    assert fresh.post("/_sandbox/reset?all=true").status == 200
    [entry] = entries(fresh)
    assert (entry["path"], entry["query"], entry["status"]) == ("/_sandbox/reset", {"all": "true"}, 200)


# -- secrets ----------------------------------------------------------------------------------------

def test_list_requests__never_holds_a_secret_key(fresh, api):
    fork_key = "sk_test_journal_fork_target"
    api.wallet(BUYER)
    fresh.post("/v1/customer/create", json={"firstname": KEY, "lastname": f"x {KEY} y", "email": "k@x.ng"})
    fresh.get(f"/v1/customers?email={KEY}", customer=KEY)
    fresh.post("/_sandbox/fork", json={"key": fork_key, "replace": True})
    fresh.post("/v1/escrow/create", customer=SELLER, data={"amount": "1000", "purpose": KEY, "whoPays": "both"},
               files={"imageUrl": [(f"{KEY}.png", b"x")]})
    fresh.get("/v1/wallet", customer=BUYER, headers={"X-Sandbox-Scenario": KEY})
    data = journal(fresh)
    assert data["count"] == 6
    text = json.dumps(data)
    for secret in (KEY, fork_key, "Bearer", "Authorization"):
        assert secret not in text
    assert "sk_test_[REDACTED]" in text
    fork = entries(fresh, path="/_sandbox/fork")[0]
    assert fork["requestBody"] == {"key": "sk_test_[REDACTED]", "replace": True}
    for entry in data["data"]:
        assert fresh.get(f"/_sandbox/requests/{entry['id']}").status == 200
        assert KEY not in json.dumps(fresh.get(f"/_sandbox/requests/{entry['id']}").body)


def test_redact__keys_anywhere_and_cut_ones():
    assert journal_module.redact("a sk_test_abc-DEF_1 b sk_live_x") == "a sk_test_[REDACTED] b sk_live_[REDACTED]"
    assert journal_module.redact("tail sk_test_") == "tail sk_test_[REDACTED]"
    assert journal_module.redact("pk_test_abc") == "pk_test_abc"
    assert journal_module.redact(None) is None


# -- filters and limit --------------------------------------------------------------------------------

@pytest.fixture
def mixed(fresh, api):
    """Four requests: GET wallet (200), POST pay unknown escrow (400), GET unknown customer (400),
    GET ledger (200); returns their paths oldest first."""
    api.wallet(BUYER)
    fresh.post("/v1/payment/escrow", customer=BUYER, json=pay_body(UNKNOWN_ID))
    fresh.get("/v1/escrow/verify/PY_ABCDEFGH1234", customer=SELLER)
    fresh.get("/_sandbox/ledger")
    return fresh


def paths(http, **filters):
    return [e["path"] for e in entries(http, **filters)]


def test_list_requests__newest_first(mixed):
    assert paths(mixed) == ["/_sandbox/ledger", "/v1/escrow/verify/PY_ABCDEFGH1234", "/v1/payment/escrow",
                            "/v1/wallet"]
    ids = [e["id"] for e in entries(mixed)]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


def test_list_requests__filter_method(mixed):
    assert paths(mixed, method="post") == ["/v1/payment/escrow"]
    assert paths(mixed, method="PUT") == []


def test_list_requests__filter_path_prefix(mixed):
    assert paths(mixed, path="/v1/") == ["/v1/escrow/verify/PY_ABCDEFGH1234", "/v1/payment/escrow", "/v1/wallet"]
    assert paths(mixed, path="/v1/escrow") == ["/v1/escrow/verify/PY_ABCDEFGH1234"]
    assert paths(mixed, path="/_sandbox") == ["/_sandbox/ledger"]


def test_list_requests__filter_status(mixed):
    statuses = {e["path"]: e["status"] for e in entries(mixed)}
    assert statuses["/v1/payment/escrow"] == 400
    assert paths(mixed, status="200") == ["/_sandbox/ledger", "/v1/wallet"]
    assert paths(mixed, status="2xx") == ["/_sandbox/ledger", "/v1/wallet"]
    failed = [p for p, s in statuses.items() if 400 <= s < 500]
    assert paths(mixed, status="4xx") == [p for p in paths(mixed) if p in failed] and len(failed) == 2
    assert paths(mixed, status="4XX") == paths(mixed, status="4xx")
    assert paths(mixed, status="5xx") == []
    assert journal(mixed, status="4xx")["count"] == 2


def test_list_requests__filter_customer_id(mixed):
    assert paths(mixed, customerId=BUYER) == ["/v1/payment/escrow", "/v1/wallet"]
    assert paths(mixed, customerId=SELLER.upper()) == ["/v1/escrow/verify/PY_ABCDEFGH1234"]
    assert paths(mixed, customerId=UNKNOWN_ID) == []


def test_list_requests__filter_since(mixed):
    assert len(entries(mixed, since=START)) == 4
    assert entries(mixed, since="2026-06-22T10:15:00.001Z") == []
    assert len(entries(mixed, since="2026-06-22T11:15:00+01:00")) == 4


def test_list_requests__filters_combine(mixed):
    assert paths(mixed, method="GET", status="4xx", customerId=SELLER, path="/v1/") == [
        "/v1/escrow/verify/PY_ABCDEFGH1234"]


def test_list_requests__limit(mixed):
    data = journal(mixed, limit=2)
    assert [e["path"] for e in data["data"]] == ["/_sandbox/ledger", "/v1/escrow/verify/PY_ABCDEFGH1234"]
    assert data["count"] == 4
    assert len(entries(mixed, limit=1000)) == 4


def test_list_requests__default_limit_is_50(fresh):
    make_requests(fresh, 55)
    data = journal(fresh)
    assert (len(data["data"]), data["count"]) == (50, 55)


@pytest.mark.parametrize("query, message", [
    ("status=abc", '"status" must be a status code (404) or a class (4xx)'),
    ("status=6xx", '"status" must be a status code (404) or a class (4xx)'),
    ("status=40", '"status" must be a status code (404) or a class (4xx)'),
    ("since=yesterday", '"since" must be an ISO-8601 instant (2026-06-22T10:15:00.000Z)'),
    ("limit=0", '"limit" must be greater than or equal to 1'),
    ("limit=1001", '"limit" must be less than or equal to 1000'),
    ("limit=ten", '"limit" must be an integer'),
    ("method=", '"method" is not allowed to be empty'),
    ("path=", '"path" is not allowed to be empty'),
    ("customerId=", '"customerId" is not allowed to be empty'),
    ("foo=1", '"foo" is not allowed'),
])
def test_list_requests__bad_filters(fresh, api, query, message):
    api.error(fresh.get(f"/_sandbox/requests?{query}"), 400, message)


def test_list_requests__needs_a_key(fresh, api):
    api.error(fresh.get("/_sandbox/requests", key=None), 401, "No token provided")
    api.error(fresh.get("/_sandbox/requests", key="sk_live_nope"), 403, "Unauthorized Access")
    api.error(fresh.request("DELETE", "/_sandbox/requests", key=None), 401, "No token provided")
    api.error(fresh.get("/_sandbox/requests/1", key=None), 401, "No token provided")


# -- bound ------------------------------------------------------------------------------------------------

def test_list_requests__bounded_at_capacity(fresh):
    make_requests(fresh, JOURNAL_SIZE + 3)
    data = journal(fresh, limit=1000)
    assert (data["count"], data["dropped"], data["capacity"]) == (JOURNAL_SIZE, 3, JOURNAL_SIZE)
    ids = [e["id"] for e in data["data"]]
    assert ids == list(range(ids[0], ids[0] - JOURNAL_SIZE, -1))
    assert clear(fresh) == JOURNAL_SIZE
    assert journal(fresh)["dropped"] == 0


def test_list_requests__oldest_drop_off(app):
    """In-process, with a journal of 5: the oldest entries go and are counted as dropped."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {KEY}"}
    ns = app.extensions["sandbox"].store.namespace(KEY)
    ns.journal = collections.deque(maxlen=5)
    for n in range(8):
        client.get(f"/_sandbox/clock?n={n}", headers=headers)
    data = client.get("/_sandbox/requests", headers=headers).get_json()["data"]
    assert (data["count"], data["dropped"], data["capacity"]) == (5, 3, 5)
    assert [e["query"] for e in data["data"]] == [{"n": str(n)} for n in (7, 6, 5, 4, 3)]
    assert [e["id"] for e in data["data"]] == [8, 7, 6, 5, 4]
    gone = client.get("/_sandbox/requests/1", headers=headers)
    assert gone.status_code == 400 and gone.get_json()["message"] == "Request not found"


# -- one entry, clearing ----------------------------------------------------------------------------------

def test_get_request(mixed, api):
    listed = entries(mixed)
    for entry in listed:
        reply = mixed.get(f"/_sandbox/requests/{entry['id']}")
        assert reply.status == 200 and reply.body["message"] == "Request fetched successfully"
        assert reply.data == entry


@pytest.mark.parametrize("entry_id", ["999999999", "abc", "-1", "0"])
def test_get_request__not_found(fresh, api, entry_id):
    api.wallet(BUYER)
    api.error(fresh.get(f"/_sandbox/requests/{entry_id}"), 400, "Request not found")


def test_clear_requests(mixed, api):
    before = entries(mixed)
    reply = mixed.request("DELETE", "/_sandbox/requests")
    assert (reply.status, reply.body) == (200, {"status": 200, "message": "Requests cleared successfully",
                                                "data": {"cleared": 4}})
    assert journal(mixed) == {"data": [], "count": 0, "dropped": 0, "capacity": JOURNAL_SIZE}
    api.error(mixed.get(f"/_sandbox/requests/{before[0]['id']}"), 400, "Request not found")
    api.wallet(BUYER)
    [entry] = entries(mixed)
    assert entry["id"] > before[0]["id"]  # ids are never reused
    assert clear(mixed) == 1 and clear(mixed) == 0


def test_clear_requests__survives_reset(fresh, api):
    """The journal is beside the state: a reset neither clears nor is hidden from it."""
    api.wallet(BUYER)
    assert fresh.post("/_sandbox/reset").status == 200
    assert paths(fresh) == ["/_sandbox/reset", "/v1/wallet"]


# -- isolation ------------------------------------------------------------------------------------------

def test_list_requests__isolated_per_key(fresh, api):
    api.wallet(BUYER)
    assert fresh.get("/v1/wallet", key=OTHER, customer=SELLER).status == 200
    assert fresh.get("/_sandbox/ledger", key=OTHER).status == 200
    mine, theirs = entries(fresh), entries(fresh, key=OTHER)
    assert [(e["path"], e["customerId"]) for e in mine] == [("/v1/wallet", BUYER)]
    assert [(e["path"], e["customerId"]) for e in theirs] == [("/_sandbox/ledger", None), ("/v1/wallet", SELLER)]
    # Ids count per namespace: OTHER may hold an entry with the same number, but never this one.
    seen = fresh.get(f"/_sandbox/requests/{mine[0]['id']}", key=OTHER)
    assert seen.status == 400 or seen.data["customerId"] != BUYER
    assert clear(fresh, OTHER) == 2
    assert len(entries(fresh)) == 1


# -- robustness (in-process) ---------------------------------------------------------------------------

def test_journal__a_failing_journal_never_fails_the_request(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("journal broken")

    monkeypatch.setattr(journal_module, "capture_raw", broken)
    client = app.test_client()
    reply = client.get("/v1/wallet", headers={"Authorization": f"Bearer {KEY}", "customer-id": BUYER})
    assert reply.status_code == 200 and reply.get_json()["message"] == "Wallet fetched successfully"


def test_journal__a_request_that_fails_after_its_view_is_journaled_as_500():
    """A later after_request hook that raises leaves no response for the journal's hook; the
    teardown hook records the request as a 500."""
    from sandbox import create_app

    app = create_app(make_config())  # its own: it gains a hook

    @app.after_request
    def explode(response):
        raise RuntimeError("a hook failed")

    client = app.test_client()
    headers = {"Authorization": f"Bearer {KEY}"}
    assert client.get("/v1/wallet", headers={**headers, "customer-id": BUYER}).status_code == 500
    ns = app.extensions["sandbox"].store.namespace(KEY)
    [entry] = [journal_module.render(e) for e in ns.journal_entries()]
    assert (entry["path"], entry["status"], entry["responseBody"]) == ("/v1/wallet", 500, None)


def test_journal__off_when_the_controls_are_off():
    from sandbox import create_app

    app = create_app(make_config(controls=False))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {KEY}", "customer-id": BUYER}
    assert client.get("/v1/wallet", headers=headers).status_code == 200
    assert client.get("/_sandbox/requests", headers=headers).status_code == 404
    assert app.extensions["sandbox"].store.namespace(KEY).journal_entries() == []
