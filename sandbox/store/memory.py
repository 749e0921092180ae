"""All sandbox state, one plain-data namespace per secret key, each behind its own lock.

`MemoryNamespace` is the repository the domain services talk to: they read entities as
copies, change them, and `save_*` them back, so a shared backend (Redis, later) can slot
in behind the same methods without the domain knowing.

How a namespace is held (chosen by measurement, see bench/results.md):
  * every entity and every ledger posting is kept *encoded*, as compact JSON text of its
    values with the key names kept once per shape (`Codec`). A read decodes a fresh copy
    (C speed), a save encodes; nothing is shared with the caller. Text is ~4× smaller than
    the dicts it stands for and is invisible to the garbage collector, so 100,000 escrows
    cost neither memory nor GC pauses;
  * beside the state, derived indexes rebuilt whenever the state is replaced: for escrows and
    webhook events a small summary tuple (the fields filters read, SUMMARIES), so lists decode
    only their page and the webhook dispatcher's look for due events decodes nothing;
  * snapshots are shallow copies of those text maps: taking or restoring one copies
    references, not entities.
`export_state` gives the plain form (entities as dicts, amounts in kobo); `replace_state`
takes it back.
"""

import collections
import copy
import itertools
import re
import sys
import threading
import zlib
from itertools import islice


from sandbox import clock, codec, ids
from sandbox.domain import lifecycle
from sandbox.store import base
from sandbox.store.base import (
    CONSOLE_FLASHES, COLLECTIONS, DROPPED, JOURNAL_SIZE, SUMMARIES, Filter, SummaryView, summarize,
)

MAX_CONSOLE_SESSIONS = 1000  # signed-in console sessions kept; the oldest is forgotten beyond


class Codec:
    """Entities as text: `<shape>:<JSON array of values>`, the key tuple of each shape stored
    once in a shape table that is part of the namespace state (so any copy decodes).

    `pack=True` (entities that change no more: closed escrows) stores `<shape>~<deflated
    values>` instead, using the first entity seen in that shape as a preset dictionary: the
    next escrow differs from it in ids, amounts and times only, so ~720 bytes of JSON deflate
    to ~240. The deflated bytes are held as latin-1 text so the state stays plain JSON data."""

    WBITS, LEVEL, MEMLEVEL = -10, 1, 1  # a 1 KiB window and the smallest state: fast to set up

    def __init__(self, shapes: list):
        self.shapes = shapes  # [keys, dictionary] pairs, shared with the state
        self.index = {tuple(keys): n for n, (keys, _) in enumerate(shapes)}
        self.dictionaries = [dictionary.encode() for _, dictionary in shapes]
        self.keys = [keys for keys, _ in shapes]

    def encode(self, entity: dict, pack: bool = False) -> str:
        raw = codec.dumps(list(entity.values()))
        keys = tuple(entity)
        shape = self.index.get(keys)
        if shape is None:
            shape = self.index[keys] = len(self.shapes)
            self.shapes.append([list(keys), raw])
            self.dictionaries.append(raw.encode())
            self.keys.append(list(keys))
        if not pack:
            return f"{shape}:{raw}"
        packer = zlib.compressobj(self.LEVEL, zlib.DEFLATED, self.WBITS, self.MEMLEVEL,
                                  zlib.Z_DEFAULT_STRATEGY, self.dictionaries[shape])
        return f"{shape}~{(packer.compress(raw.encode()) + packer.flush()).decode('latin-1')}"

    def decode(self, text: str) -> dict:
        head = _HEAD(text)
        shape, body = int(head.group(1)), text[head.end():]
        if head.group(2) == "~":
            body = zlib.decompressobj(self.WBITS, self.dictionaries[shape]).decompress(body.encode("latin-1"))
        return dict(zip(self.keys[shape], codec.loads(body)))


_HEAD = re.compile(r"(\d+)([:~])").match


class Ledger:
    """The postings of a namespace, append-only: recent ones as encoded texts, older ones
    deflated in chunks of CHUNK (one compression per CHUNK postings, ~35 bytes each after)."""

    CHUNK = 256

    @staticmethod
    def append(ledger: dict, text: str) -> None:
        recent = ledger["postings"]
        recent.append(text)
        if len(recent) >= Ledger.CHUNK:
            ledger["chunks"].append(zlib.compress("\n".join(recent).encode(), 1).decode("latin-1"))
            ledger["postings"] = []

    @staticmethod
    def texts(ledger: dict):
        for chunk in ledger["chunks"]:
            yield from zlib.decompress(chunk.encode("latin-1")).decode().split("\n")
        yield from ledger["postings"]


