"""Sandbox-only controls under /_sandbox (never mixed into /v1): time travel, reset,
snapshots, export/import/fork, provider states, ledger, invariants, state; health checks.

Every control acts on the namespace of the key sent; `?all=true` on reset is the one
admin-wide form (it needs the control token when one is configured)."""

import os

from flask import Blueprint, current_app, g, request

from sandbox import __version__
from sandbox.api.auth import credentials_in_url, public, require_admin
from sandbox.api.documented import SNAPSHOT_NOT_FOUND, Tag, doc
from sandbox.api.http import call, envelope, json_body, plain_json
from sandbox.clock import iso
from sandbox.controlplane import ratelimit
from sandbox.domain import controls, invariants, merchant, profiles
from sandbox.domain import errors as E
from sandbox.domain.money import kobo_to_wire
from sandbox.schemas import answers as out
from sandbox.schemas import control as ctl
from sandbox.schemas.base import load
from sandbox.schemas.control import (
    CLOCK,
    CLOCK_ADVANCE,
    CLOCK_SET,
    DUE,
    FORK,
    IMPORT,
    PROVIDER_STATE,
    RESET,
    RESET_QUERY,
    SNAPSHOT_CREATE,
    STATE_FORMAT,
)
from sandbox.schemas import merchant as mer
from sandbox.schemas import ratelimit as rl
from sandbox.schemas.customer import CUSTOMERS
from sandbox.store.base import new_state
from sandbox.store.memory import MemoryNamespace

bp = Blueprint("sandbox_admin", __name__)


def _sandbox():
    return current_app.extensions["sandbox"]


# -- health -------------------------------------------------------------------------------------


@bp.get("/")
@doc(Tag.HEALTH, "An index of the sandbox's links: API base, docs, console", data=out.IndexSchema,
     message="payluk-sandbox is running", public=True)
@public
def index():
    """Where everything is, for a person (or a health probe) that opens the server's root."""
    base = request.host_url.rstrip("/")
    return envelope(200, "payluk-sandbox is running", {
        "version": __version__,
        "api": base, "apiPaths": "/v1/...", "authorization": "Bearer sk_test_<anything>; each key is its own namespace",
        "docs": f"{base}/docs", "openapi": f"{base}/openapi.json", "console": f"{base}/_sandbox/console",
        "scenarios": f"{base}/_sandbox/scenarios", "health": f"{base}/healthz",
    })


@bp.get("/healthz")
@doc(Tag.HEALTH, "Liveness: the sandbox answers", data=out.HealthSchema, message="OK", public=True)
@public
def healthz():
    config = _sandbox().config
    store = "redis" if config.shared_store else "memory"
    return envelope(200, "OK", {"version": __version__, "store": store, "worker": os.getpid(),
                                "profile": config.profile, "profiles": list(profiles.PROFILES)})


@bp.get("/readyz")
@doc(Tag.HEALTH, "Readiness: fixture sets loaded", data=out.ReadySchema, message="Ready", public=True)
@public
def readyz():
    """Ready once the fixture sets are loaded (start-up stops when one is bad)."""
    sets = [
        {"name": f["name"], "file": f["file"], "checksum": f["checksum"], "description": f["description"],
         "customers": len(f["customers"]), "categories": len(f["categories"]), "actions": len(f["actions"])}
        for f in _sandbox().fixture_sets.values()
    ]
    return envelope(200, "Ready", {"version": __version__, "fixtures": sets, "namespaces": len(_sandbox().store.keys())})


# -- clock --------------------------------------------------------------------------------------


def _clock_reply(message: str, due=None):
    data = CLOCK.dump(call(controls.clock_view))
    if due is not None:
        data["due"] = DUE.dump(due)
    return envelope(200, message, data)


@bp.get("/_sandbox/clock")
@doc(Tag.CONTROLS, "The namespace clock", data=out.ClockReplySchema, message="Clock fetched successfully")
def get_clock():
    return _clock_reply("Clock fetched successfully")


@bp.post("/_sandbox/clock/advance")
@doc(Tag.CONTROLS, "Move the clock forward (seconds or an ISO-8601 duration); lists what fell due",
     data=out.ClockReplySchema, message="Clock advanced successfully", body=ctl.ClockAdvanceSchema)
def advance_clock():
    body = load(CLOCK_ADVANCE, json_body())
    ms = body["seconds"] * 1000 if "seconds" in body else body["duration"]
    return _clock_reply("Clock advanced successfully", call(controls.advance_clock, ms))


