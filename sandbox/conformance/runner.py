"""Running the tour against two hosts in lockstep: each step is sent to the target, then to the
reference, each with its own context (its parties, the ids and tokens it answered, amounts derived
from its answers), and the two answers compared (compare.py). A step is skipped on both hosts,
with the reason, when it moves money in a read-only run, needs sandbox controls one host lacks,
or follows a step that did not succeed on both."""

import re
import secrets
import time
from dataclasses import dataclass, field

from sandbox import clock
from sandbox.conformance import compare
from sandbox.conformance.hosts import Answer, Controls, Host
from sandbox.conformance.tour import LIVE_KEY, MONEY, TOUR, Step

AGREE, DIFFER, SKIPPED = "agree", "differ", "skipped"
DAY_MS = 86_400_000
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class Side:
    """One host as the tour drives it: its key, the customers acting as seller and buyer there, and
    (for hosts whose controls are protected) the control token."""

    name: str  # "target" or "reference"
    host: Host
    key: str
    seller: str
    buyer: str
    control_token: str | None = None
    controls: Controls | None = None
    context: dict = field(default_factory=dict)


@dataclass
class StepResult:
    step: Step
    outcome: str  # AGREE, DIFFER or SKIPPED
    reason: str = ""  # why it was skipped
    target: Answer | None = None
    reference: Answer | None = None
    differences: list = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Finding:
    """A difference as the report states it: once per route (a wallet read differs the same way
    each time), with the steps it was seen in."""

    route: str
    aspect: str
    where: str
    target: str
    reference: str
    steps: tuple

    @property
    def key(self) -> tuple:
        return (self.route, self.aspect, self.where, self.target, self.reference)

    def as_dict(self) -> dict:
        return {"route": self.route, "aspect": self.aspect, "where": self.where, "target": self.target,
                "reference": self.reference, "steps": list(self.steps)}


@dataclass
class Result:
    target: Side
    reference: Side
    read_only: bool
    steps: list[StepResult]
    seconds: float = 0.0

    @property
    def differences(self) -> list:
        return [d for result in self.steps for d in result.differences]

    @property
    def findings(self) -> list[Finding]:
        """The differences once per route and kind, in the order the tour first met them."""
        seen: dict[tuple, list] = {}
        for result in self.steps:
            for d in result.differences:
                key = (route_of(result.step), d.aspect, d.where, d.target, d.reference)
                seen.setdefault(key, []).append(result.step.id)
        return [Finding(*key, tuple(dict.fromkeys(steps))) for key, steps in seen.items()]

    @property
    def agree(self) -> bool:
        return not self.differences

    @property
    def exit_code(self) -> int:
        return 0 if self.agree else 1

    def count(self, outcome: str) -> int:
        return sum(1 for result in self.steps if result.outcome == outcome)


# Placeholders in a step's path by the name Payluk's docs give the parameter.
PARAMETERS = ((re.compile(r"\{\w+_token\}"), "{paymentToken}"), (re.compile(r"\{\w+_id\}"), "{escrowId}"),
              (re.compile(r"\{\w+_m\d+\}"), "{milestoneId}"), (re.compile(r"\{(seller|buyer)\}"), "{customerId}"))


def route_of(step: Step) -> str:
    """`GET /v1/escrow/verify/{paymentToken}`: the step's method and path, without its query."""
    path = step.path.split("?", 1)[0]
    for pattern, name in PARAMETERS:
        path = pattern.sub(name, path)
    return f"{step.method} {path}"


class Missing(Exception):
    """A template names something the host's context does not hold (an earlier step failed there)."""


def expand(template, context: dict):
    """The template with `{name}`s filled from the context: a string that is exactly one placeholder
    becomes the value itself (a number stays a number), other strings are formatted; dicts and lists
    recursively."""
    if isinstance(template, dict):
        return {key: expand(value, context) for key, value in template.items()}
    if isinstance(template, list):
        return [expand(value, context) for value in template]
    if not isinstance(template, str):
        return template
    names = PLACEHOLDER.findall(template)
    missing = [name for name in names if name not in context]
    if missing:
        raise Missing(", ".join(missing))
    whole = PLACEHOLDER.fullmatch(template)
    if whole:
        return context[whole.group(1)]
    return PLACEHOLDER.sub(lambda m: str(context[m.group(1)]), template)


