"""The sandbox's control plane, as domain services: what `/_sandbox/...` (sandbox/api/
sandbox_admin.py) and the console's buttons (sandbox/console) both call, so the two agree.

  * time: move the clock, freeze it, and say what became due on the way;
  * reset (one namespace, or every one) and Pact provider states;
  * snapshots (create, list, restore, delete, export), the state's export and import;
  * fork: copy a namespace into another key's.

Payluk's staging makes a seller wait days for a claim window; here the namespace clock is
moved instead, and every time-based rule (claim windows, the daily top-up, checkout expiry,
milestone due dates) reads that clock, so moving it is all it takes.

Services on a namespace (`ns`) run under its lock, held by the caller; those that rebuild or
copy whole namespaces take the store (`store`: `reset`, `fork`, `keys`, `drop_all`), which locks
what it changes. Both are duck-typed: the domain never imports the state backend. Answers are
plain data (times in epoch ms); the views write them out.
"""

from datetime import date, datetime, timezone

from sandbox import clock
from sandbox.domain import checkout, escrows, invariants, outbox, payments, profiles
from sandbox.domain.errors import (
    CLOCK_PAST_LAST,
    FORK_INTO_ITSELF,
    FORK_TARGET_TAKEN,
    IMPORT_MALFORMED,
    IMPORT_MISSING,
    IMPORT_UNBALANCED,
    PROVIDER_STATE_SEED,
    RESET_ALL_NO_OPTIONS,
    SNAPSHOT_NOT_FOUND,
    UNKNOWN_PROVIDER_STATE,
    BadRequest,
    NotFound,
)
from sandbox.domain.lifecycle import ONGOING, PENDING, STANDARD
from sandbox.store.base import Filter


# The last instant the clock may reach: every timestamp must render as ISO-8601 (four-digit
# years), and what is scheduled after "now" (webhook delays and retries, checkout expiry) needs
# room before the year 10000.
LAST_MS = 253_370_764_800_000  # 9999-01-01T00:00:00.000Z


# What a namespace holds as configuration rather than data: made through the controls, kept by a
# reset (unless told otherwise) and by a provider-state set-up; snapshots, exports and forks carry
# them like everything else.
SETTINGS = ("webhook", "profile", "commission", "rate_limit")


def _move(ns, change) -> list[dict]:
    state = ns.get_clock()
    before = clock.now_ms(state)
    try:
        change(state)
    except clock.ClockError as err:
        raise BadRequest(str(err)) from None
    if clock.now_ms(state) > LAST_MS:
        raise BadRequest(CLOCK_PAST_LAST.format(last=clock.iso(LAST_MS)))
    ns.save_clock(state)
    return due_between(ns, before, clock.now_ms(state))


def advance_clock(ns, ms: int) -> list[dict]:
    """Move the clock forward by `ms`; answers what became due on the way."""
    return _move(ns, lambda state: clock.advance(state, ms))


def set_clock(ns, target_ms: int) -> list[dict]:
    """Move the clock forward to an instant (never backwards: ledgers would contradict it)."""
    return _move(ns, lambda state: clock.set_to(state, target_ms))


def advance_clock_by(ns, duration: str) -> list[dict]:
    """`advance_clock` by an ISO-8601 duration as typed (`P3D`, `PT2H30M`); a refusal names
    what is wrong with it."""
    try:
        ms = clock.parse_duration_ms(duration)
    except clock.ClockError as err:
        raise BadRequest(str(err)) from None
    return advance_clock(ns, ms)


def freeze_clock(ns) -> None:
    state = ns.get_clock()
    clock.freeze(state)
    ns.save_clock(state)


def resume_clock(ns) -> None:
    state = ns.get_clock()
    clock.resume(state)
    ns.save_clock(state)


def clock_view(ns) -> dict:
    state = ns.get_clock()
    return {"now_ms": clock.now_ms(state), "frozen": state["frozen_ms"] is not None, "offset_ms": state["offset_ms"]}


def _day_start_ms(text: str) -> int:
    day = date.fromisoformat(text)
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() * 1000)


