"""The Redis backend (sandbox/store/redis/store.py) beyond the shared API suite (which runs on it as
the `redis` parameter of `http`): two worker processes serving one sandbox, a webhook sent
once, state kept across a restart of every worker, Redis restarted under traffic, fencing and
roll-back, idle expiry, the Cluster-ready key layout, and round trips per operation.

Most run twice, on one Redis and on a three-master Redis Cluster (their parameter `redis` or
`redis-cluster`; the restart of every worker on one Redis only), and the cluster has tests of its
own: namespaces spread over its shards while the global keys stay where keys.py says, and a shard
restarted under traffic.
On one Redis each test uses its own database (or its own redis-server) so the in-process suite's
FLUSHDB never meets a running server's data; the cluster has database 0 only, so each test
flushes it first (conftest's `store_url`) and namespaces are kept apart by their secret keys.
"""

import json
import threading
import time
from collections import Counter

import pytest
import redis as redis_py
import requests
from redis.crc import key_slot

from sandbox import create_app
from sandbox.domain.errors import STORE_UNAVAILABLE
from sandbox.store.redis import PREFIX, RedisStore, connect, keys as key_names
from sandbox.store.base import StoreUnavailable
from tests.api.test_webhooks import Receiver, wait_for
from tests.conftest import (
    BENEFICIARY, BUYER, CLUSTER_LEG, KEY, SEED, SELLER, START, Api, InProcessHttp, LiveHttp, make_config,
    running_server, store_url,
)
from tests.redis_server import database

BACKENDS = ("redis", CLUSTER_LEG)  # one Redis, a Redis Cluster

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


@pytest.fixture(scope="module", params=BACKENDS)
def two_workers(request):
    url = store_url(request, request.param, 2)
    with server(url, "--workers", "2") as base:
        yield base, url


def test_the_dispatcher_skips_quiet_namespaces_and_still_delivers(redis_url):
    """Once a webhook URL is set the dispatcher looks at every namespace each tick; one that had
    nothing pending and has not changed since (its revision, read for all in one trip) is skipped,
    so an idle sandbox of many namespaces costs Redis a few commands a second, not a lock and a
    look at each; an event in a namespace skipped so far is still delivered."""
    receiver = Receiver()
    url = database(redis_url, 8)
    app = create_app(make_config(store=url))
    try:
        api = Api(InProcessHttp(app))
        others = [f"sk_test_quiet_{n}" for n in range(60)]
        for key in others:
            assert api.http.get("/v1/wallet", key=key, customer=BUYER).status == 200
        assert api.http.put("/_sandbox/webhook", json={"url": receiver.url}).status == 200
        flow(api)
        wait_for(lambda: len(receiver.received) >= 4)
        time.sleep(1.2)  # the dispatcher has looked at every namespace at least once since
        admin = redis_py.Redis.from_url(url)
        before = admin.info("stats")["total_commands_processed"]
        time.sleep(2)
        idle = admin.info("stats")["total_commands_processed"] - before - 1  # the INFO itself
        admin.close()
        print(f"\nidle: {idle / 2:.0f} Redis commands a second over {len(others) + 1} namespaces")
        assert idle / 2 < 60, "one listing and one read of the revisions a tick, not a look at each"
        assert api.http.put("/_sandbox/webhook", key=others[7], json={"url": receiver.url}).status == 200
        api.http.post("/_sandbox/helpers/fund-customer", key=others[7], json={"customerId": BUYER, "amount": 100})
        escrow = api.http.post("/v1/escrow/milestone/create", key=others[7], customer=SELLER, json=BODY).data
        wait_for(lambda: any(json.loads(r["body"])["data"].get("id") == escrow["id"] for r in receiver.received))
    finally:
        app.close()
        receiver.close()


