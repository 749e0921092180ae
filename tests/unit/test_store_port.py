"""The store's port (sandbox/store/base.py) as a contract both stores keep: the same operations
give the same answers on the memory store and on Redis, one Redis or a Redis Cluster (the
repository-and-fake pattern: the domain's tests run on the fast one because this module holds the
other to the same rules)."""

import threading
import time

import pytest

from sandbox.store import base
from sandbox.store.base import Filter, new_state
from sandbox.store.memory import MemoryNamespace, MemoryStore

SEED, START = 7, 1_750_000_000_000
KEY, OTHER = "sk_test_port", "sk_test_port_other"


def build(key: str, **options) -> MemoryNamespace:
    """A namespace as the app's builder makes one: a fresh state with a webhook setting."""
    ns = MemoryNamespace(new_state(options.get("seed", SEED), START, webhook_url="https://hooks.example/a"))
    ns.save_settings("fixture", {"name": options.get("fixtures", "default"), "values": {}})
    return ns


@pytest.fixture(params=["memory", "redis", "redis-cluster"])
def store(request):
    if request.param == "memory":
        yield MemoryStore(build)
        return
    from sandbox.store.redis import RedisStore
    from tests.conftest import store_url

    made = RedisStore(build, store_url(request, request.param, 12))
    yield made
    made.drop_all()
    made.close()


def escrow(n: int, **fields) -> dict:
    return {"id": f"{n:024x}", "payment_token": f"PY_{n:08d}0000", "status": "PENDING", "state": "AWAITING_PAYMENT",
            "seller_id": "s" * 24, "buyer_id": None, "category_id": None, "created_at_ms": START + n,
            "dispute": None, "milestones": [], "purpose": f"escrow {n}", **fields}


ESCROWS = [
    escrow(1),
    escrow(2, status="ONGOING", state="OPENED", buyer_id="b" * 24, milestones=[{"id": "m" * 24}]),
    escrow(3, status="DISPUTED", state="OPENED", buyer_id="b" * 24, dispute=[{"type": "buyer"}]),
    escrow(4, status="COMPLETED", state="CLOSED", buyer_id="c" * 24, category_id="k" * 24),
    escrow(5, status="PENDING", milestones=[{"id": "n" * 24}]),
]

FILTERS = {
    "equal": Filter(equal={"status": "PENDING"}),
    "where drops None": Filter.where(status="ONGOING", category_id=None),
    "among": Filter(among={"status": ("DISPUTED", "COMPLETED")}),
    "any field": Filter(any_field=(("seller_id", "buyer_id"), "b" * 24)),
    "bounds": Filter(at_least={"created_at_ms": START + 2}, at_most={"created_at_ms": START + 4}),
    "present": Filter(present=("dispute",)),
    "absent": Filter(absent=("milestones",)),
    "either": Filter(either=(Filter(equal={"status": "ONGOING"}), Filter(equal={"status": "PENDING"},
                                                                          present=("milestones",)))),
    "combined": Filter.where(seller_id="s" * 24) & Filter(absent=("dispute",)) & Filter(at_least={"created_at_ms": 0}),
    "a field no summary holds": Filter(equal={"purpose": "escrow 4"}),
    "nothing": base.NOTHING,
}


def seeded(store) -> base.Namespace:
    ns = store.namespace(KEY)
    with ns.lock:
        for item in ESCROWS:
            ns.save_escrow(item)
    return ns


def test_both_stores_implement_the_port(store):
    assert isinstance(store, base.Store)
    assert isinstance(store.namespace(KEY), base.Namespace)


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_find_and_page_answer_a_declared_filter(store, name):
    """Whichever way the store answers it (summaries or decoded entities), the answer is the
    filter applied to the entities themselves."""
    where = FILTERS[name]
    expected = [e["id"] for e in ESCROWS if where(e)]
    ns = seeded(store)
    with ns.lock:
        assert [e["id"] for e in ns.find("escrows", where)] == expected
        items, count = ns.page("escrows", 1, 2, where)
    assert count == len(expected) and [e["id"] for e in items] == expected[::-1][:2]


def test_a_filter_is_answered_from_summaries_only_when_they_hold_it():
    assert FILTERS["present"].on_summaries("escrows") and FILTERS["either"].on_summaries("escrows")
    assert not FILTERS["a field no summary holds"].on_summaries("escrows")
    assert not Filter(equal={"dispute": None}).on_summaries("escrows")  # a flag compared: decode
    assert not Filter(equal={"email": "a@b.c"}).on_summaries("customers")  # no summaries kept


