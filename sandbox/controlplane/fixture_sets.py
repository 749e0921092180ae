"""Fixture sets: read and validate once at start-up, replay through the domain per namespace.

A fixture directory holds `default.json` plus named sets (`funded-milestone.json` ...). A
named set may `"extends": "default"` (its parties, then its own) and add `actions`: steps
replayed through the same services the API uses (create, pay, confirm, dispute, move the
clock). A bad file stops start-up with a message naming the file and the field or step.
"""

import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

from marshmallow import ValidationError

from sandbox import clock
from sandbox.domain import controls, customers, disputes, escrows, funding, milestones
from sandbox.domain.catalog import seed as seed_catalog
from sandbox.domain.money import kobo_to_wire
from sandbox.domain.errors import FIXTURE_BAD_DATE, FIXTURE_NO_PART, FIXTURE_NOTHING_SAVED, FIXTURE_UNKNOWN_OP, PaylukError
from sandbox.schemas.base import load, validation_message
from sandbox.schemas.escrow import DISPUTE_SUBMIT, ESCROW_CREATE, MILESTONE_ESCROW_CREATE, dump_escrow
from sandbox.schemas.fixture import FIXTURE
from sandbox.schemas.payment import PAY_ESCROW

# The shipped sets live in the package (sandbox/data/fixtures; the checkout's top-level
# `fixtures` links there), so an installed sandbox finds them from any directory.
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "fixtures"
DEFAULT_SET = controls.DEFAULT_SET  # (the domain names it: Pact's empty state resets to it)
# Lists a set that `extends` another one adds to (the base's entries first).
_MERGED_LISTS = ("customers", "categories", "cards", "actions")


class FixtureError(Exception):
    """A fixture file that cannot be used; the message names the file and the field."""


def resolve(path: str | Path | None) -> Path:
    """`--fixtures` takes a file, or a directory holding `default.json`."""
    target = Path(path) if path else DEFAULT_DIR
    return target / f"{DEFAULT_SET}.json" if target.is_dir() else target


def _read(file: Path) -> tuple[dict, str]:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise FixtureError(f"{file}: file not found") from None
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FixtureError(f"{file}: not valid JSON ({err})") from None
    if not isinstance(raw, dict):
        raise FixtureError(f"{file}: must hold a JSON object")
    return raw, hashlib.sha256(data).hexdigest()


def _validate(file: Path, raw: dict) -> dict:
    try:
        fixture = FIXTURE.load(raw)
    except ValidationError as err:
        raise FixtureError(f"{file}: {validation_message(err.messages)}") from None
    seen = set()
    for index, customer in enumerate(fixture["customers"]):
        for key in ("id", "email"):
            value = customer[key].lower()
            if (key, value) in seen:
                raise FixtureError(f'{file}: "customers[{index}].{key}" repeats {value}')
            seen.add((key, value))
    return fixture


def load_fixture(path: str | Path | None) -> dict:
    """The validated default set at `path` (a file, or a directory's `default.json`)."""
    file = resolve(path)
    raw, checksum = _read(file)
    if "extends" in raw:
        raise FixtureError(f'{file}: "extends" is only allowed in a named set beside default.json')
    return {**_validate(file, raw), "name": file.stem, "file": str(file), "checksum": checksum}


def load_fixture_sets(path: str | Path | None) -> dict[str, dict]:
    """Every set at `path`: a single file is the default set; a directory gives `default`
    (required) and one set per other `*.json` file, named after it."""
    target = Path(path) if path else DEFAULT_DIR
    if not target.is_dir():
        fixture = load_fixture(target)
        return {DEFAULT_SET: {**fixture, "name": DEFAULT_SET}}
    files = {file.stem: file for file in sorted(target.glob("*.json"))}
    if DEFAULT_SET not in files:
        raise FixtureError(f"{target}: no {DEFAULT_SET}.json in the fixture directory")
    raws = {name: _read(file) for name, file in files.items()}
    sets = {}
    for name, file in files.items():
        raw, checksum = raws[name]
        base_name = raw.get("extends")
        if base_name is not None:
            if base_name not in raws or raws[base_name][0].get("extends") is not None:
                raise FixtureError(f'{file}: "extends" must name a set of this directory that extends nothing')
            base = raws[base_name][0]
            own = {k: v for k, v in raw.items() if k != "extends"}
            raw = {**base, **own, **{k: list(base.get(k, [])) + list(own.get(k, [])) for k in _MERGED_LISTS}}
        sets[name] = {**_validate(file, raw), "name": name, "file": str(file), "checksum": checksum}
    return sets


