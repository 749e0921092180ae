"""Marshmallow, minus its per-call machinery: dump and load plans compiled from the schemas.

The marshmallow schemas stay the single description of every wire shape (the OpenAPI
document is generated from them). What this module removes is the generic work marshmallow
repeats on every call — error stores, accessor indirection, hook look-ups, `unknown`
handling — which the profile of the hot path showed costing more than the domain itself
(≈ 150 µs to dump one escrow, ≈ 145 µs to load a milestone-create body).

* A dump plan reads each field straight from the plain dict and passes plain values of the
  expected type through unchanged; anything else goes to the field's own `_serialize`, so
  the result is marshmallow's by construction.
* A load plan accepts only what it can decide exactly — an object with known keys whose
  fields each deserialise without error — using each field's own `deserialize` (type checks
  and validators included). Anything else (an unknown key, a missing required field, any
  validation error, a partial load) returns `None` and the caller runs marshmallow's `load`,
  which produces the canonical error message. The fast path therefore never decides an
  error, only successes.

With the environment variable `SANDBOX_SELF_CHECK=1` (the test suite sets it, for the
in-process app and the live servers it starts) every fast dump and load is also done by
marshmallow and the two JSON texts must be identical, so the whole suite is a differential
test of this module.
"""

import json
import os

from marshmallow import Schema, ValidationError, fields
from marshmallow.decorators import POST_DUMP, POST_LOAD, PRE_DUMP, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing

SELF_CHECK = os.environ.get("SANDBOX_SELF_CHECK") == "1"

# Field classes whose `_serialize` returns a value of these types unchanged.
_PASS_THROUGH = {fields.String: (str,), fields.Integer: (int,), fields.Boolean: (bool,), fields.Raw: None}


def _same(fast, slow) -> None:
    """Self-check: the fast and marshmallow results must serialise to the same JSON text."""
    from sandbox.schemas.base import wire_number

    fast_text, slow_text = (json.dumps(v, default=wire_number, sort_keys=False) for v in (fast, slow))
    if fast_text != slow_text:
        raise AssertionError(f"fast path differs from marshmallow:\n fast {fast_text}\n slow {slow_text}")


# -- dump ----------------------------------------------------------------------------------------


def _dump_lines(n: int, name: str, field: fields.Field, env: dict) -> list[str]:
    """Source lines that put one field into `out` (the plan is generated code: a loop of
    per-field calls costs more than the work itself)."""
    attr, key = field.attribute or name, field.data_key or name
    env[f"ser{n}"], env[f"default{n}"] = field._serialize, field.dump_default
    if not field._CHECK_ATTRIBUTE:
        return [f"out[{key!r}] = ser{n}(None, {attr!r}, obj)"]
    lines = [f"v = obj.get({attr!r}, missing)", "if v is missing:"]
    if field.dump_default is missing:
        lines.append("    pass")
    else:
        lines.append(f"    v = default{n}() if callable(default{n}) else default{n}")
    sub = _sub_dump(field)
    if sub is not None:
        env[f"sub{n}"] = sub
        convert = (f"[sub{n}(x) for x in v]" if type(field) is fields.List else f"sub{n}(v)")
        lines.append(f"if v is not missing: out[{key!r}] = None if v is None else {convert}")
        return lines
    kinds = _PASS_THROUGH.get(type(field), False)
    if kinds is None:
        lines.append(f"if v is not missing: out[{key!r}] = v")
    elif kinds:
        env[f"kinds{n}"] = kinds
        lines.append(f"if v is not missing: out[{key!r}] = v if v is None or type(v) in kinds{n} "
                     f"else ser{n}(v, {attr!r}, obj)")
    else:
        lines.append(f"if v is not missing: out[{key!r}] = ser{n}(v, {attr!r}, obj)")
    return lines


def _sub_dump(field):
    """The compiled plan of a Nested field's (or a List of Nested's) schema, if it has one."""
    target = field.inner if type(field) is fields.List else field
    if type(target) is not fields.Nested or target.many or target.schema.many:
        return None
    return _plan(target.schema, "_fast_dump", compile_dump)