def test_entities_are_copies_in_and_out(store):
    ns = seeded(store)
    with ns.lock:
        first = ns.get("escrows", ESCROWS[0]["id"])
        first["status"] = "CHANGED"
        assert ns.get("escrows", ESCROWS[0]["id"])["status"] == "PENDING"
        assert ns.get_escrow_by_token(ESCROWS[1]["payment_token"])["id"] == ESCROWS[1]["id"]
        assert ns.get("escrows", "0" * 24) is None and ns.count("escrows") == len(ESCROWS)
        assert [e["id"] for e in ns.all("escrows")] == [e["id"] for e in ESCROWS]


def test_delete_trim_and_the_dropped_counters(store):
    ns = seeded(store)
    with ns.lock:
        ns.delete_escrow(ESCROWS[0])
        assert ns.get_escrow_by_token(ESCROWS[0]["payment_token"]) is None
        for n in range(5):
            ns.save("events", {"id": f"e{n}", "type": "escrow.created", "escrow_id": "x", "status": "PENDING",
                               "attempts": 0, "next_attempt_at_ms": n})
        dropped = ns.trim("events", 3)
        ns.count_dropped("events", dropped)
    with ns.lock:
        assert dropped == 2 and ns.dropped("events") == 2 and ns.dropped("deliveries") == 0
        assert [e["id"] for e in ns.find("events")] == ["e2", "e3", "e4"]
        due = ns.find("events", Filter(equal={"status": "PENDING"}, at_most={"next_attempt_at_ms": 3}))
        assert [e["id"] for e in due] == ["e2", "e3"]


def test_settings_are_copies_and_saved_by_name(store):
    ns = store.namespace(KEY)
    with ns.lock:
        webhook = ns.settings("webhook")
        webhook["url"] = "https://hooks.example/changed"
        assert ns.settings("webhook")["url"] == "https://hooks.example/a"
        ns.save_settings("webhook", webhook)
    with ns.lock:
        assert ns.settings("webhook")["url"] == "https://hooks.example/changed"
    assert ns.recent_state()["webhook"]["url"] == "https://hooks.example/changed"


def test_ids_and_clock_are_the_namespaces_own_and_deterministic(store):
    ns = store.namespace(KEY)
    with ns.lock:
        made = [ns.new_id(), ns.new_token(), ns.new_reference("REF_")]
        assert ns.now_ms() >= START
    reference = MemoryNamespace(new_state(SEED, START))
    # the same seed draws the same tokens and references (an id also carries the clock's time)
    assert [reference.new_id(), reference.new_token(), reference.new_reference("REF_")][1:] == made[1:]
    assert len(made[0]) == 24 and int(made[0], 16) >= 0


def test_the_ledger_balances_what_it_posts(store):
    ns = store.namespace(KEY)
    with ns.lock:
        ns.append_posting({"kind": "funding", "entries": [["a", -500], ["b", 500]]})
        ns.append_posting({"kind": "fee", "entries": [["b", -25], ["fees", 25]]})
    with ns.lock:
        assert (ns.balance("a"), ns.balance("b"), ns.balance("nobody")) == (-500, 475, 0)
        assert ns.balances() == {"a": -500, "b": 475, "fees": 25}
        assert [p["kind"] for p in ns.postings()] == ["funding", "fee"]


def test_snapshots_export_and_replace(store):
    ns = seeded(store)
    with ns.lock:
        ns.snapshot_save("before", START)
        ns.delete_escrow(ESCROWS[1])
    with ns.lock:
        assert ns.count("escrows") == len(ESCROWS) - 1
        assert [s["name"] for s in ns.snapshot_list()] == ["before"]
        assert len(ns.snapshot_export("before")["escrows"]) == len(ESCROWS)
        assert ns.snapshot_restore("before") is not None
    with ns.lock:
        assert ns.count("escrows") == len(ESCROWS)
        exported = ns.export_state()
        assert ns.snapshot_delete("before") and not ns.snapshot_delete("before")
        assert ns.snapshot_get("before") is None and ns.snapshot_restore("before") is None
    other = store.namespace(OTHER)
    with other.lock:
        other.replace_state(exported)
    with other.lock:
        assert other.export_state() == exported


