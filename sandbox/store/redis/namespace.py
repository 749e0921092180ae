"""A namespace in Redis (redis-py), seen from one worker: several worker processes, on one
machine or many, serve one sandbox and a restart of every worker keeps the state.
`RedisNamespace` implements the store's port (sandbox/store/base.py), as the memory store's
`MemoryNamespace` does; the domain does not know which one it talks to. How it stays atomic,
and the keys it keeps, are in the package's docstring (sandbox/store/redis/__init__.py)."""

import copy
import hashlib
import secrets
import threading
import time
import uuid
from typing import TYPE_CHECKING

from sandbox import clock, codec, ids
from sandbox.domain.errors import STORE_UNAVAILABLE
from sandbox.store.base import (
    COLLECTIONS, DROPPED, JOURNAL_SIZE, SUMMARIES, CommitFailed, Filter, StoreUnavailable, SummaryView, summarize,
)
from sandbox.store.redis import commit, keys, readahead
from sandbox.store.redis.codec import as_text, journal_dump, journal_load, read_plain
from sandbox.store.redis.commit import SNAPSHOT_PARTS
from sandbox.store.redis.lock import NamespaceLock, NeedsLock, locked, writes

if TYPE_CHECKING:
    from sandbox.store.redis.store import RedisStore

LOCK_MS = 15_000  # a lock outlives a stalled worker by this much; its commit is then refused
LOCK_WAIT_SECONDS = 20.0
TOUCH_SECONDS = 60.0