def _cold(kind: str, entity: dict) -> bool:
    """Kept deflated (Codec, pack=True): escrows the domain calls closed, which change no more
    and are rarely read."""
    return kind == "escrows" and lifecycle.is_closed(entity)


class Summaries(dict):
    """id -> summary tuple, for one kind. A dict subclass on purpose: CPython untracks a plain
    dict whose values are all untracked (summary tuples become so at their first collection),
    and the next insertion tracks it again into the youngest generation, so every young
    collection walked all its entries (measured: gen-0 passes of 2.5 ms at 70,000 escrows,
    10-25 ms at 200,000, the max latency of the flow mix). A subclass is never untracked: it
    ages into the oldest generation once and only full collections visit it."""

    __slots__ = ()


class MemoryNamespace:
    """One namespace held in this process; `lock` makes each operation atomic."""

    def __init__(self, state: dict):
        self.lock = threading.RLock()
        self._request_mark = threading.local()  # the revision as this thread's request began
        # Beside the state, not part of it (a reset or a restore keeps them): the request
        # journal, named snapshots, and sandbox controls armed for this namespace.
        self.journal: collections.deque = collections.deque(maxlen=JOURNAL_SIZE)
        self.journal_dropped = 0
        self._journal_ids = itertools.count(1)  # never reused, not even after a clear or reset
        self.snapshots: dict[str, dict] = {}
        self.armed: dict = {}
        # The rate limit's window: (opened at, real ms; requests counted), None before the first.
        self._requests = None
        self._requests_lock = threading.Lock()
        self.replace_state(state)

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

    # -- settings and counters beside the entities ---------------------------------------------
    def settings(self, part: str) -> dict | None:
        return codec.copy(self.state.get(part))

    def save_settings(self, part: str, value: dict | None) -> None:
        self.state[part] = codec.copy(value)

    def dropped(self, kind: str) -> int:
        return self.state[DROPPED[kind]]

    def count_dropped(self, kind: str, count: int) -> None:
        self.state[DROPPED[kind]] += count

    # -- the rate limit's count: a fixed window of real time (one process: a locked counter) -----
    def count_request(self, window_ms: int) -> tuple[int, int]:
        now = clock.real_ms()
        with self._requests_lock:
            opened, counted = self._requests or (now, 0)
            if now >= opened + window_ms:
                opened, counted = now, 0
            self._requests = (opened, counted + 1)
            return counted + 1, opened + window_ms - now

    def clear_requests(self) -> None:
        with self._requests_lock:
            self._requests = None

    # -- change detection (the console's poller, `response_lost`) ------------------------------
    def recent_state(self) -> dict:
        """The small settings (webhook, clock…) without a lock: here, the live state."""
        return self.state

    def revision(self):
        """Cheap: changes when the state is replaced or anything draws an id (every new entity,
        posting and event does); clock settings and the journal are checked beside it."""
        return id(self.state), self.state["ids"]["n"]

    def mark(self):
        """Exact: a copy to compare with `changed_since`."""
        return copy.deepcopy(self.state)

    def changed_since(self, mark) -> bool:
        return self.state != mark

    def quiet_revision(self):
        """None: in memory a look costs no round trip, so the dispatcher looks every time."""
        return None

    # -- the merchant (key holder) -----------------------------------------------------------
    def get_merchant(self) -> dict:
        merchant = self.state["merchant"]
        return None if merchant is None else self.codec.decode(merchant)

    def save_merchant(self, merchant: dict) -> None:
        self.state["merchant"] = self.codec.encode(merchant)

    # -- any collection: entities are read as copies and saved whole ---------------------------
    def get(self, kind: str, key: str) -> dict | None:
        text = self.state[kind].get(key)
        return None if text is None else self.codec.decode(text)

    def all(self, kind: str) -> list[dict]:
        decode = self.codec.decode
        return [decode(text) for text in self.state[kind].values()]

    def count(self, kind: str) -> int:
        return len(self.state[kind])

    def _matching(self, kind: str, where: Filter | None, newest_first: bool = False):
        """Keys of the entities `where` accepts, in order: judged on their summaries when they
        answer it (no decoding), else on decoded copies."""
        if where is not None and where.on_summaries(kind):
            summaries = self._summaries[kind]
            rows = reversed(summaries.items()) if newest_first else summaries.items()
            view = SummaryView(kind)
            if where.equal:  # most rows fail an equality: test one on the tuple first (the dispatcher's
                # look for due events passes over every delivered one: ~10x cheaper per row)
                name, value = next(iter(where.equal.items()))
                at = view.at[name]
                rows = ((key, row) for key, row in rows if row[at] == value)
            for key, view.row in rows:
                if where(view):
                    yield key
            return
        texts = self.state[kind]
        keys = reversed(texts) if newest_first else iter(texts)
        for key in keys:
            if where is None or where(self.codec.decode(texts[key])):
                yield key

    def find(self, kind: str, where: Filter | None = None) -> list[dict]:
        """Copies of the entities `where` accepts, in order."""
        return [self.get(kind, key) for key in list(self._matching(kind, where))]

    def page(self, kind: str, page: int, limit: int, where: Filter | None = None) -> tuple[list[dict], int]:
        """One page (1-based) of the matching entities, newest first, and how many match.
        Without a filter only the page is visited; with one answered from the summaries, every
        summary is tested but only the page is decoded."""
        start = (page - 1) * limit
        if where is None:
            total = len(self.state[kind])
            keys = list(islice(self._matching(kind, None, newest_first=True), start, start + limit))
        else:
            matching = list(self._matching(kind, where, newest_first=True))
            total, keys = len(matching), matching[start:start + limit]
        return [self.get(kind, key) for key in keys], total

    def save(self, kind: str, entity: dict, key_field: str = "id") -> None:
        self.state[kind][entity[key_field]] = self.codec.encode(entity)
        if kind in SUMMARIES:
            self._summaries[kind][entity[key_field]] = summarize(kind, entity)

    def delete(self, kind: str, key: str) -> None:
        self.state[kind].pop(key, None)
        if kind in SUMMARIES:
            self._summaries[kind].pop(key, None)

    def trim(self, kind: str, cap: int) -> int:
        """Drop the oldest entities beyond `cap`; answers how many were dropped."""
        entities = self.state[kind]
        dropped = 0
        while len(entities) > cap:
            self.delete(kind, next(iter(entities)))
            dropped += 1
        return dropped

    # -- escrows also have a payment-token index and summaries ------------------------------------
    def get_escrow_by_token(self, token: str) -> dict | None:
        escrow_id = self.state["tokens"].get(token)
        return self.get("escrows", escrow_id) if escrow_id else None

    def save_escrow(self, escrow: dict) -> None:
        # Interned: every map and summary refers to one id and one token object per escrow,
        # not to the fresh copies each decode makes.
        escrow_id, token = sys.intern(escrow["id"]), sys.intern(escrow["payment_token"])
        self.state["escrows"][escrow_id] = self.codec.encode(escrow, pack=_cold("escrows", escrow))
        self.state["tokens"][token] = escrow_id
        self._summaries["escrows"][escrow_id] = summarize("escrows", escrow)

    def delete_escrow(self, escrow: dict) -> None:
        self.delete("escrows", escrow["id"])
        self.state["tokens"].pop(escrow["payment_token"], None)

    # -- ledger --------------------------------------------------------------------------------
    def append_posting(self, posting: dict) -> None:
        ledger = self.state["ledger"]
        Ledger.append(ledger, self.codec.encode(posting))
        balances = ledger["balances"]
        for account, amount in posting["entries"]:
            balances[account] = balances.get(account, 0) + amount

    def balance(self, account: str) -> int:
        return self.state["ledger"]["balances"].get(account, 0)

    def balances(self) -> dict:
        return dict(self.state["ledger"]["balances"])

    def postings(self) -> list[dict]:
        decode = self.codec.decode
        return [decode(text) for text in Ledger.texts(self.state["ledger"])]

    # -- the request journal (bounded; the oldest entries drop off) ----------------------------
    # -- one request's unit of work: the memory store commits each operation as it ends ------------
    def begin_request(self) -> None:
        self._request_mark.value = self.revision()

    def changed_in_request(self) -> bool:
        return self.revision() != getattr(self._request_mark, "value", None)

    def end_request(self, entry: dict | None) -> None:
        if entry is not None:
            self.journal_record(entry)

    def stop_keeping(self) -> None:
        pass  # its lock is never kept past a block

    def expect(self, operation: str, args: tuple) -> None:
        pass

    def read(self, fn):
        with self.lock:
            return fn()

    def journal_record(self, entry: dict) -> None:
        """Append a request to the journal with the next id (1, 2, 3… for the life of the
        namespace, never reused) and the namespace clock's time."""
        with self.lock:
            entry["id"], entry["at_ms"] = next(self._journal_ids), self.now_ms()
            if len(self.journal) == self.journal.maxlen:
                self.journal_dropped += 1
            self.journal.append(entry)

    def journal_entries(self) -> list[dict]:
        return list(self.journal)

    @property
    def journal_capacity(self) -> int:
        return self.journal.maxlen

    def journal_clear(self) -> int:
        """Empty the journal; answers how many entries it held."""
        cleared = len(self.journal)
        self.journal.clear()
        self.journal_dropped = 0
        return cleared

    # -- whole-namespace -------------------------------------------------------------------
    def replace_state(self, state: dict) -> None:
        """Take a plain state (as `new_state` or `export_state` give it): encode it, index it."""
        shapes: list = []
        texts = Codec(shapes)
        held = {}
        for key, value in state.items():
            if key in COLLECTIONS:
                value = {k: texts.encode(entity, pack=_cold(key, entity)) for k, entity in value.items()}
            elif key == "merchant":
                value = None if value is None else texts.encode(value)
            elif key == "ledger":
                ledger = {"chunks": [], "postings": [], "balances": dict(value["balances"])}
                for posting in value["postings"]:
                    Ledger.append(ledger, texts.encode(posting))
                value = ledger
            elif key != "shapes":
                value = codec.copy(value)
            held[key] = value
        held["shapes"] = shapes
        summaries = {kind: Summaries((key, summarize(kind, entity)) for key, entity in state[kind].items())
                     for kind in SUMMARIES}
        self._adopt(held, summaries)

    def export_state(self) -> dict:
        """The whole state in its plain form (a deep copy: entities as dicts)."""
        return _export(self.state)

    def adopt(self, other: "MemoryNamespace") -> None:
        """Take over another namespace's state (a fresh build, on reset) as it is."""
        self._adopt(other.state, other._summaries)

    def _adopt(self, state: dict, summaries: dict) -> None:
        self.state, self._summaries, self.codec = state, summaries, Codec(state["shapes"])

    # -- named snapshots: reference copies of the encoded state (no entity is copied) --------
    def snapshot_save(self, name: str, at_ms: int) -> dict:
        self.snapshots[name] = {"name": name, "created_at_ms": at_ms, "copy": _copy(self.state, self._summaries)}
        return self.snapshots[name]

    def snapshot_restore(self, name: str) -> dict | None:
        """Make the namespace the snapshot's state again (the snapshot stays reusable)."""
        snapshot = self.snapshots.get(name)
        if snapshot is not None:
            self._adopt(*_copy(*snapshot["copy"]))
        return snapshot

    def snapshot_export(self, name: str) -> dict | None:
        """The snapshot's state in plain form, or None."""
        snapshot = self.snapshots.get(name)
        return None if snapshot is None else _export(snapshot["copy"][0])

    def snapshot_get(self, name: str) -> dict | None:
        return self.snapshots.get(name)

    def snapshot_list(self) -> list[dict]:
        return [{"name": s["name"], "created_at_ms": s["created_at_ms"]} for s in self.snapshots.values()]

    def snapshot_delete(self, name: str) -> bool:
        return self.snapshots.pop(name, None) is not None