def due_between(ns, start_ms: int, end_ms: int) -> list[dict]:
    """Everything whose time came in (start, end], in time order: escrows that became
    claimable, milestone due dates reached, checkout sessions that expired, webhook retries
    now due, customers whose daily top-up is available again."""
    due = []

    def add(at_ms, kind, **fields):
        if start_ms < at_ms <= end_ms:
            due.append({"at_ms": at_ms, "type": kind, **fields})

    # Answered from the escrow summaries: closed escrows are never decoded.
    for escrow in ns.find("escrows", Filter(either=(Filter(equal={"status": ONGOING}),
                                                    Filter(equal={"status": PENDING}, present=("milestones",))))):
        if escrow["settlement_type"] == STANDARD and escrow["status"] == ONGOING:
            add(escrows.claim_window_ends_ms(ns, escrow), "escrow.claimable", escrow_id=escrow["id"],
                payment_token=escrow["payment_token"])
        if escrow["status"] in (PENDING, ONGOING):
            for milestone in escrow["milestones"]:
                if milestone["due_date"] and milestone["status"] == PENDING:
                    add(_day_start_ms(milestone["due_date"]), "milestone.due", escrow_id=escrow["id"],
                        milestone_id=milestone["id"])
    for session in ns.find("checkout_sessions", Filter(equal={"status": checkout.PENDING})):
        add(session["expires_at_ms"], "checkout_session.expired", session_id=session["id"],
            payment_token=session["payment_token"])
    for event in ns.find("events", Filter(equal={"status": outbox.PENDING}, at_least={"attempts": 1})):
        add(event["next_attempt_at_ms"], "webhook.retry", event_id=event["id"], escrow_id=event["escrow_id"])
    latest = {}
    for topup in ns.all("topups"):
        latest[topup["customer_id"]] = max(latest.get(topup["customer_id"], 0), topup["created_at_ms"])
    for customer_id, at_ms in latest.items():
        add(at_ms + payments.TOPUP_INTERVAL_MS, "topup.available", customer_id=customer_id)
    return sorted(due, key=lambda item: item["at_ms"])


# -- reset, provider states ----------------------------------------------------------------------


def parties(ns) -> dict:
    """Who a namespace starts with: its fixture set's name, the values its steps saved, its
    customers."""
    with ns.lock:
        fixture = ns.settings("fixture")
        return {"fixtures": fixture["name"], "values": fixture["values"],
                "customers": ns.all("customers")}


def reset(store, key: str, keep_settings: bool = True, **options) -> dict:
    """Rebuild the key's namespace from a fixture set (`options`: `fixtures`, `seed`, as sent),
    keeping its SETTINGS unless told not to; the journal and snapshots stay. Answers `parties`."""
    ns = store.reset(key, keep=SETTINGS if keep_settings else (), **options)
    return parties(ns)


def reset_all(store, options: dict) -> int:
    """Forget every namespace (each is rebuilt on its next use); answers how many there were.
    Admin-wide, so it takes no per-namespace options."""
    if options:
        raise BadRequest(RESET_ALL_NO_OPTIONS)
    return store.drop_all()


# The fixture set a namespace starts from, and the one Pact's empty state resets to.
DEFAULT_SET = "default"


def provider_state(store, key: str, fixture_sets: dict, state: str, params: dict, action: str = "setup") -> dict:
    """Pact provider verification: put the namespace in a named state. Each fixture set is a
    state, by its name or by one of its `provider_states` descriptions; `params.seed` picks the
    seed. A set-up is a reset that keeps the settings; a teardown does nothing.

    The empty state is what Pact's verifiers send for an interaction that names none (`{"state":
    "", "params": {}, "action": "setup"}`, then the same with `teardown`): it resets to the
    default set, so such an interaction starts from the fixtures whatever the ones before it
    created, as Pact wants every interaction verifiable on its own."""
    if action == "teardown":
        return {"state": state}
    if state == "":
        name = DEFAULT_SET
    else:
        name = next((n for n, f in fixture_sets.items() if state in (n, *f["provider_states"])), None)
    if name is None:
        known = sorted(s for f in fixture_sets.values() for s in (f["name"], *f["provider_states"]))
        raise BadRequest(UNKNOWN_PROVIDER_STATE.format(known=", ".join(known)))
    seed = params.get("seed")
    if isinstance(seed, str) and seed.isascii() and seed.isdigit():
        seed = int(seed)  # Pact's query-string form sends every parameter as text
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise BadRequest(PROVIDER_STATE_SEED)
    return {"state": state, **reset(store, key, fixtures=name, seed=seed)}


def pact_provider_state(store, key: str, fixture_sets: dict, state: str, params: dict, action: str = "setup") -> list:
    """`provider_state`, answering what Pact reads from it: the state's `state_entities` (none for
    a teardown)."""
    provider_state(store, key, fixture_sets, state, params, action)
    return [] if action == "teardown" else state_entities(store.namespace(key))