def test_idle_namespace_handles_are_let_go_and_made_again(redis_app):
    """A worker of a shared sandbox meets a new key per CI job: the handles it keeps (~5 KiB each)
    are let go once unused for HANDLE_IDLE_SECONDS, never one in use; the next use of the key makes a
    new handle on the same state."""
    from sandbox.store.redis import store as store_module

    app, _ = redis_app()
    store = app.extensions["sandbox"].store
    api = Api(InProcessHttp(app))
    escrow = api.create_milestone_escrow(BODY)
    old, busy, recent = store.namespace(KEY), store.namespace("sk_test_busy"), store.namespace("sk_test_recent")
    long_ago = time.monotonic() - store_module.HANDLE_IDLE_SECONDS - 1
    old.used = busy.used = long_ago
    store._pruned = long_ago  # a minute has passed since the last look
    with busy.lock:
        busy.used = long_ago
        store.namespace("sk_test_new")  # a new handle: the look happens
        assert set(store._handles) == {"sk_test_busy", "sk_test_recent", "sk_test_new"}
    store.namespace("sk_test_newer")
    assert "sk_test_busy" in store._handles, "looked at most once a minute"
    again = store.namespace(KEY)
    assert again is not old
    assert api.verify(escrow["paymentToken"])["id"] == escrow["id"]
    assert recent is store.namespace("sk_test_recent")


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
        # Once each, and in order: one sender at a time has a namespace's deliveries in hand, so
        # the two workers never send two of its events at once (domain/outbox.py `take_due`).
        assert receiver.events() == ["escrow.created", "escrow.pending", "escrow.ongoing", "escrow.completed"]
        events = api.http.get("/_sandbox/events").data["data"]
        assert Counter(e["status"] for e in events) == {"DELIVERED": 4}
        assert len(api.http.get("/_sandbox/webhooks/deliveries").data["data"]) == 4
    finally:
        receiver.close()


def test_a_worker_sends_what_is_due_from_its_start_without_a_request(request):
    """A shared store can hold deliveries due when a worker starts — retries that fell due while
    every worker was down, events a stopped worker held — with no request coming to wake a sender:
    each worker's dispatcher starts with it. (It used to start on the first request that might
    have emitted an event.)"""
    url = store_url(request, "redis", 11)
    receiver = Receiver()
    try:
        app = create_app(make_config(store=url))
        app.extensions["sandbox"].dispatcher.stop()  # a worker that made the event, then stopped
        api = Api(InProcessHttp(app))
        assert api.http.put("/_sandbox/webhook", json={"url": receiver.url}).status == 200
        api.create_milestone_escrow(BODY)
        app.close()
        assert receiver.received == []
        with server(url):
            wait_for(lambda: len(receiver.received) >= 2)  # no request made
        assert receiver.events() == ["escrow.created", "escrow.pending"]
    finally:
        receiver.close()


def test_a_worker_starts_sending_at_its_start_only_when_deliveries_wait(redis_app):
    """`Dispatcher.resume` (a worker's start on a shared store): nothing waiting, no sender runs
    (an idle worker of a sandbox without webhooks costs Redis nothing); an event waiting, it starts."""
    app, _ = redis_app()
    dispatcher = app.extensions["sandbox"].dispatcher
    api = Api(InProcessHttp(app))
    api.create_milestone_escrow(BODY)  # events, but no callback URL: none waiting
    dispatcher.resume().join(10)
    assert dispatcher._thread is None
    dispatcher.stop()  # the sender does not run: the next event stays waiting
    assert api.http.put("/_sandbox/webhook", json={"url": "http://127.0.0.1:9/hook"}).status == 200
    api.create_milestone_escrow(BODY)
    dispatcher._stopped.clear()
    dispatcher.resume().join(10)
    assert dispatcher._thread is not None and dispatcher._thread.is_alive()


def test_the_dispatcher_looks_without_the_lock_when_nothing_waits(redis_app):
    """A namespace that changed since the dispatcher last looked (a busy one, say, with no callback
    URL) is looked at without its lock: the requests it serves never wait for the dispatcher."""
    from sandbox.controlplane.dispatcher import Dispatcher

    app, _ = redis_app()
    store = app.extensions["sandbox"].store
    api, dispatcher = Api(InProcessHttp(app)), Dispatcher(store)
    api.create_milestone_escrow(BODY)  # its events are NOT_SENT: nothing waits
    assert dispatcher.deliver_due(KEY) == []  # found so once (and noted, under the lock)
    api.create_milestone_escrow(BODY)  # the namespace changes; still nothing waits
    takes, begin = [], store.begin
    store.begin = lambda keys, args: (takes.append(bool(args[0])), begin(keys=keys, args=args))[1]
    assert dispatcher.deliver_due(KEY) == []
    assert takes == [False], "one lock-free look, no lock taken"


def test_a_restart_of_every_worker_keeps_the_state(request):
    """(One Redis only, to keep the cluster's share of the suite's time down: new worker processes
    on a cluster reading what others wrote is what `two_workers` does there.)"""
    url = store_url(request, "redis", 3)
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


