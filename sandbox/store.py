"""All sandbox state, one plain-data namespace per secret key, each behind its own lock.

`MemoryNamespace` is the repository the domain services talk to: they read entities as
copies, change them, and `save_*` them back, so a shared backend (Redis, later) can slot
in behind the same methods without the domain knowing. The state of a namespace is one
JSON-serialisable dict (see `new_state`); reset rebuilds it from the fixtures.
"""

import collections
import json
import threading

from sandbox import clock, ids
from sandbox.plain import clone


JOURNAL_SIZE = 1000


# Every entity collection of a namespace: id -> entity (plain dicts), in insertion order.
COLLECTIONS = (
    "customers", "escrows", "payments", "intents", "topups", "categories", "cards", "whitelist",
    "checkout_sessions", "events", "deliveries",
)


def new_state(seed: int | None, clock_start_ms: int | None, webhook_url: str | None = None) -> dict:
    """An empty namespace: no parties, no escrows, an empty ledger, a fresh clock and id sequence."""
    return {
        "version": 1,
        "merchant": None,
        "fixture": None,
        **{kind: {} for kind in COLLECTIONS},
        "tokens": {},
        "webhook": {"url": webhook_url, "milestone_events": False, "faults": [], "delay_seconds": 0},
        "events_dropped": 0,
        "deliveries_dropped": 0,
        "ledger": {"postings": [], "balances": {}},
        "clock": clock.new_clock_state(clock_start_ms),
        "ids": ids.new_id_state(seed),
    }


class MemoryNamespace:
    """One namespace held in this process; `lock` makes each operation atomic."""

    def __init__(self, state: dict):
        self.state = state
        self.lock = threading.RLock()
        # Beside the state, not part of it (a reset or a restore keeps them): the request
        # journal, named snapshots, and sandbox controls armed for this namespace.
        self.journal: collections.deque = collections.deque(maxlen=JOURNAL_SIZE)
        self.journal_dropped = 0
        self.snapshots: dict[str, dict] = {}
        self.armed: dict = {}

    # -- clock and ids -------------------------------------------------------------------
    def now_ms(self) -> int:
        return clock.now_ms(self.state["clock"])

    def get_clock(self) -> dict:
        return dict(self.state["clock"])

    def save_clock(self, clock_state: dict) -> None:
        self.state["clock"] = clock_state

    def new_id(self) -> str:
        return ids.new_object_id(self.state["ids"], self.now_ms())

    def new_token(self) -> str:
        while True:
            token = ids.new_payment_token(self.state["ids"])
            if token not in self.state["tokens"]:
                return token

    def new_reference(self, prefix: str) -> str:
        return ids.new_reference(self.state["ids"], prefix)

    # -- the merchant (key holder) -----------------------------------------------------------
    def get_merchant(self) -> dict:
        return clone(self.state["merchant"])

    def save_merchant(self, merchant: dict) -> None:
        self.state["merchant"] = merchant

    # -- any collection: entities are read as copies and saved whole ---------------------------
    def get(self, kind: str, key: str) -> dict | None:
        return clone(self.state[kind].get(key))

    def all(self, kind: str) -> list[dict]:
        return clone(list(self.state[kind].values()))

    def find(self, kind: str, predicate) -> list[dict]:
        """Copies of the entities `predicate` accepts (it sees them read-only), in order."""
        return [clone(e) for e in self.state[kind].values() if predicate(e)]

    def save(self, kind: str, entity: dict, key_field: str = "id") -> None:
        self.state[kind][entity[key_field]] = entity

    def delete(self, kind: str, key: str) -> None:
        self.state[kind].pop(key, None)

    def trim(self, kind: str, cap: int) -> int:
        """Drop the oldest entities beyond `cap`; answers how many were dropped."""
        entities = self.state[kind]
        dropped = 0
        while len(entities) > cap:
            del entities[next(iter(entities))]
            dropped += 1
        return dropped

    # -- escrows also have a payment-token index -------------------------------------------------
    def get_escrow_by_token(self, token: str) -> dict | None:
        escrow_id = self.state["tokens"].get(token)
        return self.get("escrows", escrow_id) if escrow_id else None

    def save_escrow(self, escrow: dict) -> None:
        self.save("escrows", escrow)
        self.state["tokens"][escrow["payment_token"]] = escrow["id"]

    def delete_escrow(self, escrow: dict) -> None:
        self.delete("escrows", escrow["id"])
        self.state["tokens"].pop(escrow["payment_token"], None)

    # -- ledger --------------------------------------------------------------------------------
    def append_posting(self, posting: dict) -> None:
        ledger = self.state["ledger"]
        ledger["postings"].append(posting)
        balances = ledger["balances"]
        for account, amount in posting["entries"]:
            balances[account] = balances.get(account, 0) + amount

    def balance(self, account: str) -> int:
        return self.state["ledger"]["balances"].get(account, 0)

    def balances(self) -> dict:
        return dict(self.state["ledger"]["balances"])

    def postings(self) -> list[dict]:
        return clone(self.state["ledger"]["postings"])

    # -- the request journal (bounded; the oldest entries drop off) ----------------------------
    def journal_append(self, entry: dict) -> None:
        if len(self.journal) == self.journal.maxlen:
            self.journal_dropped += 1
        self.journal.append(entry)

    def journal_entries(self) -> list[dict]:
        return list(self.journal)

    def journal_clear(self) -> None:
        self.journal.clear()
        self.journal_dropped = 0

    # -- whole-namespace -------------------------------------------------------------------
    def replace_state(self, state: dict) -> None:
        self.state = state

    def export_state(self) -> dict:
        """A deep copy of the whole state (what an export holds)."""
        return json.loads(json.dumps(self.state))

    # -- named snapshots (kept beside the state as JSON text: exact, compact, fast to copy) ---
    def snapshot_save(self, name: str, at_ms: int) -> dict:
        self.snapshots[name] = {"name": name, "created_at_ms": at_ms, "json": json.dumps(self.state)}
        return self.snapshots[name]

    def snapshot_get(self, name: str) -> dict | None:
        """The snapshot with a fresh copy of its state under `state`, or None."""
        snapshot = self.snapshots.get(name)
        return None if snapshot is None else {**snapshot, "state": json.loads(snapshot["json"])}

    def snapshot_list(self) -> list[dict]:
        return [{"name": s["name"], "created_at_ms": s["created_at_ms"]} for s in self.snapshots.values()]

    def snapshot_delete(self, name: str) -> bool:
        return self.snapshots.pop(name, None) is not None


