"""The Redis backend (sandbox/store/redis/store.py) beyond the shared API suite (which runs on it as
the `redis` parameter of `http`): two worker processes serving one sandbox, a webhook sent
once, state kept across a restart of every worker, Redis restarted under traffic, fencing and
roll-back, idle expiry, the Cluster-ready key layout, and round trips per operation.

Each test uses its own Redis database (or its own redis-server) so the in-process suite's
FLUSHDB never meets a running server's data.
"""

import threading
import time
from collections import Counter

import pytest
import redis as redis_py
import requests
from redis.crc import key_slot

from sandbox import create_app
from sandbox.domain.errors import STORE_UNAVAILABLE
from sandbox.store.redis import PREFIX, RedisStore
from sandbox.store.base import StoreUnavailable
from tests.api.test_webhooks import Receiver, wait_for
from tests.conftest import (
    BENEFICIARY, BUYER, KEY, SEED, SELLER, START, Api, InProcessHttp, LiveHttp, make_config, running_server,
)
from tests.redis_server import database

BODY = {"amount": 3000, "purpose": "Shared", "whoPays": "buyer",
        "milestones": [{"title": "a", "amount": 1000, "customerId": BENEFICIARY}, {"title": "b", "amount": 2000}]}


def server(url: str, *extra):
    return running_server("--seed", str(SEED), "--clock-start", START, "--store", url, *extra)


def fresh_connection_api(base: str) -> Api:
    """An Api whose every request opens a new connection, so the kernel spreads them over
    the workers (a kept-alive session would stay with one)."""
    http = LiveHttp(base)
    http.session = type("NoKeepAlive", (), {"request": staticmethod(
        lambda *a, **kw: requests.request(*a, **{**kw, "headers": {**kw.get("headers", {}), "Connection": "close"}}))})()
    return Api(http)


def workers_seen(base: str, tries: int = 200) -> set:
    pids = set()
    for _ in range(tries):
        pids.add(requests.get(base + "/healthz", headers={"Connection": "close"}, timeout=5).json()["data"]["worker"])
        if len(pids) >= 2:
            break
    return pids


def flow(api: Api) -> dict:
    escrow = api.create_milestone_escrow(BODY)
    api.pay(escrow["id"])
    for milestone in escrow["milestones"]:
        api.confirm(escrow["id"], milestone["id"])
    return escrow


# -- two workers, one sandbox ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_workers(redis_url):
    url = database(redis_url, 2)
    with server(url, "--workers", "2") as base:
        yield base, url


def test_two_workers_serve_one_sandbox(two_workers):
    base, _ = two_workers
    assert len(workers_seen(base)) == 2, "both worker processes answer"
    api = fresh_connection_api(base)
    api.http.post("/_sandbox/reset")
    before = api.balances(SELLER, BENEFICIARY, BUYER)
    escrow = flow(api)  # every request on a new connection: the workers take turns at random
    done = api.verify(escrow["paymentToken"])
    assert (done["state"], done["status"]) == ("CLOSED", "COMPLETED")
    assert api.balances(SELLER, BENEFICIARY, BUYER) == {
        SELLER: before[SELLER] + 2000, BENEFICIARY: before[BENEFICIARY] + 1000, BUYER: before[BUYER] - 3075}
    assert api.http.get("/_sandbox/invariants").data == {"ok": True, "violations": []}
    entries = api.http.get("/_sandbox/requests?limit=100").data["data"]
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)) and ids == sorted(ids, reverse=True), "one journal, ids unique across workers"


def test_a_webhook_is_delivered_once_not_once_per_worker(two_workers):
    base, _ = two_workers
    receiver = Receiver()
    try:
        api = fresh_connection_api(base)
        api.http.post("/_sandbox/reset")
        assert api.http.put("/_sandbox/webhook", json={"url": receiver.url}).status == 200
        flow(api)
        wait_for(lambda: len(receiver.received) >= 4)
        time.sleep(1.5)  # three dispatcher ticks of both workers: nothing more may arrive
        # Once each; the order is not asserted: two workers may send two events of one namespace
        # at the same moment (README "Scale-out": the order across workers is not guaranteed).
        assert Counter(receiver.events()) == Counter(
            ["escrow.created", "escrow.pending", "escrow.ongoing", "escrow.completed"])
        events = api.http.get("/_sandbox/events").data["data"]
        assert Counter(e["status"] for e in events) == {"DELIVERED": 4}
        assert len(api.http.get("/_sandbox/webhooks/deliveries").data["data"]) == 4
    finally:
        receiver.close()


