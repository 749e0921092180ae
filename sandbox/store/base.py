"""The store's port: what the domain, the views and the control plane may ask of a namespace
and of the store that holds every namespace — and nothing else. `memory.py` (one process) and
`redis/` (shared by workers and replicas) both implement it; tests/unit/test_store_port.py runs
one contract against both (the repository-and-fake pattern of cosmicpython).

Beside the two Protocols: the plain state's shape (`new_state`, COLLECTIONS), the summaries a
store keeps to answer list filters without decoding (SUMMARIES), the declared `Filter` lists
take, and the two whole-namespace operations both stores share (`reset`, `fork`).

A namespace is plain data that serialises to JSON (snapshots, exports, the shared store rely on
it). Entities are read as copies and saved whole; every operation runs under `ns.lock`, which
makes it atomic (the Redis store commits what it buffered when the lock is released).
"""

import copy
import sys
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from sandbox import clock, ids

JOURNAL_SIZE = 1000
CONSOLE_FLASHES = 20  # flash messages a console session keeps unread (the newest)


class StoreUnavailable(Exception):
    """The state store cannot serve the request now (a shared backend is down or busy); the
    API answers 503 and nothing was changed."""


class CommitFailed(StoreUnavailable):
    """A request's writes, held to its end (`end_request`), could not be committed: none applied."""


# Every entity collection of a namespace: id -> entity (plain dicts), in insertion order.
COLLECTIONS = (
    "customers", "escrows", "payments", "intents", "topups", "categories", "cards", "whitelist",
    "checkout_sessions", "events", "deliveries",
)

# Settings a namespace holds beside its entities (the controls change them; `settings`).
SETTING_PARTS = ("webhook", "fixture", "profile", "commission", "rate_limit", "maintenance", "outbox")
# Counters of entities dropped from capped collections (`dropped`, `count_dropped`).
DROPPED = {"events": "events_dropped", "deliveries": "deliveries_dropped"}


def new_state(seed: int | None, clock_start_ms: int | None, webhook_url: str | None = None) -> dict:
    """An empty namespace: no parties, no escrows, an empty ledger, a fresh clock and id sequence."""
    return {
        "version": 1,
        "merchant": None,
        "fixture": None,
        "profile": None,
        **{kind: {} for kind in COLLECTIONS},
        "tokens": {},
        "webhook": {"url": webhook_url, "milestone_events": False, "faults": [], "delay_seconds": 0},
        "outbox": {"waiting": False},  # whether an event may wait for delivery (domain/outbox.py `may_wait`)
        "events_dropped": 0,
        "deliveries_dropped": 0,
        "ledger": {"postings": [], "balances": {}},
        "clock": clock.new_clock_state(clock_start_ms),
        "ids": ids.new_id_state(seed),
    }


# -- filters -------------------------------------------------------------------------------------

# What a store keeps of the kinds lists filter often, so a filter on these fields is answered
# without decoding an entity: escrows (lists, time travel) and webhook events (the dispatcher
# looks for due ones every tick). FLAGS are kept as whether the entity's value is non-empty
# (a dispute thread, milestones): a filter may only ask whether they are `present`.
SUMMARIES = {
    "escrows": ("id", "status", "seller_id", "buyer_id", "category_id", "created_at_ms", "payment_token",
                "dispute", "milestones"),
    "events": ("id", "type", "escrow_id", "status", "attempts", "next_attempt_at_ms"),
}
FLAGS = ("dispute", "milestones")


def summarize(kind: str, entity: dict) -> tuple:
    """The entity's SUMMARIES fields. Repeated texts (statuses, party ids) are interned so
    100,000 summaries share them."""
    return tuple(bool(entity.get(name)) if name in FLAGS else _shared(entity.get(name)) for name in SUMMARIES[kind])


def _shared(value):
    return sys.intern(value) if type(value) is str and len(value) <= 24 else value


_SUMMARY_AT = {kind: {name: i for i, name in enumerate(fields)} for kind, fields in SUMMARIES.items()}


class SummaryView:
    """`row["status"]` over a summary tuple (or list), so a `Filter` reads it as an entity."""

    __slots__ = ("row", "at")

    def __init__(self, kind: str):
        self.at = _SUMMARY_AT[kind]

    def __getitem__(self, name):
        return self.row[self.at[name]]