def test_redis_restarted_mid_traffic__503_then_served_again():
    """While Redis is down every request gets the 503 envelope (fast, no 500, no hang); once it
    is back the same sandbox processes serve again, webhooks included (the dispatchers lived
    through it). This Redis keeps nothing on disk, so the namespace comes back from the fixtures."""
    from tests.redis_server import running_redis

    with running_redis() as store:
        through_an_outage(store.url, store.stop, store.start)


def test_a_cluster_shard_restarted_mid_traffic__503_then_served_again():
    """The same on a Redis Cluster (one of its own), the shard that serves the namespace stopped
    and started again (it rejoins with its slots, empty: the namespace comes back from the
    fixtures). The cluster says CLUSTERDOWN for every slot a second after the shard stops (node
    timeout); the answers are 503 all the same, and quick (connect.py retries once)."""
    from tests.redis_server import running_cluster

    with running_cluster() as cluster:
        store = RedisStore(None, cluster.url)  # for the namespace's key names (a handle reads nothing)
        shard = cluster.node_of(store.namespace(KEY).k("meta"))
        store.close()
        through_an_outage(cluster.url, shard.stop, shard.start)


def through_an_outage(url: str, stop, start) -> None:
    """Traffic on two workers over `url` while the store is stopped (`stop`) and started again
    (`start`): only whole 201s and quick 503 envelopes, then a 201 and a webhook after `start`."""
    receiver = Receiver()
    with server(url, "--workers", "2", "--webhook-url", receiver.url) as base:
        answers, halt = [], threading.Event()

        def traffic():
            session = requests.Session()
            headers = {"Authorization": f"Bearer {KEY}", "customer-id": SELLER}
            while not halt.is_set():
                started = time.monotonic()
                reply = session.post(base + "/v1/escrow/milestone/create", json=BODY, headers=headers, timeout=10)
                answers.append((reply.status_code, reply.json(), reply.headers.get("Retry-After"),
                                time.monotonic() - started))

        worker = threading.Thread(target=traffic)
        worker.start()
        try:
            wait_for(lambda: len(answers) >= 20)
            stop()
            down_from = len(answers)
            wait_for(lambda: len(answers) >= down_from + 20, timeout=20)
            start()
            up_from, delivered = len(answers), len(receiver.received)
            wait_for(lambda: any(a[0] == 201 for a in answers[up_from:]), timeout=15)
            wait_for(lambda: len(receiver.received) > delivered, timeout=15)
        finally:
            halt.set()
            worker.join()
            receiver.close()
    statuses = Counter(a[0] for a in answers)
    assert set(statuses) <= {201, 503}, statuses
    assert statuses[503] >= 10
    for status, body, retry, seconds in answers:
        if status == 503:
            assert body == {"status": 503, "message": STORE_UNAVAILABLE, "data": {}} and retry == "1"
            assert seconds < 2, f"a 503 took {seconds:.1f} s"


@pytest.fixture(params=BACKENDS)
def redis_app(request):
    """Makes an app on an emptied database of the suite's Redis, or on the suite's emptied Redis
    Cluster (and a client of it); each is closed after the test (its webhook dispatcher stopped,
    its connections closed)."""
    made = []

    def make(number: int = 4):
        url = store_url(request, request.param, number)
        made.append(create_app(make_config(store=url)))
        client = connect.client(url)
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


def _rename(ns, name: str) -> None:
    customer = ns.get("customers", SELLER)
    customer["firstname"] = name
    ns.save("customers", customer)


@pytest.mark.parametrize("lost", ["expired", "taken over", "deleted"])
def test_a_lost_lock_refuses_the_commit(redis_url, lost):
    """The commit checks the lock's fence token first: a lock that ran out by itself (nobody took
    it), was taken by another worker, or was deleted, refuses it and nothing is applied."""
    app = create_app(make_config(store=database(redis_url, 5)))
    store = app.extensions["sandbox"].store
    other = RedisStore(store.build, store.url)
    try:
        ns = store.namespace(KEY)
        with ns.lock:
            ns.get("customers", SELLER)  # built and read
        with pytest.raises(StoreUnavailable, match="lock expired"):
            with ns.lock:
                _rename(ns, "Stale")
                if lost == "expired":
                    store.r.pexpire(ns.k("lock"), 1)
                    time.sleep(0.05)
                elif lost == "taken over":
                    store.r.set(ns.k("lock"), "another-token", px=5000)
                else:
                    store.r.delete(ns.k("lock"))
        store.r.delete(ns.k("lock"))
        assert other.namespace(KEY).get("customers", SELLER)["firstname"] != "Stale"
    finally:
        other.close()
        app.close()