def _copy(state: dict, summaries: dict) -> tuple[dict, dict]:
    """An independent copy of an encoded state and its summaries. Entity texts, summaries
    and scalars are immutable and shared; only containers are copied (small plain parts
    through JSON, the big maps one level deep)."""
    copied = {}
    for key, value in state.items():
        if key in COLLECTIONS or key in ("tokens", "shapes"):
            value = value.copy()
        elif key == "ledger":
            value = {"chunks": value["chunks"].copy(), "postings": value["postings"].copy(),
                     "balances": value["balances"].copy()}
        elif isinstance(value, (dict, list)):
            value = codec.copy(value)
        copied[key] = value
    return copied, {kind: Summaries(rows) for kind, rows in summaries.items()}


def _export(state: dict) -> dict:
    """An encoded state in plain form: entities and postings decoded, the shape table dropped."""
    decode = Codec(state["shapes"]).decode
    plain = {}
    for key, value in state.items():
        if key in COLLECTIONS:
            value = {k: decode(text) for k, text in value.items()}
        elif key == "merchant":
            value = None if value is None else decode(value)
        elif key == "ledger":
            value = {"postings": [decode(p) for p in Ledger.texts(value)], "balances": dict(value["balances"])}
        elif key == "shapes":
            continue
        else:
            value = codec.copy(value)
        plain[key] = value
    return plain