def test_the_journal_numbers_entries_for_good(store):
    ns = store.namespace(KEY)
    for path in ("/a", "/b"):
        ns.journal_record({"path": path})
    assert [e["id"] for e in ns.journal_entries()] == [1, 2]
    assert ns.journal_clear() == 2 and ns.journal_entries() == []
    ns.journal_record({"path": "/c"})
    assert [e["id"] for e in ns.journal_entries()] == [3]


def test_reset_keeps_the_settings_it_is_told_to_and_fork_copies(store):
    ns = seeded(store)
    with ns.lock:
        ns.save_settings("webhook", {**ns.settings("webhook"), "url": "https://hooks.example/kept"})
    store.reset(KEY, keep=("webhook",))
    with ns.lock:
        assert ns.count("escrows") == 0 and ns.settings("webhook")["url"] == "https://hooks.example/kept"
    store.reset(KEY, fixtures="other")
    with ns.lock:
        assert ns.settings("webhook")["url"] == "https://hooks.example/a"
        assert ns.settings("fixture")["name"] == "other"
        ns.save_escrow(ESCROWS[0])
    forked = store.fork(KEY, OTHER)
    with forked.lock:
        assert [e["id"] for e in forked.all("escrows")] == [ESCROWS[0]["id"]]


def test_links_keys_and_drop_all(store):
    seeded(store)
    store.link("page-token", KEY)
    with store.namespace_for_link("page-token").lock:
        assert store.namespace_for_link("page-token").count("escrows") == len(ESCROWS)
    assert store.namespace_for_link("unknown") is None
    assert KEY in store.keys()
    assert store.drop_all() >= 1
    assert KEY not in store.keys() and store.namespace_for_link("page-token") is None


def test_revisions_mark_a_quiet_namespace_until_it_changes(store):
    """The webhook dispatcher's skip (controlplane/dispatcher.py): under the lock with nothing
    written, `quiet_revision` is what `revisions` answers until the namespace changes; a write,
    a settings change, or the namespace dropped and built again all change it. The memory store
    cannot tell (None: the dispatcher looks every time)."""
    ns = seeded(store)
    with ns.lock:
        quiet = ns.quiet_revision()
    if isinstance(store, MemoryStore):
        assert quiet is None and store.revisions([KEY, "sk_test_other"]) == [None, None]
        return
    assert store.revisions([KEY]) == [quiet] and store.revisions([]) == []
    assert store.revisions([KEY]) == [quiet], "a look that writes nothing changes nothing"
    with ns.lock:
        ns.save("customers", {"id": "c1", "firstname": "Ada"})
        assert ns.quiet_revision() is None, "something is written in this lock"
    after_write = store.revisions([KEY])[0]
    assert after_write != quiet
    with ns.lock:
        ns.save_settings("webhook", {**ns.settings("webhook"), "url": "http://127.0.0.1:9/hook"})
    assert store.revisions([KEY])[0] != after_write
    with ns.lock:
        before_drop = ns.quiet_revision()
    store.drop_all()
    assert store.revisions([KEY]) == [0]
    with store.namespace(KEY).lock:  # built again from the fixtures: its revision starts anywhere
        rebuilt = store.namespace(KEY).quiet_revision()
    assert rebuilt not in (0, before_drop, quiet) and store.revisions([KEY]) == [rebuilt]


# -- the rate limit's count (sandbox/controlplane/ratelimit.py) -----------------------------------------


def test_count_request_counts_in_a_fixed_window_of_real_time(store):
    ns = store.namespace(KEY)
    counts = [ns.count_request(300) for _ in range(3)]
    assert [counted for counted, _ in counts] == [1, 2, 3]
    assert all(0 < left <= 300 for _, left in counts)
    assert counts[2][1] <= counts[0][1]  # the window closes; it does not slide with each request
    with ns.lock:  # the namespace clock, frozen or moved, is not the window's
        state = ns.get_clock()
        state["frozen_ms"] = START
        ns.save_clock(state)
    time.sleep(0.35)
    assert ns.count_request(300)[0] == 1  # a new window