def test_nested_locks_keep_their_fences(redis_url):
    """One thread holding two namespaces' locks (a fork does), on one connection: a commit of one
    leaves the other fenced, and a failed take of a third (held elsewhere) disturbs neither."""
    app = create_app(make_config(store=database(redis_url, 6)))
    store = app.extensions["sandbox"].store
    other = RedisStore(store.build, store.url)
    try:
        a, b, c = (store.namespace(f"sk_test_nested_{n}") for n in "abc")
        for ns in (a, b, c):
            with ns.lock:
                ns.get("customers", SELLER)
        with a.lock:  # both commit: nothing lost
            _rename(a, "A1")
            with b.lock:
                _rename(b, "B1")
        assert (a.get("customers", SELLER)["firstname"], b.get("customers", SELLER)["firstname"]) == ("A1", "B1")
        with pytest.raises(StoreUnavailable, match="lock expired"):
            with a.lock:
                _rename(a, "A2")
                with b.lock:
                    _rename(b, "B2")
                store.r.delete(a.k("lock"))  # after b's commit: a's is still checked
        assert a.get("customers", SELLER)["firstname"] == "A1"
        assert b.get("customers", SELLER)["firstname"] == "B2"
        with a.lock:
            _rename(a, "A3")
            with other.namespace(c.key).lock:  # another worker holds c
                assert not c._start("a-token-of-mine")  # this thread's take fails: another holds it
        assert a.get("customers", SELLER)["firstname"] == "A3"
        assert not store.r.exists(c.k("lock"))
    finally:
        other.close()
        app.close()


def test_a_reconnect_under_a_held_lock(redis_url):
    """The connection dropped under a held lock: the commit goes out on a new one — applied when the
    lock is still this worker's, refused when not."""
    app = create_app(make_config(store=database(redis_url, 7)))
    store = app.extensions["sandbox"].store
    try:
        ns = store.namespace(KEY)
        with ns.lock:
            ns.get("customers", SELLER)
        with ns.lock:
            _rename(ns, "Kept")
            store.connections.get().disconnect()  # Redis closed it (a restart, a timeout)
        assert ns.get("customers", SELLER)["firstname"] == "Kept"
        with pytest.raises(StoreUnavailable, match="lock expired"):
            with ns.lock:
                _rename(ns, "Lost")
                store.connections.get().disconnect()
                store.r.set(ns.k("lock"), "another-token", px=5000)  # and another worker took the lock
        store.r.delete(ns.k("lock"))
        assert ns.get("customers", SELLER)["firstname"] == "Kept"
    finally:
        app.close()


def test_the_journal_ids_and_drops_past_its_capacity(redis_app):
    """Journal ids run on without gaps past the capacity, `dropped` counts what fell off, and a
    clear starts the count of dropped again while the ids go on."""
    app, _ = redis_app()
    ns = app.extensions["sandbox"].store.namespace(KEY)
    capacity = ns.journal_capacity
    for n in range(capacity + 5):
        ns.journal_record({"method": "GET", "path": f"/n/{n}", "status": 200})
    entries = ns.journal_entries()
    assert len(entries) == capacity and ns.journal_dropped == 5
    assert [e["id"] for e in entries] == list(range(entries[0]["id"], entries[0]["id"] + capacity))
    assert entries[-1]["path"] == f"/n/{capacity + 4}"
    last = entries[-1]["id"]
    with ns.lock:
        assert ns.journal_clear() == capacity
    assert ns.journal_entries() == [] and ns.journal_dropped == 0
    ns.journal_record({"method": "GET", "path": "/after", "status": 200})
    assert [(e["id"], e["path"]) for e in ns.journal_entries()] == [(last + 1, "/after")]
    assert ns.journal_dropped == 0


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
    assert r.hlen(key_names.REGISTRY) == 0 and r.zcard(key_names.ACTIVE) == 0  # forgotten too
    api.error(api.http.get(f"/v1/escrow/verify/{escrow['paymentToken']}"), 400, "Escrow not found")
    assert api.wallet(BUYER)["mainBalance"] == 5_000_000  # rebuilt from the fixtures