@bp.post("/_sandbox/clock/set")
@doc(Tag.CONTROLS, "Set the clock to an instant; lists what fell due", data=out.ClockReplySchema,
     message="Clock set successfully", body=ctl.ClockSetSchema)
def set_clock():
    body = load(CLOCK_SET, json_body())
    return _clock_reply("Clock set successfully", call(controls.set_clock, body["now"]))


@bp.post("/_sandbox/clock/freeze")
@doc(Tag.CONTROLS, "Stop the clock", data=out.ClockReplySchema, message="Clock frozen")
def freeze_clock():
    call(controls.freeze_clock)
    return _clock_reply("Clock frozen")


@bp.post("/_sandbox/clock/resume")
@doc(Tag.CONTROLS, "Let the clock run again", data=out.ClockReplySchema, message="Clock resumed")
def resume_clock():
    call(controls.resume_clock)
    return _clock_reply("Clock resumed")


# -- the API profile ------------------------------------------------------------------------------


@bp.get("/_sandbox/profile")
@doc(Tag.CONTROLS, "The API profile this namespace answers by, and where it comes from", data=ctl.ProfileSchema,
     message="Profile fetched successfully")
def get_profile():
    return envelope(200, "Profile fetched successfully", ctl.PROFILE.dump(call(profiles.describe)))


@bp.put("/_sandbox/profile")
@doc(Tag.CONTROLS, "Choose the namespace's API profile (null: back to the fixture file's or the server's); "
     "a reset keeps it", data=ctl.ProfileSchema, message="Profile updated successfully", body=ctl.ProfileChoiceSchema)
def put_profile():
    """What exists stays as it was made (an escrow keeps its fee); new requests follow the
    profile. A reset replays the fixture set under it."""
    name = load(ctl.PROFILE_CHOICE_BODY, json_body())["profile"]
    return envelope(200, "Profile updated successfully", ctl.PROFILE.dump(call(profiles.choose, name)))


# -- the merchant's commission ([B]: the merchant's own part of every escrow fee) ------------------


@bp.get("/_sandbox/merchant")
@doc(Tag.CONTROLS, "The merchant's commission on escrow fees (percent; used by profile 2026-10)",
     data=mer.CommissionSchema, message="Merchant settings fetched successfully")
def get_merchant():
    return envelope(200, "Merchant settings fetched successfully", mer.COMMISSION.dump(call(merchant.describe)))


@bp.put("/_sandbox/merchant")
@doc(Tag.CONTROLS, "Set the merchant's commission (percent, 0-50, at most 2 decimals; null: back to the fixture "
     "file's); a reset keeps it", data=mer.CommissionSchema, message="Merchant settings updated successfully",
     body=mer.CommissionChoiceSchema)
def put_merchant():
    """New escrows (profile 2026-10) take it; escrows already made keep the fee they were made with."""
    rate = load(mer.COMMISSION_CHOICE, json_body())["commission_bp"]
    return envelope(200, "Merchant settings updated successfully",
                    mer.COMMISSION.dump(call(merchant.choose_commission, rate)))


# -- the rate limit ([B]: 10 requests a minute per key; off until switched on here) ----------------


@bp.get("/_sandbox/rate-limit")
@doc(Tag.CONTROLS, "The namespace's rate limit (enforced under profile 2026-10 once enabled)", data=rl.RateLimitSchema,
     message="Rate limit fetched successfully")
def get_rate_limit():
    return envelope(200, "Rate limit fetched successfully", rl.RATE_LIMIT.dump(call(ratelimit.describe)))


@bp.put("/_sandbox/rate-limit")
@doc(Tag.CONTROLS, "Switch the rate limit on or off (default 10 requests per 60 s of real time, every /v1 route "
     "together); a reset keeps it, a change starts a fresh window", data=rl.RateLimitSchema,
     message="Rate limit updated successfully", body=rl.RateLimitChoiceSchema)
def put_rate_limit():
    body = load(rl.RATE_LIMIT_CHOICE, json_body())
    return envelope(200, "Rate limit updated successfully",
                    rl.RATE_LIMIT.dump(call(ratelimit.choose, body["enabled"], body["limit"], body["window_seconds"])))


# -- reset, provider states -----------------------------------------------------------------------


def _parties(parties: dict) -> dict:
    """`controls.parties` on the wire (the customers as the API shows them)."""
    parties["customers"] = CUSTOMERS.dump(parties["customers"])
    return parties