def test_a_restart_of_every_worker_keeps_the_state(redis_url):
    url = database(redis_url, 3)
    with server(url, "--workers", "2") as base:
        api = Api(LiveHttp(base))
        escrow = api.funded_milestone_escrow(BODY)
        api.confirm(escrow["id"], escrow["milestones"][0]["id"])
        assert api.http.post("/_sandbox/snapshots", json={"name": "before-restart"}).status == 201
        state = api.http.get("/_sandbox/state").data["state"]
    with server(url, "--workers", "2") as base:  # new processes, the same Redis
        api = Api(LiveHttp(base))
        assert api.http.get("/_sandbox/state").data["state"] == state
        assert [s["name"] for s in api.http.get("/_sandbox/snapshots").data] == ["before-restart"]
        api.confirm(escrow["id"], escrow["milestones"][1]["id"])
        assert api.verify(escrow["paymentToken"])["status"] == "COMPLETED"


# -- faults ---------------------------------------------------------------------------------------


def test_redis_restarted_mid_traffic__503_then_served_again(tmp_path):
    """While Redis is down every request gets the 503 envelope (fast, no 500, no hang); once it
    is back the same sandbox processes serve again, webhooks included (the dispatchers lived
    through it). This Redis keeps nothing on disk, so the namespace comes back from the fixtures."""
    from tests.redis_server import running_redis

    receiver = Receiver()
    with running_redis() as store, server(store.url, "--workers", "2", "--webhook-url", receiver.url) as base:
        answers, stop = [], threading.Event()

        def traffic():
            session = requests.Session()
            headers = {"Authorization": f"Bearer {KEY}", "customer-id": SELLER}
            while not stop.is_set():
                reply = session.post(base + "/v1/escrow/milestone/create", json=BODY, headers=headers, timeout=10)
                answers.append((reply.status_code, reply.json(), reply.headers.get("Retry-After")))

        worker = threading.Thread(target=traffic)
        worker.start()
        try:
            wait_for(lambda: len(answers) >= 20)
            store.stop()
            down_from = len(answers)
            wait_for(lambda: len(answers) >= down_from + 20)
            store.start()
            up_from, delivered = len(answers), len(receiver.received)
            wait_for(lambda: any(a[0] == 201 for a in answers[up_from:]), timeout=15)
            wait_for(lambda: len(receiver.received) > delivered, timeout=15)
        finally:
            stop.set()
            worker.join()
            receiver.close()
    statuses = Counter(a[0] for a in answers)
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[503] >= 10
    for status, body, retry in answers:
        if status == 503:
            assert body == {"status": 503, "message": STORE_UNAVAILABLE, "data": {}} and retry == "1"


@pytest.fixture
def redis_app(redis_url):
    """Makes an app on an emptied database of the suite's Redis (and a client of that database);
    each is closed after the test (its webhook dispatcher stopped, its connections closed)."""
    made = []

    def make(number: int = 4):
        url = database(redis_url, number)
        made.append(create_app(make_config(store=url)))
        client = redis_py.Redis.from_url(url)
        made.append(client)
        return made[-2], client

    yield make
    for thing in made:
        thing.close()


def test_a_commit_after_the_lock_expired_is_refused_and_applies_nothing(redis_app):
    """Fencing: a worker that stalled past the lock's expiry cannot commit over another's work."""
    app, r = redis_app()
    store = app.extensions["sandbox"].store
    other = RedisStore(store.build, store.url)  # a second worker on the same Redis
    slow, fast = store.namespace(KEY), other.namespace(KEY)
    with pytest.raises(StoreUnavailable, match="lock expired"):
        with slow.lock:
            customer = slow.get("customers", SELLER)
            customer["firstname"] = "Stale"
            slow.save("customers", customer)
            r.delete(slow.k("lock"))  # the lock's PX ran out while this worker stalled
            with fast.lock:
                fresh = fast.get("customers", SELLER)
                fresh["firstname"] = "Winner"
                fast.save("customers", fresh)
    assert fast.get("customers", SELLER)["firstname"] == "Winner"
    other.close()