@dataclass(frozen=True)
class Filter:
    """Which entities a list wants, declared (not a callable) so each store answers it its own
    way: from its summaries when every field it names is summarised, else by decoding. Every
    condition must hold; `either` adds "and at least one of these filters".

    equal: field == value          among: field in values         any_field: value in fields
    at_least / at_most: bounds (a missing value fails them)
    present / absent: the field is non-empty / empty
    """

    equal: Mapping = field(default_factory=dict)
    among: Mapping = field(default_factory=dict)
    any_field: tuple = ()  # (fields, value)
    at_least: Mapping = field(default_factory=dict)
    at_most: Mapping = field(default_factory=dict)
    present: tuple = ()
    absent: tuple = ()
    either: tuple = ()

    @classmethod
    def where(cls, **equal) -> "Filter":
        """Equalities, leaving out those whose value is None (a query's optional filters)."""
        return cls(equal={name: value for name, value in equal.items() if value is not None})

    def __and__(self, other: "Filter") -> "Filter":
        """Both filters' conditions (each may hold one `any_field` and one `either` group)."""
        if (self.any_field and other.any_field) or (self.either and other.either):
            raise ValueError("two any_field or either groups cannot be combined")
        return Filter({**self.equal, **other.equal}, {**self.among, **other.among}, self.any_field or other.any_field,
                      {**self.at_least, **other.at_least}, {**self.at_most, **other.at_most},
                      (*self.present, *other.present), (*self.absent, *other.absent), self.either or other.either)

    def fields(self) -> set[str]:
        names = {*self.equal, *self.among, *self.at_least, *self.at_most, *self.present, *self.absent}
        if self.any_field:
            names.update(self.any_field[0])
        for other in self.either:
            names |= other.fields()
        return names

    def on_summaries(self, kind: str) -> bool:
        """Whether `kind`'s summaries answer this filter: every field summarised, and the flags
        asked only whether they are present or absent."""
        summarised = SUMMARIES.get(kind)
        if summarised is None or not self.fields() <= set(summarised):
            return False
        compared = {*self.equal, *self.among, *self.at_least, *self.at_most, *(self.any_field[0] if self.any_field else ())}
        return not compared & set(FLAGS) and all(other.on_summaries(kind) for other in self.either)

    def __call__(self, row) -> bool:
        """Whether `row` (an entity, or a summary read by field name) passes."""
        for name, value in self.equal.items():
            if row[name] != value:
                return False
        for name, values in self.among.items():
            if row[name] not in values:
                return False
        if self.any_field:
            names, value = self.any_field
            if all(row[name] != value for name in names):
                return False
        for name, low in self.at_least.items():
            if row[name] is None or row[name] < low:
                return False
        for name, high in self.at_most.items():
            if row[name] is None or row[name] > high:
                return False
        for name in self.present:
            if not row[name]:
                return False
        for name in self.absent:
            if row[name]:
                return False
        return not self.either or any(other(row) for other in self.either)


NOTHING = Filter(equal={"id": None})  # no entity has no id


# -- the port --------------------------------------------------------------------------------------


@runtime_checkable
class Namespace(Protocol):
    """One secret key's state. Everything but the journal, `recent_state` and the request count
    is called under `lock`.

    `count_request(window_ms)` counts one request in a fixed window of real time (wall clock,
    never the namespace clock) that opens with the first request counted and lasts `window_ms`;
    it answers (requests counted in the window, this one included; ms until it closes), in one
    atomic step however many workers share the store. `clear_requests()` forgets the count (the
    next request opens a new window)."""

    lock: AbstractContextManager

    # clock and ids (the namespace's own: deterministic when seeded)
    def now_ms(self) -> int: ...
    def get_clock(self) -> dict: ...
    def save_clock(self, clock_state: dict) -> None: ...
    def new_id(self) -> str: ...
    def new_token(self) -> str: ...
    def new_reference(self, prefix: str) -> str: ...

    # settings and counters beside the entities
    def settings(self, part: str) -> dict | None: ...
    def save_settings(self, part: str, value: dict | None) -> None: ...
    def dropped(self, kind: str) -> int: ...
    def count_dropped(self, kind: str, count: int) -> None: ...
    def recent_state(self) -> dict: ...

    # the rate limit's count of requests (sandbox/controlplane/ratelimit.py): real time, shared by
    # every worker of the store, beside the state (snapshots, exports and forks do not carry it)
    def count_request(self, window_ms: int) -> tuple[int, int]: ...
    def clear_requests(self) -> None: ...

    # change detection (the console's poller, `response_lost`; the webhook dispatcher's
    # `quiet_revision`: under the lock with nothing written, the marker `Store.revisions` gives
    # for this namespace now — None when the store cannot tell)
    def revision(self): ...
    def mark(self): ...
    def changed_since(self, mark) -> bool: ...
    def quiet_revision(self): ...

    # the merchant (the key holder)
    def get_merchant(self) -> dict | None: ...
    def save_merchant(self, merchant: dict) -> None: ...

    # any collection: copies in, copies out
    def get(self, kind: str, key: str) -> dict | None: ...
    def all(self, kind: str) -> list[dict]: ...
    def count(self, kind: str) -> int: ...
    def find(self, kind: str, where: Filter | None = None) -> list[dict]: ...
    def page(self, kind: str, page: int, limit: int, where: Filter | None = None) -> tuple[list[dict], int]: ...
    def save(self, kind: str, entity: dict, key_field: str = "id") -> None: ...
    def delete(self, kind: str, key: str) -> None: ...
    def trim(self, kind: str, cap: int) -> int: ...

    # escrows: a payment-token index beside them
    def get_escrow_by_token(self, token: str) -> dict | None: ...
    def save_escrow(self, escrow: dict) -> None: ...
    def delete_escrow(self, escrow: dict) -> None: ...

    # the ledger: append-only postings and the balances they sum to
    def append_posting(self, posting: dict) -> None: ...
    def balance(self, account: str) -> int: ...
    def balances(self) -> dict: ...
    def postings(self) -> list[dict]: ...

    # the request journal (bounded; the ids are never reused)
    def journal_record(self, entry: dict) -> None: ...

    # one request's unit of work (api/auth.py begins it, the journal's last hook ends it): a store
    # may keep the lock from its first use in the request to `end_request`, and commit the
    # request's writes with its journal entry in one step (CommitFailed when that fails: nothing
    # was applied). `end_request` records `entry` when given, and lets go of the namespace.
    def begin_request(self) -> None: ...
    def end_request(self, entry: dict | None) -> None: ...
    def changed_in_request(self) -> bool: ...  # whether this thread's request changed the namespace
    # the rest of this thread's request keeps nothing: what it kept is committed and let go now,
    # and each later use commits and lets go at its own end (a flush, which waits on receivers and
    # on other senders, must not hold the namespace meanwhile)
    def stop_keeping(self) -> None: ...

    # the service about to run (`expect`: a store may read ahead what it read last time), and a
    # consistent read (`read`: `fn` runs without the lock where the store can, and runs again
    # under it when it turns out to write or the namespace changed under it)
    def expect(self, operation: str, args: tuple) -> None: ...
    def read(self, fn): ...
    def journal_entries(self) -> list[dict]: ...
    def journal_clear(self) -> int: ...

    # the whole namespace, and named snapshots of it
    def replace_state(self, state: dict) -> None: ...
    def export_state(self) -> dict: ...
    def adopt(self, other: "Namespace") -> None: ...
    def snapshot_save(self, name: str, at_ms: int) -> dict: ...
    def snapshot_get(self, name: str) -> dict | None: ...
    def snapshot_restore(self, name: str) -> dict | None: ...
    def snapshot_export(self, name: str) -> dict | None: ...
    def snapshot_list(self) -> list[dict]: ...
    def snapshot_delete(self, name: str) -> bool: ...