class Store:
    """Every namespace of this process, created on first use by `build(key)`, plus the
    links that let a browser page (checkout, payment authorisation) find its namespace
    without the secret key."""

    def __init__(self, build):
        self._build = build
        self._namespaces: dict[str, MemoryNamespace] = {}
        self._links: dict[str, str] = {}
        self._lock = threading.Lock()

    def namespace(self, key: str) -> MemoryNamespace:
        """The key's namespace, built from the fixtures the first time the key is seen."""
        ns = self._namespaces.get(key)
        if ns is not None:
            return ns
        with self._lock:
            ns = self._namespaces.get(key)
            if ns is None:
                ns = self._build(key)
                self._namespaces[key] = ns
            return ns

    def reset(self, key: str, **options) -> MemoryNamespace:
        """Rebuild the key's namespace from the fixtures (`options`: the set, the seed), in
        place: holders keep a valid handle, the journal and snapshots stay."""
        fresh = self._build(key, **options)
        ns = self.namespace(key)
        with ns.lock:
            ns.replace_state(fresh.state)
        return ns

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._namespaces)

    def fork(self, source: str, target: str) -> MemoryNamespace:
        """Make `target`'s namespace an exact copy of `source`'s state."""
        src = self.namespace(source)
        dst = self.namespace(target)
        with src.lock:
            state = src.export_state()
        with dst.lock:
            dst.replace_state(state)
        return dst

    def drop_all(self) -> int:
        """Forget every namespace (each is rebuilt on its next request); returns how many."""
        with self._lock:
            count = len(self._namespaces)
            self._namespaces.clear()
            self._links.clear()
            return count

    def link(self, token: str, key: str) -> None:
        """Remember that the unguessable `token` (in a page URL) belongs to namespace `key`."""
        with self._lock:
            self._links[token] = key

    def namespace_for_link(self, token: str) -> MemoryNamespace | None:
        """The namespace a page token belongs to, or None."""
        key = self._links.get(token)
        return None if key is None else self.namespace(key)