def test_every_key_a_write_creates_gets_the_ttl_without_the_periodic_touch(redis_app):
    """A commit skips the TTL for keys it knows exist (commit.py `existing`): whatever the
    operations, no key of the namespace is ever left without one (it would outlive the namespace)."""
    app, r = redis_app()
    store = app.extensions["sandbox"].store
    api = Api(InProcessHttp(app))
    flow(api)  # built: the first release gave every key the TTL
    store.touch_seconds = 10 ** 9  # from here on only the writes' own TTLs count
    for _ in range(2):
        flow(api)
        assert api.http.post("/_sandbox/snapshots", json={"name": "s"}).status == 201
        flow(api)
        assert api.http.post("/_sandbox/snapshots/s/restore").status == 200
        assert api.http.request("DELETE", "/_sandbox/requests").status == 200
        flow(api)
        assert api.http.post("/_sandbox/reset", json={}).status == 200
        flow(api)
    keys = namespace_keys(r, store.namespace(KEY))
    assert len(keys) > 10
    assert [k for k in keys if r.pttl(k) == -1] == []  # -1: no TTL (-2: gone since, a lock let go)


def test_a_namespace_missing_from_the_registry_lists_itself_again_on_its_next_operation(redis_app):
    """A namespace whose registry entry is gone (an upgrade from the names `sbx:registry` and
    `sbx:active` keeps the namespaces' own keys) is listed again, for the webhook dispatcher, by
    the first operation a (restarted) worker makes on it."""
    app, r = redis_app()
    store = app.extensions["sandbox"].store
    Api(InProcessHttp(app)).create_milestone_escrow(BODY)
    r.delete(key_names.REGISTRY)
    r.delete(key_names.ACTIVE)
    assert store.keys() == []
    restarted = RedisStore(store.build, store.url)
    try:
        assert restarted.namespace(KEY).get("customers", SELLER)["id"] == SELLER  # one locked read
        assert restarted.keys() == store.keys() == [KEY]
    finally:
        restarted.close()


def tag_of(key: str) -> str | None:
    """A key's hash tag, as Redis Cluster reads it (the first `{…}` with something inside), or None."""
    start = key.find("{")
    end = key.find("}", start + 1)
    return key[start:end + 1] if start >= 0 and end > start + 1 else None


def test_every_key_of_a_namespace_lives_in_one_cluster_slot(redis_app):
    app, r = redis_app()
    store = app.extensions["sandbox"].store
    api = Api(InProcessHttp(app))
    flow(api)
    assert api.http.post("/_sandbox/snapshots", json={"name": "s"}).status == 201
    api.http.get("/v1/wallet", key="sk_test_second_namespace", customer=BUYER)
    store.link("page-token", KEY)
    keys = [k.decode() for k in r.scan_iter(match="*")]
    assert not any(KEY in k or "sk_test" in k for k in keys), "no secret key in a key name"
    assert all(k.startswith(f"{PREFIX}:") for k in keys)
    ids = {store.namespace(key).id for key in (KEY, "sk_test_second_namespace")}
    by_tag = {}
    for key in keys:
        by_tag.setdefault(tag_of(key), []).append(key)
    assert set(by_tag) == {f"{{{i}}}" for i in ids} | {key_names.GLOBAL_TAG, None}
    for tag, tagged in by_tag.items():
        if tag is not None:
            slots = {key_slot(k.encode()) for k in tagged}
            assert len(slots) == 1, f"{tag}: {slots}"
    assert sorted(by_tag[key_names.GLOBAL_TAG]) == sorted([key_names.ACTIVE, key_names.REGISTRY])
    assert by_tag[None] == [key_names.link("page-token")], "only page links have no tag"
    assert len(ids) == len(store.keys()) == 2


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

    def fewest() -> dict:
        """The fewer of two measurements per operation: a trip another thread of the process
        makes meanwhile (a webhook dispatcher, the namespace's periodic renewal) is not the
        operation's."""
        first, second = costs(), costs()
        return {op: min(first[op], second[op]) for op in first}

    costs()  # the namespace exists, its first-use build is behind us
    small = fewest()
    for _ in range(60):
        api.create_milestone_escrow(BODY)
    large = fewest()
    print("\nround trips per request (incl. auth, journal):", small)
    assert large == small
    assert all(count <= 12 for count in small.values()), small