# -- replay ---------------------------------------------------------------------------------------


TODAY = re.compile(r"^\$today(?:\+(P[0-9A-Z]+))?$")


def _resolve_refs(value, saved: dict, now_ms: int = 0):
    """Replace `"$name.path.to.field"` strings by what an earlier step saved, and `"$today"` or
    `"$today+P23D"` by the namespace clock's date (plus an ISO-8601 duration) as YYYY-MM-DD, so a
    set's dates stay ahead of whatever clock it is replayed on."""
    if isinstance(value, dict):
        return {k: _resolve_refs(v, saved, now_ms) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_refs(v, saved, now_ms) for v in value]
    if isinstance(value, str) and (today := TODAY.match(value)):
        try:
            later = now_ms + (clock.parse_duration_ms(today.group(1)) if today.group(1) else 0)
        except clock.ClockError as err:
            raise PaylukError(FIXTURE_BAD_DATE.format(value=value, error=err)) from None
        return clock.iso(later)[:10]
    if isinstance(value, str) and value.startswith("$"):
        name, *path = value[1:].split(".")
        if name not in saved:
            raise PaylukError(FIXTURE_NOTHING_SAVED.format(value=value, name=name))
        found = saved[name]
        for part in path:
            try:
                found = found[int(part)] if isinstance(found, list) else found[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise PaylukError(FIXTURE_NO_PART.format(value=value, name=name, part=part)) from None
        return found
    return value


def _escrow_fields(body: dict) -> dict:
    return {**load(ESCROW_CREATE, body), "image_urls": [], "image_files": []}


def _run(ns, step: dict):
    """One replayed step, through the schemas and services the API uses."""
    op, customer = step["op"], step.get("customer")
    body = step.get("body") or {}
    if op == "create_escrow":
        return escrows.create_escrow(ns, customer, _escrow_fields(body))
    if op == "create_milestone_escrow":
        return milestones.create_milestone_escrow(ns, customer, load(MILESTONE_ESCROW_CREATE, body))
    if op == "pay_escrow":
        data = load(PAY_ESCROW, body)
        if data.get("amount") is None:
            # The amount due differs by profile (the fee does): a step that names none pays it.
            due = sum(funding.buyer_charge(escrows.escrow_by_id(ns, escrow_id)) for escrow_id in data["escrow_ids"])
            data["amount"] = Decimal(kobo_to_wire(due))
        funding.pay_escrow(ns, customer, data)
        return None
    if op == "confirm_milestone":
        return milestones.confirm_milestone(ns, customer, step["escrow"], step["milestone"])
    if op == "confirm_payment":
        return escrows.confirm_payment(ns, customer, step["escrow"])
    if op == "submit_dispute":
        return disputes.submit_dispute(ns, customer, step["payment_token"], load(DISPUTE_SUBMIT, body))
    if op == "advance_clock":
        controls.advance_clock(ns, step["seconds"] * 1000)
        return None
    raise PaylukError(FIXTURE_UNKNOWN_OP.format(op=op))


def replay(ns, fixture: dict, super_admin: bool = True) -> dict:
    """Build a namespace from a set: parties, catalogue, then each action in order. Answers
    what the actions saved (`as`), by name: `{id, paymentToken, milestones: [ids]}`."""
    customers.seed_namespace(ns, fixture, super_admin=super_admin)
    seed_catalog(ns, fixture)
    saved, values = {}, {}
    for index, raw_step in enumerate(fixture["actions"]):
        try:
            step = _resolve_refs(raw_step, saved, ns.now_ms())
            result = _run(ns, step)
        except PaylukError as err:
            raise FixtureError(f"{fixture['file']}: actions[{index}] ({raw_step['op']}): {err.message}") from None
        if raw_step.get("name") and result is not None:
            wire = dump_escrow(result, None)
            saved[raw_step["name"]] = wire
            values[raw_step["name"]] = {"id": wire["id"], "paymentToken": wire["paymentToken"],
                                        "milestones": [m["id"] for m in wire["milestones"]]}
    return values