@runtime_checkable
class Store(Protocol):
    """Every namespace, each made from the fixtures on its key's first use (`build`).

    Beside the namespaces, the console's signed-in sessions (sandbox/console/session.py), so
    every worker of a shared store knows them: one small record per session id, `{"key": the
    secret key signed in with, "flashes": [{"kind", "message"}, ...]}`, that expires `max_age_ms`
    after sign-in (real time) and ends at sign-out. Each call below is one atomic step (one round
    trip on Redis); `drop_all` leaves sessions alone (they are not namespaces).
      console_session(sid)        the record, or None (unknown, expired or ended)
      console_session_flash       appends a flash to a live session (the newest CONSOLE_FLASHES
                                  kept); an expired or ended one stays so (never revived)
      console_session_take_flashes  the flashes, emptied in the same step (each is taken once)
      console_secret(candidate)   the key console cookies are signed with, the same for every
                                  worker: the first candidate offered is kept and answered to all
    """

    def build(self, key: str, **options) -> Namespace: ...
    def namespace(self, key: str) -> Namespace: ...
    def reset(self, key: str, keep: Iterable[str] = (), **options) -> Namespace: ...
    def fork(self, source: str, target: str) -> Namespace: ...
    def keys(self) -> list[str]: ...
    def revisions(self, keys: list[str]) -> list: ...  # per key, a marker that changes with its state
    def drop_all(self) -> int: ...
    def link(self, token: str, key: str) -> None: ...
    def namespace_for_link(self, token: str) -> Namespace | None: ...
    def close(self) -> None: ...

    # the console's sessions (never asked on the API's path)
    def console_session_start(self, sid: str, key: str, max_age_ms: int) -> None: ...
    def console_session(self, sid: str) -> dict | None: ...
    def console_session_flash(self, sid: str, flash: dict) -> None: ...
    def console_session_take_flashes(self, sid: str) -> list[dict]: ...
    def console_session_end(self, sid: str) -> None: ...
    def console_secret(self, candidate: str) -> str: ...


# -- what both stores do the same way ----------------------------------------------------------------


def reset(store: Store, key: str, keep: Iterable[str] = (), **options) -> Namespace:
    """Rebuild the key's namespace from the fixtures (`options`: the set, the seed), in place:
    holders keep a valid handle, the journal and snapshots stay, and so do the settings named in
    `keep` (configuration, not data: the caller says which)."""
    ns = store.namespace(key)
    if "profile" in keep:
        # The fixtures are replayed under the profile the namespace keeps.
        with ns.lock:
            options["profile"] = (ns.settings("profile") or {}).get("name")
    fresh = store.build(key, **options)
    with ns.lock:
        for part in keep:
            fresh.save_settings(part, copy.deepcopy(ns.settings(part)))
        ns.adopt(fresh)
    ns.clear_requests()  # a fresh namespace, a fresh rate-limit window
    return ns


def fork(store: Store, source: str, target: str) -> Namespace:
    """Make `target`'s namespace an exact copy of `source`'s state."""
    src, dst = store.namespace(source), store.namespace(target)
    with src.lock:
        state = src.export_state()
    with dst.lock:
        dst.replace_state(state)
    return dst