@bp.post("/_sandbox/reset")
@doc(Tag.CONTROLS, "Rebuild the namespace from a fixture set (?all=true: drop every namespace)",
     data=out.ResetResultSchema, message=("Sandbox reset successfully", "Every namespace reset"),
     body=ctl.ResetSchema, query=ctl.ResetQuerySchema,
     errors=((400, E.RESET_ALL_NO_OPTIONS), (403, E.CONTROL_TOKEN_NEEDED)))
def reset():
    options = load(RESET, json_body())
    store = _sandbox().store
    if load(RESET_QUERY, request.args.to_dict()).get("all"):
        require_admin(destroys_others=True)
        return envelope(200, "Every namespace reset", {"namespaces": controls.reset_all(store, options)})
    return envelope(200, "Sandbox reset successfully", _parties(controls.reset(store, g.key, **options)))


@bp.post("/_sandbox/provider-states")
@doc(Tag.CONTROLS, "Pact provider state: reset into the named fixture set", data=out.ProviderStateResultSchema,
     message=("Provider state set up", "Provider state torn down"), body=ctl.ProviderStateSchema)
def provider_state():
    """Pact provider verification: put the namespace in a named state. Each fixture set is a
    state, by its name or by one of its `providerStates` descriptions."""
    body = load(PROVIDER_STATE, json_body())
    done = controls.provider_state(_sandbox().store, g.key, _sandbox().fixture_sets, body["state"], body["params"],
                                   body["action"])
    if body["action"] == "teardown":
        return envelope(200, "Provider state torn down", done)
    return envelope(200, "Provider state set up", _parties(done))


@bp.post("/_sandbox/pact/provider-states")
@doc(Tag.CONTROLS, "Pact provider state as Pact's verifiers call it: reset into the named fixture set, answer its "
     "values flat (no envelope)", data=None, schema=ctl.PactStateValuesSchema, body=ctl.ProviderStateSchema,
     query=ctl.PactStateQuerySchema, url_credentials=True,
     errors=((400, E.UNKNOWN_PROVIDER_STATE), (400, E.PROVIDER_STATE_SEED), (400, E.PACT_STATE_REQUIRED),
             (400, E.KEY_IN_URL_CONFLICT)),
     description="The state-change URL to give a Pact verifier (pact-python's `Verifier.state_handler`, Pact JS's "
                 "`providerStatesSetupUrl`, the standalone verifier's `--state-change-url`): the change in the "
                 "JSON body (`{state, params, action}`) or, body-less, in the query string; the empty state (an "
                 "interaction without one) resets to the default set; a teardown changes nothing. The answer is "
                 "the flat object Pact injects `fromProviderState` values from. The key and the control token "
                 "may come in the URL (`?key=`, `?token=`) for verifiers that send no headers here.")
@credentials_in_url
def pact_provider_state():
    """Pact provider verification, shaped as Pact's verifiers speak: the same states as
    `/_sandbox/provider-states` (whose envelope answer stays for its users), answered without the
    envelope, since a verifier reads the top-level keys of the answer."""
    change = ctl.load_pact_state_change(json_body(), request.args.to_dict())
    entities = controls.pact_provider_state(_sandbox().store, g.key, _sandbox().fixture_sets, change["state"],
                                   change["params"], change["action"])
    return plain_json(ctl.pact_values(entities))


# -- snapshots, export, import, fork -----------------------------------------------------------


def _snapshot_info(snapshot: dict) -> dict:
    return {"name": snapshot["name"], "createdAt": iso(snapshot["created_at_ms"])}


@bp.post("/_sandbox/snapshots")
@doc(Tag.CONTROLS, "Save the namespace under a name", data=out.SnapshotInfoSchema, status=201,
     message="Snapshot created successfully", body=ctl.SnapshotCreateSchema)
def create_snapshot():
    name = load(SNAPSHOT_CREATE, json_body())["name"]
    return envelope(201, "Snapshot created successfully", _snapshot_info(call(controls.create_snapshot, name)))


@bp.get("/_sandbox/snapshots")
@doc(Tag.CONTROLS, "List snapshots", data=out.SnapshotInfoSchema(many=True), message="Snapshots fetched successfully")
def list_snapshots():
    snapshots = call(controls.list_snapshots)
    return envelope(200, "Snapshots fetched successfully", [_snapshot_info(s) for s in snapshots])


@bp.post("/_sandbox/snapshots/<name>/restore")
@doc(Tag.CONTROLS, "Restore a snapshot", data=out.SnapshotInfoSchema, message="Snapshot restored successfully",
     errors=SNAPSHOT_NOT_FOUND)