def test_count_request_is_per_namespace_and_cleared_by_clear_and_reset(store):
    ns, other = store.namespace(KEY), store.namespace(OTHER)
    ns.count_request(60_000), ns.count_request(60_000)
    assert other.count_request(60_000)[0] == 1
    ns.clear_requests()
    assert ns.count_request(60_000)[0] == 1
    store.reset(KEY)
    assert ns.count_request(60_000)[0] == 1
    with ns.lock:  # snapshots, exports and forks do not carry it: it is not state
        assert "requests" not in ns.export_state()


def test_count_request_counts_every_thread_once(store):
    ns = store.namespace(KEY)
    ns.count_request(60_000)
    threads = [threading.Thread(target=lambda: [ns.count_request(60_000) for _ in range(50)]) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ns.count_request(60_000)[0] == 302


# -- the console's sessions (sandbox/console/session.py) ------------------------------------------------


OK = {"kind": "ok", "message": "Done: Milestone “Design” released: ₦300,000"}
REFUSED = {"kind": "error", "message": "Refused: Action not allowed"}


def test_console_sessions_are_shared_until_they_end(store, twin):
    assert store.console_session("sid-a") is None
    store.console_session_start("sid-a", KEY, 60_000)
    twin.console_session_start("sid-b", OTHER, 60_000)
    assert twin.console_session("sid-a") == {"key": KEY, "flashes": []}
    assert store.console_session("sid-b") == {"key": OTHER, "flashes": []}
    twin.console_session_end("sid-a")  # sign-out on one worker ends it on every worker
    assert store.console_session("sid-a") is None and twin.console_session("sid-a") is None
    twin.console_session_end("sid-a")  # again: nothing
    assert store.console_session("sid-b")["key"] == OTHER
    store.drop_all()  # forgets namespaces, not who is signed in
    assert twin.console_session("sid-b")["key"] == OTHER


def test_console_session_expires_after_its_max_age_and_a_flash_does_not_renew_it(store):
    store.console_session_start("short", KEY, 400)
    store.console_session_start("long", KEY, 60_000)
    time.sleep(0.2)
    store.console_session_flash("short", OK)
    assert store.console_session("short") == {"key": KEY, "flashes": [OK]}
    time.sleep(0.3)
    assert store.console_session("short") is None
    store.console_session_flash("short", OK)  # an expired session is not revived by a late flash
    assert store.console_session("short") is None and store.console_session_take_flashes("short") == []
    assert store.console_session("long") == {"key": KEY, "flashes": []}


def test_console_flashes_are_kept_in_order_and_taken_once(store, twin):
    store.console_session_start("sid", KEY, 60_000)
    store.console_session_flash("sid", OK)
    twin.console_session_flash("sid", REFUSED)
    assert twin.console_session("sid")["flashes"] == [OK, REFUSED], "reading does not take them"
    assert twin.console_session_take_flashes("sid") == [OK, REFUSED]
    assert store.console_session_take_flashes("sid") == [] and store.console_session("sid") == {"key": KEY,
                                                                                                  "flashes": []}
    many = [{"kind": "ok", "message": f"flash {n}"} for n in range(base.CONSOLE_FLASHES + 5)]
    for flash in many:
        store.console_session_flash("sid", flash)
    assert store.console_session_take_flashes("sid") == many[-base.CONSOLE_FLASHES:], "the newest are kept"
    store.console_session_end("sid")
    store.console_session_flash("sid", OK)  # after sign-out: nothing comes back
    assert store.console_session("sid") is None


def test_console_flashes_from_many_threads_are_each_taken_once(store, twin):
    store.console_session_start("sid", KEY, 60_000)
    taken = []

    def flash_and_take(n):
        for i in range(5):
            (store if n % 2 else twin).console_session_flash("sid", {"kind": "ok", "message": f"{n}.{i}"})
            taken.extend((twin if n % 2 else store).console_session_take_flashes("sid"))

    threads = [threading.Thread(target=flash_and_take, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken.extend(store.console_session_take_flashes("sid"))
    assert sorted(f["message"] for f in taken) == sorted(f"{n}.{i}" for n in range(4) for i in range(5))


def test_console_secret_is_the_first_candidate_for_every_worker(store, twin):
    first = store.console_secret("first-candidate-0123456789")
    assert first == "first-candidate-0123456789"
    assert twin.console_secret("second-candidate-0123456789") == first
    assert store.console_secret("third-candidate-0123456789") == first
    store.drop_all()
    assert twin.console_secret("fourth-candidate-0123456789") == first, "a reset of every namespace keeps it"