def compile_dump(schema: Schema):
    """A function obj -> dict equal to `schema.dump(obj)` for a dict `obj`, or None when the
    schema uses something the plan does not model (hooks, dotted attributes)."""
    if any(schema._hooks[tag] for tag in (PRE_DUMP, POST_DUMP)):
        return None
    if any("." in (f.attribute or n) for n, f in schema.dump_fields.items()):
        return None
    env = {"missing": missing}
    body = ["def dump_one(obj):", "    out = {}"]
    for n, (name, field) in enumerate(schema.dump_fields.items()):
        body += ["    " + line for line in _dump_lines(n, name, field, env)]
    body.append("    return out")
    exec("\n".join(body), env)  # noqa: S102 - source built above from field names only
    return env["dump_one"]


# -- load ----------------------------------------------------------------------------------------


class _Refuse(Exception):
    """The fast path declines; marshmallow decides (and words the error)."""


def _load_step(name: str, field: fields.Field):
    """(wire key, loaded key, field, convert) for one field of a load plan."""
    sub = None
    if type(field) is fields.Nested and not field.many:
        sub = _plan(field.schema, "_fast_load", compile_load)
    elif type(field) is fields.List and type(field.inner) is fields.Nested and not field.inner.many:
        inner = _plan(field.inner.schema, "_fast_load", compile_load)
        sub = None if inner is None else (lambda values: [inner(v) for v in values])
    key = field.data_key or name
    if sub is None:  # the field's own deserialize: type checks, validators, null handling
        return key, field.attribute or name, field, lambda value, data: field.deserialize(value, key, data)
    container = list if type(field) is fields.List else dict

    def convert(value, data):
        if type(value) is not container:
            raise _Refuse  # nulls and wrong types: marshmallow words the error
        value = sub(value)
        for validator in field.validators:
            validator(value)
        return value

    return key, field.attribute or name, field, convert


def compile_load(schema: Schema):
    """A function data -> loaded dict that equals `schema.load(data)` whenever it answers;
    it raises `_Refuse` for anything it does not decide. None if the schema cannot be planned."""
    hooks = schema._hooks
    if any(hooks[tag] for tag in (PRE_LOAD, VALIDATES, VALIDATES_SCHEMA)) or schema.many:
        return None
    if any(hook_many for _, hook_many, _ in hooks[POST_LOAD]):
        return None
    steps = [_load_step(name, field) for name, field in schema.load_fields.items()]
    known = frozenset(key for key, *_ in steps)
    post_load = [getattr(schema, attr_name) for attr_name, _, _ in hooks[POST_LOAD]]

    def load_one(data):
        if type(data) is not dict or not known.issuperset(data):
            raise _Refuse
        out = {}
        try:
            for key, attr, field, convert in steps:
                if key in data:
                    out[attr] = convert(data[key], data)
                elif field.required:
                    raise _Refuse
                elif field.load_default is not missing:
                    default = field.load_default
                    out[attr] = default() if callable(default) else default
        except ValidationError:
            raise _Refuse from None
        for hook in post_load:
            out = hook(out, many=False, partial=False)
        return out

    return load_one


def _plan(schema: Schema, slot: str, compile_):
    """The schema's compiled plan, made once and kept on the instance (None: not plannable)."""
    plan = schema.__dict__.get(slot, missing)
    if plan is missing:
        plan = schema.__dict__[slot] = compile_(schema)
    return plan


def fast_load(schema: Schema, data, partial: bool = False):
    """`schema.load(data)` when the fast path decides it, else marshmallow's own load."""
    plan = None if partial else _plan(schema, "_fast_load", compile_load)
    if plan is None:
        return schema.load(data, partial=partial)
    try:
        result = plan(data)
    except _Refuse:
        return schema.load(data)
    if SELF_CHECK:
        try:
            _same(result, schema.load(data))
        except ValidationError as err:
            raise AssertionError(f"fast path accepted what marshmallow refuses: {err.messages}") from None
    return result


class WireSchema(Schema):
    """Base of every sandbox schema: `dump` runs the compiled plan (same result, less work)."""

    def dump(self, obj, *, many=None):
        plan = _plan(self, "_fast_dump", compile_dump)
        many = self.many if many is None else many
        if many and not isinstance(obj, list):
            obj = list(obj)  # iterated twice below (a generator would be empty the second time)
        if plan is None or not (all(type(item) is dict for item in obj) if many else type(obj) is dict):
            return super().dump(obj, many=many)  # objects (dataclasses): marshmallow's accessors
        result = [plan(item) for item in obj] if many else plan(obj)
        if SELF_CHECK:
            _same(result, super().dump(obj, many=many))
        return result