def test_an_operation_that_raises_applies_nothing(redis_app):
    app, _ = redis_app()
    ns = app.extensions["sandbox"].store.namespace(KEY)
    before = ns.export_state()
    with pytest.raises(RuntimeError):
        with ns.lock:
            ns.append_posting({"id": "x", "kind": "test", "entries": [["a", 5], ["b", -5]]})
            ns.save("customers", {**ns.get("customers", SELLER), "firstname": "Half"})
            raise RuntimeError("the operation fails half-way")
    assert ns.export_state() == before


# -- expiry, key layout, round trips ----------------------------------------------------------------


def namespace_keys(r, ns) -> list[str]:
    return sorted(k.decode() for k in r.scan_iter(match=f"{PREFIX}:{{{ns.id}}}:*"))


def test_idle_namespaces_expire_and_come_back_from_the_fixtures(redis_app):
    app, r = redis_app()
    store = app.extensions["sandbox"].store
    store.ttl_ms, store.touch_seconds = 1000, 0.2  # the setting's minimum is 60 s; here 1 s
    api = Api(InProcessHttp(app))
    escrow = api.create_milestone_escrow(BODY)
    ns = store.namespace(KEY)
    keys = namespace_keys(r, ns)
    assert keys and all(0 < r.pttl(k) <= 1000 for k in keys)
    assert store.keys() == [KEY]
    time.sleep(1.3)
    assert namespace_keys(r, ns) == [] and store.keys() == []
    assert r.hlen(f"{PREFIX}:registry") == 0 and r.zcard(f"{PREFIX}:active") == 0  # forgotten too
    api.error(api.http.get(f"/v1/escrow/verify/{escrow['paymentToken']}"), 400, "Escrow not found")
    assert api.wallet(BUYER)["mainBalance"] == 5_000_000  # rebuilt from the fixtures


def test_every_key_of_a_namespace_lives_in_one_cluster_slot(redis_app):
    app, r = redis_app()
    api = Api(InProcessHttp(app))
    flow(api)
    assert api.http.post("/_sandbox/snapshots", json={"name": "s"}).status == 201
    api.http.get("/v1/wallet", key="sk_test_second_namespace", customer=BUYER)
    keys = [k.decode() for k in r.scan_iter(match="*")]
    assert not any(KEY in k or "sk_test" in k for k in keys), "no secret key in a key name"
    tagged = [k for k in keys if "{" in k]
    tags = {k[k.index("{"):k.index("}") + 1] for k in tagged}
    assert len(tags) == 2
    for tag in tags:
        slots = {key_slot(k.encode()) for k in tagged if tag in k}
        assert len(slots) == 1, f"{tag}: {slots}"
    assert sorted(k for k in keys if "{" not in k) == [f"{PREFIX}:active", f"{PREFIX}:registry"]
    assert len(tags) == len(app.extensions["sandbox"].store.keys()) == 2


class RoundTrips:
    """Counts what this thread sends to Redis: each send is one round trip (a pipeline or a
    script is one). Other threads (webhook dispatchers of other apps) are not counted."""

    def __init__(self, monkeypatch):
        self.count = 0
        original = redis_py.connection.AbstractConnection.send_packed_command
        me = threading.get_ident()

        def counted(connection, *args, **kwargs):
            if threading.get_ident() == me:
                self.count += 1
            return original(connection, *args, **kwargs)

        monkeypatch.setattr(redis_py.connection.AbstractConnection, "send_packed_command", counted)

    def of(self, action) -> int:
        before = self.count
        action()
        return self.count - before


def test_by_id_operations_cost_the_same_round_trips_at_any_size(redis_app, monkeypatch):
    app, _ = redis_app()
    api = Api(InProcessHttp(app))
    trips = RoundTrips(monkeypatch)

    def costs() -> dict:
        escrow = {}
        out = {"create": trips.of(lambda: escrow.update(api.create_milestone_escrow(BODY)))}
        out["pay"] = trips.of(lambda: api.pay(escrow["id"]))
        out["confirm"] = trips.of(lambda: api.confirm(escrow["id"], escrow["milestones"][0]["id"]))
        out["verify"] = trips.of(lambda: api.verify(escrow["paymentToken"]))
        out["list page"] = trips.of(lambda: api.http.get("/_sandbox/requests?limit=1"))
        return out

    costs()  # the namespace exists, its first-use build is behind us
    small = costs()
    for _ in range(60):
        api.create_milestone_escrow(BODY)
    large = costs()
    print("\nround trips per request (incl. auth, journal):", small)
    assert large == small
    assert all(count <= 12 for count in small.values()), small