class RedisNamespace:
    """One namespace in Redis, seen from this worker (see the module docstring)."""

    def __init__(self, store: "RedisStore", key: str):
        self.store, self.key, self.r = store, key, store.r
        self.id = keys.namespace_id(key)
        self.base = keys.namespace_base(self.id)
        self.lock = NamespaceLock(self)
        self._token = None
        self._reader = None  # the thread in a lock-free read (`read`)
        self._touched = 0.0
        self._recent = None  # the settings as this worker's last operation left them
        self._journal = None  # the request's journal entry, committed with its writes
        self.used = time.monotonic()  # when `RedisStore.namespace` last handed it out
        self._reset_buffer()

    def idle(self) -> bool:
        """No thread holds its lock or reads through it now (the store may let the handle go)."""
        lock = self.lock
        return lock.owner is None and lock.depth == 0 and not lock.kept and self._reader is None

    # -- the lock's two ends ------------------------------------------------------------------
    def k(self, part: str) -> str:
        return self.base + part

    def _reset_buffer(self) -> None:
        self._meta, self._meta_text, self._rev, self._seq = None, "", 0, 0  # _seq: insertion counter
        self._puts: dict[str, dict] = {}  # kind -> {id: text, or None when deleted}
        self._cache: dict[str, dict] = {}  # kind -> {id: text or None}, as read this time
        self._tokens: dict[str, str | None] = {}
        self._token_cache: dict[str, str | None] = {}
        self._sums: dict[str, dict] = {}  # kind -> {id: summary JSON, or None when deleted}
        self._postings: list[str] = []
        self._deltas: dict[str, int] = {}
        self._bal_cache: dict[str, int] = {}
        self._ops: list[tuple] = []
        self._head: dict[str, list] = {}  # kind -> stored ids `trim` dropped this time
        self._counts: dict[str, tuple] = {}  # kind -> (stored count, its oldest ids) as read ahead
        self._new_ids: set[str] = set()  # ids this operation made (`new_id`): new to every collection
        self._reads: list[tuple] = []  # what this operation read by id (the next one reads it ahead)
        self._trips = 0  # round trips a lock-free read made after its first
        self._clear = False

    def _begin(self) -> None:
        token = uuid.uuid4().hex
        deadline, pause = time.monotonic() + LOCK_WAIT_SECONDS, 0.0002
        while not self._start(token):
            if time.monotonic() > deadline:
                raise StoreUnavailable("The sandbox namespace is busy; try again")
            time.sleep(pause)
            pause = min(pause * 2, 0.005)
        self._token = token
        if self._meta is not None:
            return
        try:  # a new (or expired) namespace: build it from the fixtures, as the memory store does
            fresh = self.store.build(self.key)
            self.replace_state(fresh.export_state())
            # Its revision starts anywhere, not at 0: a marker a worker kept of the namespace that
            # expired or was dropped (`RedisStore.revisions`) never matches the new one by chance.
            self._ops.append(("SET", "rev", str(secrets.randbits(48))))
            self._flush(release=False)
            self._touched = 0.0  # the release lists it among the active namespaces and sets every TTL
        except BaseException:
            self._end(commit=False)
            raise

    def _start(self, token: str | None) -> bool:
        """One round trip: take the lock (`token`; None: a lock-free read), and read the settings,
        the revision and what the expected operation read last time (readahead.py). False when
        another holder has the lock."""
        plan = readahead.plan(self)
        keys = [self.k("lock"), self.k("meta"), self.k("rev"), self.k("seq"), *plan.keys]
        reply = self.store.begin(keys=keys, args=[token or "", LOCK_MS, *plan.args])
        if reply[0] != 1:
            return False
        self._reset_buffer()
        meta_text, self._rev, self._seq = as_text(reply[1]), int(reply[2]), int(reply[3])
        if meta_text:
            self._meta, self._meta_text = codec.loads(meta_text), meta_text
            plan.apply(self, reply[4:])
        return True

    def _end(self, commit: bool):
        """Commit and release; or, after an exception, release having applied nothing. Answers
        the id of the journal entry committed with the writes, if one was."""
        try:
            if not commit:
                self._drop_writes()
                self._meta = None
            entry_id = self._flush(release=True)
            if commit:
                self._recent = self._meta
                readahead.learn(self)
            return entry_id
        finally:
            self._token = None
            self._reset_buffer()

    def _flush(self, release: bool):
        """Apply the buffer in one Lua script that first checks the fence (commit.py)."""
        try:
            return commit.flush(self, release)
        finally:
            self._counts = {}  # the stored counts change

    def _checkpoint(self) -> None:
        """Another block of the same request begins: what the earlier ones wrote is applied now
        (still under the lock), so this block's failure rolls back only its own writes."""
        if self._dirty():
            self._flush(release=False)

    def _rollback(self) -> None:
        """Forget this block's writes (the earlier blocks' were applied by `_checkpoint`)."""
        self._drop_writes()
        self._meta = codec.loads(self._meta_text) if self._meta_text else None

    def _drop_writes(self) -> None:
        """Forget every buffered write (after a flush applied them, or to roll them back)."""
        self._puts, self._tokens, self._sums, self._postings, self._deltas = {}, {}, {}, [], {}
        self._ops, self._clear, self._head = [], False, {}

    # -- one request, and lock-free reads ------------------------------------------------------
    def begin_request(self) -> None:
        self.lock.thread.request = True
        self.lock.thread.wrote = False

    def changed_in_request(self) -> bool:
        """Whether this thread's request wrote to the namespace (committed, or kept to its end):
        no round trip, no lock."""
        return getattr(self.lock.thread, "wrote", False) or (self.lock.held() and self._dirty())

    def end_request(self, entry: dict | None) -> None:
        """Commit the writes the request kept with its journal entry, in one script; without a
        kept lock, the entry goes in on its own (journal.lua)."""
        lock = self.lock
        if entry is None:
            try:
                lock.finish()
            except StoreUnavailable as err:
                raise CommitFailed(str(err)) from None
            return
        if not lock.held():
            lock.thread.request = False
            self.journal_record(entry)
            return
        entry["at_ms"] = clock.now_ms(self._meta["clock"])
        self._journal = journal_dump({key: value for key, value in entry.items() if key != "id"})
        if lock.depth > 0:  # still held by an outer block (`response_lost`): written when it ends
            lock.thread.request = False
            return
        writes = self._dirty()
        try:
            entry["id"] = lock.finish()
        except Exception as err:
            if writes and (isinstance(err, StoreUnavailable) or err.__class__.__module__.startswith("redis")):
                raise CommitFailed(str(err) if isinstance(err, StoreUnavailable) else STORE_UNAVAILABLE) from err
            raise

    def stop_keeping(self) -> None:
        """The rest of this thread's request commits each use of the lock at its end (see the
        port, store/base.py): what the request kept so far is committed and let go now; its
        journal entry goes in on its own at the end (`end_request`)."""
        lock = self.lock
        if lock.held() and lock.kept and lock.depth == 0:
            try:
                lock.finish()
            except StoreUnavailable as err:
                raise CommitFailed(str(err)) from None
        lock.thread.request = False

    def expect(self, operation: str, args: tuple) -> None:
        readahead.expect(self, operation, args)

    def read(self, fn):
        """`fn()` on a consistent view without the lock: one script reads the settings, the
        revision and what `fn` read last time; any further read is checked against the revision
        at the end. A write, a namespace to build or a change under it: `fn` runs again, locked."""
        if self.lock.held() or self._reader is not None and self._reader == threading.get_ident():
            with self.lock:
                return fn()
        with self.lock.local:
            try:
                if self._start(None) and self._meta is not None:
                    self._reader = threading.get_ident()
                    try:
                        answer = fn()
                        if self._dirty() or (self._trips and int(self.r.get(self.k("rev")) or 0) != self._rev):
                            raise NeedsLock()
                    finally:
                        self._reader = None
                    self._recent = self._meta
                    readahead.learn(self)
                    return answer
            except NeedsLock:
                pass
            finally:
                self._reset_buffer()
        with self.lock:
            return fn()

    def _fetched(self) -> None:
        """A read went to Redis: in a lock-free read, the revision is checked again at its end."""
        if self._reader is not None:
            self._trips += 1

    # -- clock and ids -------------------------------------------------------------------
    @property
    def state(self) -> dict:
        """The namespace's small settings (clock, ids, webhook, fixture, counters); live
        under the lock, a fresh copy outside it."""
        if self.lock.held() or self._reader == threading.get_ident():
            return self._meta
        text = as_text(self.r.get(self.k("meta")))
        if text:
            return codec.loads(text)
        with self.lock:
            return copy.deepcopy(self._meta)

    def recent_state(self) -> dict:
        """The settings as this worker's last operation on the namespace saw them (no round
        trip; a moment old at most), or fresh ones when there was none. Under the lock (or in a
        lock-free read), the operation's own."""
        if self._meta is not None and (self.lock.held() or self._reader == threading.get_ident()):
            return self._meta
        return self._recent or self.state

    @locked
    def now_ms(self) -> int:
        return clock.now_ms(self._meta["clock"])

    @locked
    def get_clock(self) -> dict:
        return dict(self._meta["clock"])

    @writes
    def save_clock(self, clock_state: dict) -> None:
        self._meta["clock"] = clock_state

    @writes
    def new_id(self) -> str:
        made = ids.new_object_id(self._meta["ids"], self.now_ms())
        self._new_ids.add(made)
        return made

    @writes
    def new_token(self) -> str:
        while True:
            token = ids.new_payment_token(self._meta["ids"])
            if self._escrow_id(token) is None:
                return token

    @writes
    def new_reference(self, prefix: str) -> str:
        return ids.new_reference(self._meta["ids"], prefix)

    @locked
    def revision(self):
        """Changes whenever the namespace does (a commit that wrote anything, or a pending write)."""
        return (self._rev, self._dirty())

    def mark(self):
        return self.revision()

    @locked
    def changed_since(self, mark) -> bool:
        return self._rev != mark[0] or self._dirty()

    @locked
    def quiet_revision(self):
        """The revision this lock read, when nothing is written in it (so none is committed):
        what `RedisStore.revisions` answers until the namespace next changes."""
        return None if self._dirty() else self._rev

    def _dirty(self) -> bool:
        return bool(self._puts or self._tokens or self._postings or self._deltas or self._ops or self._clear
                    or (self._meta is not None and codec.dumps(self._meta) != self._meta_text))

    # -- settings and counters beside the entities (in `meta`) -----------------------------------
    @locked
    def settings(self, part: str) -> dict | None:
        return codec.copy(self._meta.get(part))

    @writes
    def save_settings(self, part: str, value: dict | None) -> None:
        self._meta[part] = codec.copy(value)

    @locked
    def dropped(self, kind: str) -> int:
        return self._meta[DROPPED[kind]]

    @writes
    def count_dropped(self, kind: str, count: int) -> None:
        self._meta[DROPPED[kind]] += count

    # -- the merchant (key holder) -----------------------------------------------------------
    @locked
    def get_merchant(self) -> dict | None:
        merchant = self._meta["merchant"]
        return None if merchant is None else copy.deepcopy(merchant)

    @writes
    def save_merchant(self, merchant: dict) -> None:
        self._meta["merchant"] = copy.deepcopy(merchant)

    # -- any collection ----------------------------------------------------------------------
    def _texts(self, kind: str, entity_ids: list[str]) -> list[str | None]:
        """By id, buffered writes first, then what this operation read, then Redis (one HMGET)."""
        puts, cache = self._puts.get(kind, {}), self._cache.setdefault(kind, {})
        missing = [i for i in entity_ids if i not in puts and i not in cache]
        if missing and not self._clear:
            self._fetched()
            for entity_id, text in zip(missing, self.r.hmget(self.k(f"h:{kind}"), missing)):
                cache[entity_id] = as_text(text)
        return [puts[i] if i in puts else cache.get(i) for i in entity_ids]

    @locked
    def get(self, kind: str, key: str) -> dict | None:
        self._reads.append(("h", kind, key))
        text = self._texts(kind, [key])[0]
        return None if text is None else codec.loads(text)

    def _order(self, kind: str) -> list[str]:
        """Ids of the kind in insertion order, buffered writes included."""
        if self._clear:
            stored = []
        else:
            self._fetched()
            stored = [as_text(i) for i in self.r.zrange(self.k(f"o:{kind}"), 0, -1)]
        return self._with_puts(kind, stored)

    def _with_puts(self, kind: str, stored: list[str]) -> list[str]:
        """Stored ids in order, with this operation's deletions left out and its new ones last."""
        puts = self._puts.get(kind)
        if not puts:
            return stored
        known = set(stored)
        kept = [i for i in stored if puts.get(i, "") is not None]
        return kept + [i for i, text in puts.items() if text is not None and i not in known]

    @locked
    def all(self, kind: str) -> list[dict]:
        order = self._order(kind)
        return [codec.loads(text) for text in self._texts(kind, order) if text is not None]

    @locked
    def count(self, kind: str) -> int:
        if self._clear or self._puts.get(kind):
            return len(self._order(kind))
        self._fetched()
        return int(self.r.zcard(self.k(f"o:{kind}")))

    def _list_keys(self, kind: str) -> list[str]:
        return [self.k(f"o:{kind}"), self.k(f"h:{kind}"), self.k(f"sum:{kind}")]

    def _matching(self, kind: str, where: Filter | None) -> list[str]:
        """Ids of the entities `where` accepts, in order: judged on the summaries when they answer
        it (the order and the summaries in one round trip), else on the decoded entities."""
        if where is None:
            return self._order(kind)
        if not where.on_summaries(kind) or self._clear:
            order = self._order(kind)
        if not where.on_summaries(kind):
            return [i for i, text in zip(order, self._texts(kind, order)) if text is not None and where(codec.loads(text))]
        if self._clear:
            stored = {}
        else:
            self._fetched()
            order, flat = self.store.list(keys=self._list_keys(kind), args=["summaries"])
            order = self._with_puts(kind, [as_text(i) for i in order])
            stored = {as_text(flat[i]): as_text(flat[i + 1]) for i in range(0, len(flat), 2)}
        stored.update(self._sums.get(kind, {}))
        view = SummaryView(kind)
        keys = []
        for escrow_id in order:
            text = stored.get(escrow_id)
            if text is None:
                continue
            view.row = codec.loads(text)
            if where(view):
                keys.append(escrow_id)
        return keys

    @locked
    def find(self, kind: str, where: Filter | None = None) -> list[dict]:
        keys = self._matching(kind, where)
        return [codec.loads(text) for text in self._texts(kind, keys) if text is not None]

    @locked
    def page(self, kind: str, page: int, limit: int, where: Filter | None = None) -> tuple[list[dict], int]:
        """One page (1-based), newest first, and how many match. Without a filter or
        pending writes: ZCARD + ZREVRANGE + HMGET; with one, the summaries are read (or the entities)."""
        start = (page - 1) * limit
        if where is None and not self._clear and not self._puts.get(kind):
            self._fetched()
            if limit <= 0:
                return [], int(self.r.zcard(self.k(f"o:{kind}")))
            total, ids, texts = self.store.list(keys=self._list_keys(kind), args=["page", start, start + limit - 1])
            total, keys = int(total), [as_text(i) for i in ids]
            cache = self._cache.setdefault(kind, {})
            for entity_id, text in zip(keys, texts):
                cache.setdefault(entity_id, as_text(text))
        else:
            matching = self._matching(kind, where)[::-1]
            total, keys = len(matching), matching[start:start + limit]
        return [codec.loads(text) for text in self._texts(kind, keys) if text is not None], total

    @writes
    def save(self, kind: str, entity: dict, key_field: str = "id") -> None:
        self._puts.setdefault(kind, {})[entity[key_field]] = codec.dumps(entity)
        if kind in SUMMARIES:
            self._sums.setdefault(kind, {})[entity[key_field]] = codec.dumps(list(summarize(kind, entity)))

    @writes
    def delete(self, kind: str, key: str) -> None:
        self._puts.setdefault(kind, {})[key] = None
        if kind in SUMMARIES:
            self._sums.setdefault(kind, {})[key] = None

    @writes
    def trim(self, kind: str, cap: int) -> int:
        """Drop the oldest entities beyond `cap`; answers how many were dropped. The common case
        (new entities appended, maybe some already trimmed by this operation) is one script:
        count what is stored and new, and name the stored ids to drop. When the stored count (and
        its oldest ids, near the cap) was read ahead and every buffered entity is surely new, no
        round trip at all."""
        self._reads.append(("c", kind, cap))
        puts = self._puts.get(kind, {})
        head = self._head.setdefault(kind, [])  # stored ids this operation dropped, oldest first
        if not self._clear and {i for i, text in puts.items() if text is None} <= set(head):
            known = self._cache.get(kind, {})
            fresh = [i for i, text in puts.items() if text is not None and known.get(i) is None]
            counted = self._counts.get(kind)
            if counted is not None and all(i in self._new_ids or (i in known and known[i] is None) for i in fresh):
                stored, oldest = counted
                excess = stored - len(head) + len(fresh) - cap
                if excess <= 0:
                    return 0
                take = min(excess, stored - len(head))
                if len(head) + take <= len(oldest):
                    dropped = oldest[len(head):len(head) + take]
                    head.extend(dropped)
                    dropped += fresh[:excess - take]
                    for entity_id in dropped:
                        self.delete(kind, entity_id)
                    return len(dropped)
            excess, stored = self.store.trim(keys=[self.k(f"o:{kind}")], args=[cap, len(head), *fresh])
            oldest = [as_text(i) for i in stored]
            head.extend(oldest)
            oldest += fresh[:max(0, excess - len(oldest))]  # more new ones than the cap leaves room for
            for entity_id in oldest:
                self.delete(kind, entity_id)
            return len(oldest)
        order = self._order(kind)
        dropped = order[:max(0, len(order) - cap)]
        for entity_id in dropped:
            self.delete(kind, entity_id)
        return len(dropped)

    # -- escrows also have a payment-token index and summaries ------------------------------------
    def _escrow_id(self, token: str) -> str | None:
        if token in self._tokens:
            return self._tokens[token]
        if token not in self._token_cache:
            if not self._clear:
                self._fetched()
            self._token_cache[token] = None if self._clear else as_text(self.r.hget(self.k("tokens"), token))
        return self._token_cache[token]

    @locked
    def get_escrow_by_token(self, token: str) -> dict | None:
        self._reads.append(("t", token))
        if token not in self._tokens and token not in self._token_cache and not self._clear:
            self._fetched()
            found = self.store.by_token(keys=[self.k("tokens"), self.k("h:escrows")], args=[token])  # one trip
            self._token_cache[token] = as_text(found[0]) if found else None
            if found and as_text(found[1]) and found[0] not in self._puts.get("escrows", {}):
                self._cache.setdefault("escrows", {})[as_text(found[0])] = as_text(found[1])
        escrow_id = self._escrow_id(token)
        return self.get("escrows", escrow_id) if escrow_id else None

    @writes
    def save_escrow(self, escrow: dict) -> None:
        self.save("escrows", escrow)
        self._tokens[escrow["payment_token"]] = escrow["id"]

    @writes
    def delete_escrow(self, escrow: dict) -> None:
        self.delete("escrows", escrow["id"])
        self._tokens[escrow["payment_token"]] = None

    # -- ledger --------------------------------------------------------------------------------
    @writes
    def append_posting(self, posting: dict) -> None:
        self._postings.append(codec.dumps(posting))
        for account, amount in posting["entries"]:
            self._deltas[account] = self._deltas.get(account, 0) + amount

    @locked
    def balance(self, account: str) -> int:
        self._reads.append(("b", account))
        if account not in self._bal_cache:
            if not self._clear:
                self._fetched()
            self._bal_cache[account] = 0 if self._clear else int(self.r.hget(self.k("bal"), account) or 0)
        return self._bal_cache[account] + self._deltas.get(account, 0)

    @locked
    def balances(self) -> dict:
        if not self._clear:
            self._fetched()
        stored = {} if self._clear else {as_text(k): int(v) for k, v in self.r.hgetall(self.k("bal")).items()}
        for account, delta in self._deltas.items():
            stored[account] = stored.get(account, 0) + delta
        return stored

    @locked
    def postings(self) -> list[dict]:
        if not self._clear:
            self._fetched()
        stored = [] if self._clear else [as_text(t) for t in self.r.lrange(self.k("postings"), 0, -1)]
        return [codec.loads(text) for text in stored + self._postings]

    # -- the request journal (bounded; the oldest entries drop off) ----------------------------
    def journal_record(self, entry: dict) -> None:
        """Append a request to the journal with the next id and the namespace clock's time: one
        script, no namespace lock (the journal is a log of its own; the clock is the one this
        worker's last operation on the namespace saw, read again only when there was none)."""
        meta = self._recent or self.state
        entry["at_ms"] = clock.now_ms(meta["clock"])
        text = journal_dump({key: value for key, value in entry.items() if key != "id"})
        entry["id"] = int(self.store.journal(keys=[self.k("jseq"), self.k("journal"), self.k("jdrop")],
                                             args=[text, JOURNAL_SIZE, self.store.ttl_ms]))

    @locked
    def journal_entries(self) -> list[dict]:
        items, entries, i = self.r.lrange(self.k("journal"), 0, -1), [], 0  # an entry's id, then its JSON
        while i < len(items):
            if items[i][:1] == b"{":  # an entry an earlier version wrote (its id inside) until it drops off
                entry = journal_load(as_text(items[i]))
                if "id" in entry:  # (not half a pair the cap cut while both forms were in the list)
                    entries.append(entry)
                i += 1
            else:
                entries.append({"id": int(items[i]), **journal_load(as_text(items[i + 1]))})
                i += 2
        return entries

    journal_capacity = JOURNAL_SIZE

    @property
    def journal_dropped(self) -> int:
        return int(self.r.get(self.k("jdrop")) or 0)

    @writes
    def journal_clear(self) -> int:
        cleared = int(self.r.llen(self.k("journal"))) // 2
        self._ops += [("DEL", "journal"), ("SET", "jdrop", "0")]
        return cleared

    # -- the rate limit's count: one script on Redis's clock, no namespace lock ------------------
    def count_request(self, window_ms: int) -> tuple[int, int]:
        """One round trip (INCR, and PEXPIRE when it opens the window): every worker counts into
        the same key, and the window is Redis's real time."""
        counted, left = self.store.requests(keys=[self.k("requests")], args=[window_ms])
        return int(counted), int(left)

    def clear_requests(self) -> None:
        self.r.delete(self.k("requests"))

    # -- whole-namespace -------------------------------------------------------------------
    @writes
    def replace_state(self, state: dict) -> None:
        """Take a plain state (as `new_state` or `export_state` give it) in place of this one."""
        self._reset_pending()
        self._clear = True
        self._meta = {key: codec.copy(state[key]) for key in state
                      if key not in COLLECTIONS and key not in ("tokens", "ledger", "shapes")}
        for kind in COLLECTIONS:  # keyed as the state keys them (payments and intents by reference)
            for entity_id, entity in state.get(kind, {}).items():
                self._puts.setdefault(kind, {})[entity_id] = codec.dumps(entity)
                if kind in SUMMARIES:
                    self._sums.setdefault(kind, {})[entity_id] = codec.dumps(list(summarize(kind, entity)))
        for token, escrow_id in state.get("tokens", {}).items():
            self._tokens[token] = escrow_id
        self._postings = [codec.dumps(posting) for posting in state["ledger"]["postings"]]
        self._ops += [("HSET", "bal", account, str(amount)) for account, amount in state["ledger"]["balances"].items()]

    def _reset_pending(self) -> None:
        """Before a whole new state: drop buffered writes (but a journal clear) and what was read."""
        journal_ops = [op for op in self._ops if op[1] in ("journal", "jdrop")]
        self._drop_writes()
        self._ops = journal_ops
        self._cache, self._token_cache, self._bal_cache = {}, {}, {}

    @writes
    def export_state(self) -> dict:
        """The whole state in its plain form (entities as dicts, amounts in kobo)."""
        self._flush(release=False)
        return read_plain(self.r, self.k)

    def adopt(self, other) -> None:
        """Take over another namespace's state (a fresh build, on reset)."""
        self.replace_state(other.export_state())

    # -- named snapshots: server-side copies of the state keys (COPY) ----------------------------
    def _snap_part(self, name: str, part: str) -> str:
        return f"snap:{hashlib.sha1(name.encode()).hexdigest()[:16]}:{part}"

    @writes
    def snapshot_save(self, name: str, at_ms: int) -> dict:
        self._flush(release=False)
        info = {"name": name, "created_at_ms": at_ms}
        self._ops += [("COPY", part, self._snap_part(name, part)) for part in SNAPSHOT_PARTS]
        self._ops.append(("HSET", "snaps", name, codec.dumps(info)))
        self._flush(release=False)
        self._touched = 0.0  # the next release gives the new keys the namespace's TTL
        return info

    @locked
    def snapshot_get(self, name: str) -> dict | None:
        self._fetched()
        text = as_text(self.r.hget(self.k("snaps"), name))
        return None if text is None else codec.loads(text)

    @writes
    def snapshot_restore(self, name: str) -> dict | None:
        info = self.snapshot_get(name)
        if info is None:
            return None
        self._flush(release=False)
        self._ops += [("COPY", self._snap_part(name, part), part) for part in SNAPSHOT_PARTS]
        self._flush(release=False)
        self._cache, self._token_cache, self._bal_cache = {}, {}, {}
        self._meta_text = as_text(self.r.get(self.k("meta")))
        self._meta = codec.loads(self._meta_text)
        return info

    @writes
    def snapshot_export(self, name: str) -> dict | None:
        if self.snapshot_get(name) is None:
            return None
        return read_plain(self.r, lambda part: self.k(self._snap_part(name, part)))

    @locked
    def snapshot_list(self) -> list[dict]:
        self._fetched()
        infos = [codec.loads(as_text(v)) for v in self.r.hvals(self.k("snaps"))]
        return sorted(infos, key=lambda s: (s["created_at_ms"], s["name"]))

    @writes
    def snapshot_delete(self, name: str) -> bool:
        if self.snapshot_get(name) is None:
            return False
        self._ops += [("DEL", self._snap_part(name, part)) for part in SNAPSHOT_PARTS]
        self._ops.append(("HDEL", "snaps", name))
        self._flush(release=False)  # read-your-writes: the snapshot is gone for the rest of the lock
        return True