def initial_context(side: Side, run: str) -> dict:
    today = clock.real_ms()
    return {"seller": side.seller, "buyer": side.buyer, "run": run,
            "due_soon": clock.iso(today + 30 * DAY_MS)[:10], "due_later": clock.iso(today + 60 * DAY_MS)[:10]}


def request_of(step: Step, side: Side) -> tuple[str, dict, object, dict | None]:
    """The step's path, headers and body for this host (Missing when its context lacks a value)."""
    ctx = side.context
    path = expand(step.path, ctx)
    headers = {}
    if step.auth == "key":
        headers["Authorization"] = f"Bearer {side.key}"
    elif step.auth == "live":
        headers["Authorization"] = f"Bearer {LIVE_KEY}"
    if step.party is not None:
        headers["customer-id"] = str(expand(step.party, ctx))
    if step.controls and side.control_token:
        headers["X-Sandbox-Token"] = side.control_token
    body = expand(step.json, ctx) if step.json is not None else None
    form = {k: str(v) for k, v in expand(step.form, ctx).items()} if step.form is not None else None
    return path, headers, body, form


def keep(step: Step, answer: Answer, side: Side) -> dict:
    """What a 2xx answer gives the host's context (`save`) and the rules it derives."""
    derived = {}
    if not answer.ok or not isinstance(answer.body, dict):
        return derived
    data = answer.data
    for name, how in step.save.items():
        try:
            value = how(data, side.context) if callable(how) else compare.at(answer.body, how)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            continue
        if value is not None:
            side.context[name] = value
    for rule in step.rules:
        try:
            value = rule.derive(data, side.context)
        except (KeyError, TypeError, ValueError, ArithmeticError):  # (decimal's errors are ArithmeticErrors)
            value = None
        if value is not None:
            derived[rule.name] = value
    return derived


READ_ONLY_RUN = "not run with --read-only"


def skip_reason(step: Step, target: Side, reference: Side, read_only: bool, succeeded: set) -> str:
    if read_only and step.kind == MONEY:
        return f"money-moving: {READ_ONLY_RUN}"
    if step.controls:
        lacking = [f"the {side.name} ({side.host.label}): {side.controls.why_not}"
                   for side in (target, reference) if not side.controls.present]
        if lacking:
            return "needs sandbox controls; " + "; ".join(lacking)
    failed = [name for name in step.after if name not in succeeded]
    if failed and read_only:
        return f"follows money-moving steps: {READ_ONLY_RUN}"
    if failed:
        return f"follows {', '.join(failed)}, which did not succeed on both hosts"
    return ""


def run(target: Side, reference: Side, read_only: bool = False, tour: list[Step] = TOUR) -> Result:
    """The tour against both hosts (each probed for its controls first: hosts.Unreachable when one
    does not answer)."""
    started = time.perf_counter()
    run_id = f"conf_{secrets.token_hex(4)}"
    for side in (target, reference):
        side.controls = side.host.probe(side.key, side.control_token)
        side.context = initial_context(side, run_id)
    results, succeeded = [], set()
    for step in tour:
        began = time.perf_counter()
        reason = skip_reason(step, target, reference, read_only, succeeded)
        requests = []
        if not reason:
            try:
                requests = [request_of(step, side) for side in (target, reference)]
            except Missing as missing:
                reason = (f"follows money-moving steps: {READ_ONLY_RUN}" if read_only else
                          f"needs {missing}, which an earlier step did not get from both hosts")
        if reason:
            results.append(StepResult(step, SKIPPED, reason))
            continue
        got = [side.host.send(step.method, path, headers, json=body, form=form)
               for side, (path, headers, body, form) in zip((target, reference), requests)]
        rules = tuple(keep(step, answer, side) for side, answer in zip((target, reference), got))
        differences = [compare.Difference(step.id, compare.STATUS, "", _status(got[0]), _status(got[1]))] \
            if None in (got[0].status, got[1].status) else compare.answers(step, got[0], got[1], rules)
        if got[0].ok and got[1].ok:
            succeeded.add(step.id)
        results.append(StepResult(step, DIFFER if differences else AGREE, "", got[0], got[1], differences,
                                  time.perf_counter() - began))
    return Result(target, reference, read_only, results, time.perf_counter() - started)


def _status(answer: Answer) -> str:
    return str(answer.status) if answer.status is not None else f"no answer ({answer.error})"