# -- what a Redis Cluster changes -------------------------------------------------------------------


def test_namespaces_spread_over_the_shards_and_the_global_keys_stay_where_documented(redis_cluster, monkeypatch):
    """On a cluster: each namespace's keys are on one shard, namespaces on several; the registry and
    the active set on the one shard of `{global}`; page links spread like namespaces; and every Lua
    script the store runs names keys of one slot (redis-py would refuse it otherwise)."""
    from sandbox.store.redis import runner

    url = redis_cluster.url
    redis_cluster.flush()
    app = create_app(make_config(store=url))
    store = app.extensions["sandbox"].store
    names = {id(script): name for name, script in store.scripts.items()}
    calls, called = [], runner.Script.__call__

    def recorded(script, keys, args):
        if id(script) in names:  # this app's (not another test app's dispatcher)
            calls.append((names[id(script)], list(keys)))
        return called(script, keys, args)

    monkeypatch.setattr(runner.Script, "__call__", recorded)
    try:
        keys = [f"sk_test_shard_{n}" for n in range(12)]
        api = Api(InProcessHttp(app))
        for key in keys:  # each namespace made from the fixtures
            assert api.http.get("/v1/wallet", key=key, customer=BUYER).status == 200
        escrow = flow(api)  # the suite's key: the lock, commits, the outbox's trim, the journal
        api.verify(escrow["paymentToken"])  # by payment token (one script)
        assert api.http.get("/v1/customers?page=1&limit=2").status == 200  # a page (one script)
        assert api.http.get("/v1/escrow/transactions?type=sales", customer=SELLER).status == 200  # filtered
        # A request that held no lock journals on its own (a lock-free read does, unless a commit
        # of the dispatcher's made it run again locked): the journal's script, directly.
        store.namespace(KEY).journal_record({"id": None, "at_ms": None, "method": "GET", "path": "/v1/wallet"})
        for n in range(12):
            store.link(f"page-{n}", keys[n])
        shard_of = {}  # namespace id -> the port of the shard holding every one of its keys
        for key in [*keys, KEY]:
            ns = store.namespace(key)
            found = [k.decode() for k in store.r.scan_iter(match=f"{ns.base}*")]
            assert found, key
            ports = {redis_cluster.node_of(k).port for k in found}
            assert len(ports) == 1, f"{key}'s keys are on {ports}"
            shard_of[ns.id] = ports.pop()
        print(f"\nnamespaces per shard: {Counter(shard_of.values())}")
        assert len(set(shard_of.values())) > 1, "namespaces spread over more than one shard"
        home = redis_cluster.node_of(key_names.REGISTRY)
        assert redis_cluster.node_of(key_names.ACTIVE) is home
        direct = redis_py.Redis(host="127.0.0.1", port=home.port)  # that node itself: no redirect
        try:
            assert direct.hlen(key_names.REGISTRY) == direct.zcard(key_names.ACTIVE) == len(keys) + 1
        finally:
            direct.close()
        assert sorted(store.keys()) == sorted([*keys, KEY])
        links = {redis_cluster.node_of(key_names.link(f"page-{n}")).port for n in range(12)}
        assert len(links) > 1, "links spread over the shards"
        assert [store.namespace_for_link(f"page-{n}").key for n in range(12)] == keys
    finally:
        app.close()
    seen = Counter(name for name, _ in calls)
    print("script calls:", dict(seen))
    assert {"begin", "commit", "trim", "by_token", "journal", "list"} <= set(seen), seen
    for name, touched in calls:
        assert len({key_slot(k.encode()) for k in touched}) == 1, f"{name}: {touched}"


def test_a_cluster_that_cannot_serve_answers_503_and_a_cross_slot_bug_500():
    """redis-py raises some cluster errors outside RedisError: the unreachable cluster and the slot
    no node serves are the store being down (503, try again); a command naming keys of two slots
    (RedisClusterException) is a bug, a 500."""
    from redis.exceptions import (
        ClusterDownError, RedisClusterException, RedisClusterUnreachableError, SlotNotCoveredError,
    )

    from sandbox.api.errors import store_down

    for down in (RedisClusterUnreachableError, SlotNotCoveredError, ClusterDownError, redis_py.ConnectionError):
        assert store_down(down("the cluster")), down
    assert not store_down(RedisClusterException("EVALSHA - all keys must map to the same key slot"))