def state_entities(ns) -> list[tuple[str, dict]]:
    """What the namespace's fixture set made, for Pact's provider-state values: each escrow a step
    saved (`"as": name`), in the order the set first named them, as the store holds it now: its
    id, payment token, milestone ids (a milestone escrow's), seller and, once funded, buyer.
    Generic: any set's named escrows, whatever the state; a set that names none has none."""
    with ns.lock:
        entities = []
        for name, saved in ns.settings("fixture")["values"].items():
            escrow = ns.get("escrows", saved["id"]) or {}  # (no step deletes one; the saved ids hold)
            entity = {"escrow_id": saved["id"], "payment_token": saved["paymentToken"],
                      "milestone_ids": [m["id"] for m in escrow.get("milestones") or ()] or saved["milestones"],
                      "seller_id": escrow.get("seller_id"), "buyer_id": escrow.get("buyer_id")}
            entities.append((name, {k: v for k, v in entity.items() if v}))
        return entities


# -- snapshots, export, import, fork ----------------------------------------------------------------


def _info(snapshot: dict) -> dict:
    return {"name": snapshot["name"], "created_at_ms": snapshot["created_at_ms"]}


def _snapshot(ns, name: str) -> dict:
    snapshot = ns.snapshot_get(name)
    if snapshot is None:
        raise NotFound(SNAPSHOT_NOT_FOUND)
    return snapshot


def create_snapshot(ns, name: str) -> dict:
    """Save the namespace under `name` (replacing a snapshot of that name), stamped with its clock."""
    return _info(ns.snapshot_save(name, ns.now_ms()))


def list_snapshots(ns) -> list[dict]:
    return [_info(s) for s in ns.snapshot_list()]


def restore_snapshot(ns, name: str) -> dict:
    """Make the namespace the snapshot's state again (the snapshot stays, reusable)."""
    _snapshot(ns, name)
    return _info(ns.snapshot_restore(name))


def delete_snapshot(ns, name: str) -> dict:
    snapshot = _snapshot(ns, name)
    ns.snapshot_delete(name)
    return _info(snapshot)


def export_snapshot(ns, name: str) -> dict:
    """A snapshot's state in plain form, as `export_state` gives the namespace's."""
    _snapshot(ns, name)
    state = ns.snapshot_export(name)
    return {"state": state, "exported_at_ms": ns.now_ms(), "name": name, "profile": profiles.of_state(state)}


def export_state(ns) -> dict:
    """The namespace in plain form (snake_case, amounts in kobo), which `import_state` takes back."""
    return {"state": ns.export_state(), "exported_at_ms": ns.now_ms(), "name": None, "profile": profiles.current(ns)}


def import_state(ns, state: dict, parts, trial) -> dict:
    """Replace the namespace with an exported state, once it is whole (every one of `parts`, the
    keys a new state has), readable and balanced: `trial(state)` builds a namespace of it, outside
    the lock, which the invariants check and the namespace then adopts under its lock. Answers how
    many escrows and customers came in."""
    state = outbox.imported({"profile": None, outbox.OUTBOX: None, **state})  # older exports have neither
    missing = sorted(set(parts) - set(state))
    if missing:
        raise BadRequest(IMPORT_MISSING.format(parts=", ".join(missing)))
    if state["profile"] is not None and (not isinstance(state["profile"], dict)
                                         or state["profile"].get("name") not in profiles.PROFILES):
        raise BadRequest(IMPORT_MALFORMED.format(error=f"profile must be null or {{\"name\": one of {', '.join(profiles.PROFILES)}}}"))
    try:
        candidate = trial(state)
        problems = invariants.check(candidate)
        candidate.now_ms(), candidate.balances()
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        raise BadRequest(IMPORT_MALFORMED.format(error=err)) from None
    if problems:
        raise BadRequest(IMPORT_UNBALANCED.format(problem=problems[0]))
    with ns.lock:
        ns.adopt(candidate)
    return {"escrows": len(state.get("escrows", {})), "customers": len(state.get("customers", {}))}


def fork(store, source: str, target: str, replace: bool = False) -> dict:
    """Copy the `source` key's namespace, exactly, into the `target` key's (refused if that key
    already has one, unless `replace`)."""
    if target == source:
        raise BadRequest(FORK_INTO_ITSELF)
    if target in store.keys() and not replace:
        raise BadRequest(FORK_TARGET_TAKEN)
    store.fork(source, target)
    return {"key": target}