def restore_snapshot(name):
    return envelope(200, "Snapshot restored successfully", _snapshot_info(call(controls.restore_snapshot, name)))


@bp.delete("/_sandbox/snapshots/<name>")
@doc(Tag.CONTROLS, "Delete a snapshot", data=out.SnapshotInfoSchema, message="Snapshot deleted successfully",
     errors=SNAPSHOT_NOT_FOUND)
def delete_snapshot(name):
    return envelope(200, "Snapshot deleted successfully", _snapshot_info(call(controls.delete_snapshot, name)))


def _export(exported: dict) -> dict:
    """An export (`controls.export_state`, `export_snapshot`) as the document import takes."""
    document = {"format": STATE_FORMAT, "exportedAt": iso(exported["exported_at_ms"]), "profile": exported["profile"]}
    if exported["name"]:
        document["name"] = exported["name"]
    document["state"] = exported["state"]
    return document


@bp.get("/_sandbox/snapshots/<name>/export")
@doc(Tag.CONTROLS, "A snapshot as importable JSON", data=out.ExportedStateSchema,
     message="Snapshot exported successfully", errors=SNAPSHOT_NOT_FOUND)
def export_snapshot(name):
    return envelope(200, "Snapshot exported successfully", _export(call(controls.export_snapshot, name)))


@bp.get("/_sandbox/state")
@doc(Tag.CONTROLS, "The namespace as importable JSON", data=out.ExportedStateSchema,
     message="State fetched successfully")
def get_state():
    """The namespace as JSON (the sandbox's own representation: snake_case, amounts in kobo);
    `POST /_sandbox/import` takes it back."""
    return envelope(200, "State fetched successfully", _export(call(controls.export_state)))


@bp.post("/_sandbox/import")
@doc(Tag.CONTROLS, "Replace the namespace with an exported state (books must balance)", data=out.ImportResultSchema,
     message="State imported successfully", body=ctl.ImportSchema)
def import_state():
    """Replace the namespace with an exported state, after checking that its books balance."""
    state = load(IMPORT, json_body())["state"]
    counts = controls.import_state(g.ns, state, parts=new_state(None, None), trial=MemoryNamespace)
    return envelope(200, "State imported successfully", counts)


@bp.post("/_sandbox/fork")
@doc(Tag.CONTROLS, "Copy the namespace into another key's", data=out.ForkResultSchema, status=201,
     message="Namespace forked successfully", body=ctl.ForkSchema,
     errors=((400, E.FORK_INTO_ITSELF), (400, E.FORK_TARGET_TAKEN), (403, E.CONTROL_TOKEN_NEEDED)))
def fork():
    """Copy this namespace, exactly, into another key's (refused if that key already has
    data, unless `replace: true`)."""
    body = load(FORK, json_body())
    if body["replace"] and body["key"] in _sandbox().store.keys():
        require_admin(destroys_others=True)  # (a fork into a new key stays open)
    return envelope(201, "Namespace forked successfully",
                    controls.fork(_sandbox().store, g.key, body["key"], body["replace"]))


# -- money ------------------------------------------------------------------------------------------


@bp.get("/_sandbox/ledger")
@doc(Tag.CONTROLS, "Balances and postings of the double-entry ledger", data=out.LedgerSchema,
     message="Ledger fetched successfully")
def ledger():
    def read(ns):
        return ns.postings(), ns.balances()

    postings, balances = call(read)
    return envelope(200, "Ledger fetched successfully", {
        "balances": {account: kobo_to_wire(amount) for account, amount in sorted(balances.items())},
        "postings": [_posting(p) for p in postings],
    })


def _posting(posting: dict) -> dict:
    out = {"id": posting["id"], "at": iso(posting["at_ms"]), "kind": posting["kind"]}
    for key, wire in (("escrow_id", "escrowId"), ("milestone_id", "milestoneId"),
                      ("customer_id", "customerId"), ("reference", "reference")):
        if key in posting:
            out[wire] = posting[key]
    out["entries"] = [[account, kobo_to_wire(amount)] for account, amount in posting["entries"]]
    return out


@bp.get("/_sandbox/invariants")
@doc(Tag.CONTROLS, "Check that the books balance", data=out.InvariantsSchema, message="Invariants checked")
def check_invariants():
    violations = call(invariants.check)
    return envelope(200, "Invariants checked", {"ok": not violations, "violations": violations})
