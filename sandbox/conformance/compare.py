"""Comparing two hosts' answers to one step: status codes, messages, the presence and JSON types
of every field (recursively; a list by its first element; `null` matches any type), chosen
lifecycle values, and the numbers the tour derives. Raw values — ids, tokens, timestamps,
amounts — are never compared: they differ between hosts by nature."""

import json
from dataclasses import asdict, dataclass

ABSENT = "absent"

# What a Difference is about.
STATUS, MESSAGE, BODY, FIELD, TYPE, VALUE, RULE = "status", "message", "body", "field", "type", "value", "rule"


@dataclass(frozen=True)
class Difference:
    step: str
    aspect: str  # STATUS, MESSAGE, BODY, FIELD (present on one host only), TYPE, VALUE, RULE
    where: str  # a field's path (`data.escrowDetails.fee`), a rule's name, or "" for the status
    target: str
    reference: str

    def __str__(self) -> str:
        where = f" {self.where}" if self.where else ""
        return f"{self.aspect}{where}: target {self.target}, reference {self.reference}"

    def as_dict(self) -> dict:
        return asdict(self)


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shapes(step: str, target, reference, path: str = "") -> list[Difference]:
    """Where the two values' shapes differ: a field on one side only, or of another JSON type.
    Objects compare key by key (order ignored); arrays by their first elements, when both have one.
    `null` matches any type: whether a nullable field holds a value depends on the host's data, not
    on its API (`pagination.nextPage` on a host with more records, `completedAt` of another escrow)."""
    t, r = json_type(target), json_type(reference)
    if "null" in (t, r):
        return []
    if t != r:
        return [Difference(step, TYPE, path or "(body)", t, r)]
    out = []
    if t == "object":
        for key in list(target) + [k for k in reference if k not in target]:
            where = f"{path}.{key}" if path else key
            if key not in reference:
                out.append(Difference(step, FIELD, where, json_type(target[key]), ABSENT))
            elif key not in target:
                out.append(Difference(step, FIELD, where, ABSENT, json_type(reference[key])))
            else:
                out += shapes(step, target[key], reference[key], where)
    elif t == "array" and target and reference:
        out += shapes(step, target[0], reference[0], f"{path}[0]")
    return out


def at(body, path: str):
    """The value at a dotted path (`data.milestones.0.id`), or KeyError."""
    value = body
    for part in path.split("."):
        if isinstance(value, list):
            try:
                value = value[int(part)]
            except (ValueError, IndexError):
                raise KeyError(path) from None
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(path)
    return value


def answers(step, target, reference, rules: tuple[dict, dict]) -> list[Difference]:
    """Every difference between the two answers to `step` (hosts.Answer), and between the rules
    derived from them (`rules`: name -> Decimal, per host)."""
    sid = step.id
    if target.status != reference.status:
        return [Difference(sid, STATUS, "", str(target.status), str(reference.status)),
                *_messages(sid, target, reference)]
    if not isinstance(target.body, dict) or not isinstance(reference.body, dict):
        if json_type(target.body) == json_type(reference.body):
            return []
        return [Difference(sid, BODY, "", _kind(target.body), _kind(reference.body))]
    out = _messages(sid, target, reference)
    out += shapes(sid, target.body, reference.body)
    for path in step.values:
        try:
            t, r = at(target.body, path), at(reference.body, path)
        except KeyError:
            continue  # absent on one side: reported as a field above
        if t != r:
            out.append(Difference(sid, VALUE, path, repr_value(t), repr_value(r)))
    t_rules, r_rules = rules
    for name in t_rules.keys() & r_rules.keys():
        if t_rules[name] != r_rules[name]:
            out.append(Difference(sid, RULE, name, format_number(t_rules[name]), format_number(r_rules[name])))
    return out


def _messages(sid, target, reference) -> list[Difference]:
    if target.message == reference.message:
        return []
    t, r = (ABSENT if m is None else repr_value(m) for m in (target.message, reference.message))
    return [Difference(sid, MESSAGE, "", t, r)]


def _kind(body) -> str:
    return "not JSON" if body is None else f"JSON {json_type(body)}"


def repr_value(value) -> str:
    """A value as JSON text (`"CLOSED"`, `null`)."""
    return json.dumps(value, ensure_ascii=False)


def format_number(value) -> str:
    """A derived Decimal without trailing zeros (0.025, 1, 0.9875)."""
    return format(value.normalize(), "f")
