"""Reading ahead: the script that takes a namespace's lock (scripts/begin.lua) also reads what the
operation about to run will read by id, so a by-id operation costs one round trip before its
commit. The worker learns it: `expect` names the service and its arguments (api/http.py `call`),
the namespace notes what the operation read by id (`ns._reads`: an entity, an escrow by payment
token, a balance, a capped collection's count), and `learn` keeps, per service, each read whose
id was one of the arguments (or a field of a dict argument) — as a path into the arguments, so
the next call reads ahead its own ids. A read the plan misses costs its round trip, as before; a
plan read the operation does not need costs a field of the script's answer. Plans live in the
worker (`RedisStore.plans`), never in Redis: they change no answer, only the round trips."""

import re
from dataclasses import dataclass, field

from sandbox.store.redis.codec import as_text

MAX_ITEMS = 24  # reads ahead per service, at most
NEAR_CAP = 8  # a capped collection this close to its cap: its oldest ids are read ahead too
OBJECT_ID = re.compile(r"[0-9a-f]{24}")
MIN_TEMPLATE = 8  # an argument this long, at least, may name a balance's account


def expect(ns, operation: str, args: tuple) -> None:
    """The service this thread runs next on `ns` (kept per thread and namespace)."""
    ns.lock.thread.operation = (operation, args)


@dataclass
class Plan:
    keys: list = field(default_factory=list)  # the keys the script reads, after lock, meta, rev
    args: list = field(default_factory=list)  # per read: a letter and its field
    reads: list = field(default_factory=list)  # per read: how its answer fills the namespace's caches

    def add(self, ns, letter: str, parts: tuple, value, fill) -> None:
        self.keys += [ns.k(part) for part in parts]
        self.args += [letter, value]
        self.reads.append(fill)

    def apply(self, ns, values) -> None:
        values = iter(values)
        for fill in self.reads:
            fill(ns, values)


NO_PLAN = Plan()


def plan(ns) -> Plan:
    """What the thread's expected operation read last time, with this call's ids."""
    operation = getattr(ns.lock.thread, "operation", None)
    if operation is None:
        return NO_PLAN
    items = ns.store.plans.get(operation[0])
    if not items:
        return NO_PLAN
    values = _values(operation[1])
    made, seen = Plan(), set()
    for item in items:
        letter = item[0]
        if letter == "h":
            entity_id = values.get(item[2])
            if entity_id is not None and ("h", item[1], entity_id) not in seen:
                seen.add(("h", item[1], entity_id))
                made.add(ns, "h", (f"h:{item[1]}",), entity_id, _entity(item[1], entity_id))
        elif letter == "t":
            token = values.get(item[1])
            if token is not None and ("t", token) not in seen:
                seen.add(("t", token))
                made.add(ns, "t", ("tokens", "h:escrows"), token, _token(token))
        elif letter == "b":
            account = item[1] if item[3] is None else _account(item, values)
            if account is not None and ("b", account) not in seen:
                seen.add(("b", account))
                made.add(ns, "h", ("bal",), account, _balance(account))
        elif letter == "c":
            made.add(ns, "c", (f"o:{item[1]}",), item[2], _count(item[1]))
    return made


def learn(ns) -> None:
    """After an operation ran: keep its reads by id that came from its arguments."""
    operation = getattr(ns.lock.thread, "operation", None)
    ns.lock.thread.operation = None
    if operation is None or not ns._reads:
        return
    name, args = operation
    paths = {}
    for path, value in _values(args).items():
        paths.setdefault(value, path)
    known = ns.store.plans.get(name, frozenset())
    items = set(known)
    for read in ns._reads:
        if read[0] == "h" and read[2] in paths:
            items.add(("h", read[1], paths[read[2]]))
        elif read[0] == "t" and read[1] in paths:
            items.add(("t", paths[read[1]]))
        elif read[0] == "b":
            items.add(_template(read[1], paths))
        elif read[0] == "c":
            items.add(read)
    items.discard(None)
    if items != known and len(items) <= MAX_ITEMS:
        ns.store.plans[name] = frozenset(items)


def _values(args: tuple) -> dict:
    """Every text among the arguments (and in their dicts and lists, two levels deep), by path."""
    values = {}

    def walk(path, value, depth):
        if isinstance(value, str):
            values.setdefault(path, value)
        elif isinstance(value, dict) and depth < 2:
            for key, inner in value.items():
                walk((*path, key), inner, depth + 1)
        elif isinstance(value, (list, tuple)) and depth < 2:
            for position, inner in enumerate(value[:MAX_ITEMS]):
                walk((*path, position), inner, depth + 1)

    for index, arg in enumerate(args):
        walk((index,), arg, 0)
    return values


def _template(account: str, paths: dict):
    """A balance read: the account around one of the arguments, or the account itself when it
    names no object (the platform's own accounts); None for an id that came from elsewhere."""
    for value, path in paths.items():
        if len(value) >= MIN_TEMPLATE and value in account:
            before, _, after = account.partition(value)
            return ("b", before, after, path)
    return None if OBJECT_ID.search(account) else ("b", account, "", None)


def _account(item, values) -> str | None:
    value = values.get(item[3])
    return None if value is None else f"{item[1]}{value}{item[2]}"


def _entity(kind, entity_id):
    def fill(ns, values):
        text = as_text(next(values))
        ns._cache.setdefault(kind, {})[entity_id] = text or None
    return fill


def _token(token):
    def fill(ns, values):
        escrow_id, text = as_text(next(values)), as_text(next(values))
        ns._token_cache[token] = escrow_id or None
        if escrow_id and text:
            ns._cache.setdefault("escrows", {})[escrow_id] = text
    return fill


def _balance(account):
    def fill(ns, values):
        ns._bal_cache[account] = int(as_text(next(values)) or 0)
    return fill


def _count(kind):
    def fill(ns, values):
        count, oldest = next(values), next(values)
        ns._counts[kind] = (int(count), [as_text(i) for i in oldest])
    return fill