class MemoryStore:
    """Every namespace of this process, created on first use by `build(key)`, plus the
    links that let a browser page (checkout, payment authorisation) find its namespace
    without the secret key."""

    def __init__(self, build):
        self.build = build
        self._namespaces: dict[str, MemoryNamespace] = {}
        self._links: dict[str, str] = {}
        self._lock = threading.Lock()
        # The console's sessions: sid -> (expires at, real ms; record), oldest sign-in first.
        self._sessions: collections.OrderedDict[str, tuple[int, dict]] = collections.OrderedDict()
        self._secret: str | None = None

    def namespace(self, key: str) -> MemoryNamespace:
        """The key's namespace, built from the fixtures the first time the key is seen."""
        ns = self._namespaces.get(key)
        if ns is not None:
            return ns
        with self._lock:
            ns = self._namespaces.get(key)
            if ns is None:
                ns = self.build(key)
                self._namespaces[key] = ns
            return ns

    def reset(self, key: str, keep=(), **options) -> MemoryNamespace:
        return base.reset(self, key, keep, **options)

    def fork(self, source: str, target: str) -> MemoryNamespace:
        return base.fork(self, source, target)

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._namespaces)

    def revisions(self, keys: list[str]) -> list:
        """None for each: unknown (`MemoryNamespace.quiet_revision`)."""
        return [None] * len(keys)

    def close(self) -> None:
        """Nothing to let go of in memory (the Redis store closes its connections)."""

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

    # -- the console's sessions: this process's (the memory store is one process), expiring --------
    def console_session_start(self, sid: str, key: str, max_age_ms: int) -> None:
        now = clock.real_ms()
        with self._lock:
            while self._sessions and next(iter(self._sessions.values()))[0] <= now:
                self._sessions.popitem(last=False)  # expired (sign-ins are in time order)
            self._sessions[sid] = (now + max_age_ms, {"key": key, "flashes": []})
            while len(self._sessions) > MAX_CONSOLE_SESSIONS:
                self._sessions.popitem(last=False)

    def _live_session(self, sid: str) -> dict | None:
        """The session's record (not a copy), or None; under `_lock`."""
        held = self._sessions.get(sid)
        if held is None:
            return None
        if held[0] <= clock.real_ms():
            del self._sessions[sid]
            return None
        return held[1]

    def console_session(self, sid: str) -> dict | None:
        with self._lock:
            record = self._live_session(sid)
            return None if record is None else {"key": record["key"], "flashes": list(record["flashes"])}

    def console_session_flash(self, sid: str, flash: dict) -> None:
        with self._lock:
            record = self._live_session(sid)
            if record is not None:
                record["flashes"] = [*record["flashes"], dict(flash)][-CONSOLE_FLASHES:]

    def console_session_take_flashes(self, sid: str) -> list[dict]:
        with self._lock:
            record = self._live_session(sid)
            if record is None:
                return []
            flashes, record["flashes"] = record["flashes"], []
            return flashes

    def console_session_end(self, sid: str) -> None:
        with self._lock:
            self._sessions.pop(sid, None)

    def console_secret(self, candidate: str) -> str:
        with self._lock:
            if self._secret is None:
                self._secret = candidate
            return self._secret
