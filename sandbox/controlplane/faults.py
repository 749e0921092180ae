"""The scenario catalogue: every fault a client can trigger and every test helper, as data,
plus the rules that pick the scenario of a request. The hooks in sandbox/api/scenarios.py and
`GET /_sandbox/scenarios` both read these tables, so the catalogue cannot drift from behaviour.

Payluk documents no test cards, magic values or forced outcomes (payluk-api.md §7), so every
trigger here is the sandbox's own. Triggers:
  - the header `X-Sandbox-Scenario: <name>[; <param>=<value>]...` on any `/v1` request;
  - magic values in the body of the payment routes: a `reference` (or one of `references`)
    starting with a scenario's prefix (`sbx_decline_…`), or an `amount` equal to one of its
    magic amounts (402, 429, 444, 504: the HTTP code the outcome resembles).
Both triggers have the same effect. Nothing here is random, so faults are the same under
any `--seed`.
"""

import re
from dataclasses import dataclass, field

from sandbox.domain import customers, errors, ledger
from sandbox.domain.errors import BadRequest
from sandbox.domain.money import naira_to_kobo

HEADER = "X-Sandbox-Scenario"
# Set on every answer a scenario shaped, naming it (a client can tell a fault from a real refusal).
APPLIED_HEADER = "X-Sandbox-Scenario-Applied"
HEADER_SYNTAX = "<name>[; <param>=<value>]..."
MAGIC_PREFIX = "sbx_"

# Routes are named "<METHOD> <path rule>"; ANY_V1 stands for every /v1 route.
ANY_V1 = "* /v1/*"
PAY_ESCROW = "POST /v1/payment/escrow"
CREATE_INTENT = "POST /v1/payment/create-intent"
VERIFY_PAYMENT = "POST /v1/payment/verify"
CHECKOUT_SESSION = "POST /v1/checkout/session"
PAYMENT_ROUTES = (PAY_ESCROW, CREATE_INTENT, VERIFY_PAYMENT, CHECKOUT_SESSION)
# Where magic values are looked for: references on every payment route, amounts where the
# body carries the sum to charge.
REFERENCE_ROUTES = PAYMENT_ROUTES
AMOUNT_ROUTES = (PAY_ESCROW, CREATE_INTENT)
MAGIC_ROUTES = PAYMENT_ROUTES

# What a scenario does to the request (the hook dispatches on these).
REFUSE = "refuse"  # answer the fault at once; the operation does not run
TIMEOUT = "timeout"  # wait `ms`, then answer the fault; the operation does not run
RATE_LIMIT = "rate_limit"  # [B]'s 429 (body without `data`) and headers; the operation does not run
DELAY = "delay"  # wait `ms`, then run the request normally
DROP = "drop"  # run normally; if it changed the namespace, drop the connection instead of answering

_DIGITS = re.compile(r"^[0-9]+$")


@dataclass(frozen=True)
class Param:
    """A whole-number parameter of a scenario, given as `; name=value` in the header or as the
    digits right after the magic prefix (`sbx_latency_1500_order42`)."""

    name: str
    default: int
    minimum: int
    maximum: int
    description: str

    def parse(self, raw: str) -> int:
        value = int(raw) if _DIGITS.match(raw) else None
        if value is None or not self.minimum <= value <= self.maximum:
            raise BadRequest(errors.SCENARIO_PARAM_RANGE.format(param=self.name, minimum=self.minimum,
                                                               maximum=self.maximum))
        return value


@dataclass(frozen=True)
class Scenario:
    """One entry of the catalogue. `status`/`message` are the answer of the faults that answer
    instead of the operation; `ignored_when` maps a body field to the (lower-case) values that
    make the scenario not apply; `headers` are templates filled from the parameters."""

    name: str
    outcome: str
    description: str
    applies_to: tuple
    committed: bool
    reference_prefix: str
    amounts: tuple = ()
    status: int | None = None
    message: str | None = None
    params: tuple = ()
    ignored_when: dict = field(default_factory=dict)
    enveloped: bool = True
    headers: tuple = ()
    notes: str = ""

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def body(self) -> dict | None:
        """The exact JSON body of the fault's answer (None: the request's own answer)."""
        if self.status is None:
            return None
        if not self.enveloped:
            return {"status": self.status, "message": self.message}
        return {"status": self.status, "message": self.message, "data": {}}

    def answer_headers(self, params: dict) -> dict:
        return {name: template.format(**params) for name, template in self.headers}


def _ms(default: int) -> Param:
    return Param("ms", default, 0, 30_000, "milliseconds to wait (real time, not the namespace clock)")


SCENARIOS = (
    Scenario(
        name="card_declined",
        outcome=REFUSE,
        description="The card gateway refuses the charge. Nothing is charged or changed (under API "
                    "profile 2026-10 the refusal is recorded as a failed transaction with its "
                    "`payment.<type>.failed` event, as Payluk reports a declined card). A wallet payment "
                    "has no card to decline: it is processed normally (use insufficient_funds to fail a "
                    "wallet payment).",
        applies_to=PAYMENT_ROUTES,
        committed=False,
        reference_prefix="sbx_decline_",
        amounts=(402,),
        status=400,
        message=errors.CARD_DECLINED,
        ignored_when={"gateway": ("wallet",), "transactionType": ("withdrawal", "wallet_transfer")},
    ),
    Scenario(
        name="insufficient_funds",
        outcome=REFUSE,
        description="The payer's balance (wallet or card) does not cover the charge. Nothing changes.",
        applies_to=PAYMENT_ROUTES,
        committed=False,
        reference_prefix="sbx_insufficient_",
        status=400,
        message=errors.INSUFFICIENT_BALANCE,
    ),
    Scenario(
        name="gateway_timeout",
        outcome=TIMEOUT,
        description="Payluk's upstream does not answer in time: after `ms` the request fails with 504. "
                    "Nothing changes.",
        applies_to=(ANY_V1,),
        committed=False,
        reference_prefix="sbx_timeout_",
        amounts=(504,),
        status=504,
        message=errors.GATEWAY_TIMEOUT,
        params=(_ms(50),),
    ),
    Scenario(
        name="server_error",
        outcome=REFUSE,
        description="Payluk fails with a 5xx. Nothing changes.",
        applies_to=(ANY_V1,),
        committed=False,
        reference_prefix="sbx_error_",
        status=500,
        message=errors.SERVER_ERROR,
        notes="No magic amount: 500 naira is a plausible real amount.",
    ),
    Scenario(
        name="latency",
        outcome=DELAY,
        description="The request is processed normally after an added delay of `ms`.",
        applies_to=(ANY_V1,),
        committed=True,
        reference_prefix="sbx_latency_",
        params=(_ms(1000),),
    ),
    Scenario(
        name="rate_limited",
        outcome=RATE_LIMIT,
        description="Payluk's [B] rate limit (10 requests a minute per key) is exceeded: HTTP 429 with "
                    "the documented body, which has no `data` key. Nothing changes.",
        applies_to=(ANY_V1,),
        committed=False,
        reference_prefix="sbx_ratelimit_",
        amounts=(429,),
        status=429,
        message=errors.TOO_MANY_REQUEST,
        params=(Param("reset", 60, 0, 60, "seconds until the window resets (RateLimit reset, Retry-After)"),),
        enveloped=False,
        headers=(("RateLimit-Policy", "10;w=60"), ("RateLimit", "limit=10, remaining=0, reset={reset}"),
                 ("Retry-After", "{reset}")),
    ),
    Scenario(
        name="response_lost",
        outcome=DROP,
        description="The operation runs and commits, then the connection is dropped: the client gets no "
                    "answer. Only a request that changed the namespace is dropped; one that changed "
                    "nothing (a refusal, a read, an idempotent replay such as paying again with the same "
                    "reference) is answered normally, so a retry gets its answer.",
        applies_to=(ANY_V1,),
        committed=True,
        reference_prefix="sbx_lost_",
        amounts=(444,),
        notes="Over HTTP the server aborts the connection after the status line at most: requests raises "
              "ConnectionError or ChunkedEncodingError. In-process (Flask test client) the call raises "
              "sandbox.ResponseLost, a ConnectionAbortedError.",
    ),
    Scenario(
        name="maintenance",
        outcome=REFUSE,
        description="Payluk is in maintenance mode ([B]: 503 = maintenance): HTTP 503 in the envelope, with "
                    "`Retry-After`. Nothing changes.",
        applies_to=(ANY_V1,),
        committed=False,
        reference_prefix="sbx_maintenance_",
        status=503,
        message=errors.MAINTENANCE,
        params=(Param("retry", 60, 0, 86_400, "seconds until the maintenance ends (Retry-After)"),),
        headers=(("Retry-After", "{retry}"),),
        notes="Payluk documents the status, not the message: the wording is the sandbox's. No magic amount: "
              "503 naira is a plausible real amount.",
    ),
)
BY_NAME = {s.name: s for s in SCENARIOS}


class ResponseLost(ConnectionAbortedError):
    """Raised by the body of a dropped answer (`response_lost`): the WSGI server aborts the
    connection; the Flask test client raises it to the caller."""


@dataclass(frozen=True)
class Choice:
    """The scenario a request triggered, its parameters and how it was triggered."""

    scenario: Scenario
    params: dict
    trigger: str  # "header" | "magic" | "namespace" (maintenance mode)


def parse_header(value: str) -> tuple[Scenario, dict]:
    """`<name>[; <param>=<value>]...`: names are case-insensitive; unknown names, unknown
    parameters and out-of-range values are refused (400)."""
    parts = [part.strip() for part in value.split(";")]
    name = parts[0].lower()
    scenario = BY_NAME.get(name)
    if scenario is None:
        raise BadRequest(errors.UNKNOWN_SCENARIO.format(name=parts[0], known=", ".join(BY_NAME)))
    params = scenario.defaults()
    for part in parts[1:]:
        if not part:
            continue
        key, sep, raw = part.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise BadRequest(errors.SCENARIO_SYNTAX)
        spec = scenario.param(key)
        if spec is None:
            allowed = ", ".join(p.name for p in scenario.params) or "none"
            raise BadRequest(errors.SCENARIO_PARAM_UNKNOWN.format(scenario=scenario.name, param=key,
                                                                  allowed=allowed))
        params[key] = spec.parse(raw.strip())
    return scenario, params


def applies(scenario: Scenario, route: str, body) -> bool:
    """Does the scenario apply to this request? A route outside `applies_to`, or a body with
    an `ignored_when` value (a wallet payment for `card_declined`), is processed normally."""
    if ANY_V1 not in scenario.applies_to and route not in scenario.applies_to:
        return False
    for name, values in scenario.ignored_when.items():
        value = body.get(name) if isinstance(body, dict) else None
        if isinstance(value, str) and value.strip().lower() in values:
            return False
    return True


def _references(body: dict) -> list[str]:
    found = [body["reference"]] if isinstance(body.get("reference"), str) else []
    if isinstance(body.get("references"), list):
        found += [r for r in body["references"] if isinstance(r, str)]
    return found


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def match_magic(route: str, body) -> tuple[Scenario, dict] | None:
    """The scenario a magic value in the body names, with its parameters: the first reference
    (in request order) with a scenario prefix wins, then a magic `amount`."""
    if route not in MAGIC_ROUTES or not isinstance(body, dict):
        return None
    if route in REFERENCE_ROUTES:
        for reference in _references(body):
            lowered = reference.lower()
            for scenario in SCENARIOS:
                if lowered.startswith(scenario.reference_prefix):
                    params = scenario.defaults()
                    digits = re.match(r"([0-9]+)(?:_|$)", lowered[len(scenario.reference_prefix):])
                    if digits and scenario.params:
                        params[scenario.params[0].name] = scenario.params[0].parse(digits.group(1))
                    return scenario, params
    if route in AMOUNT_ROUTES and _is_number(body.get("amount")):
        for scenario in SCENARIOS:
            if body["amount"] in scenario.amounts:
                return scenario, scenario.defaults()
    return None


_MAGIC_HINTS = (MAGIC_PREFIX.encode(),) + tuple(str(a).encode() for s in SCENARIOS for a in s.amounts)


def may_hold_magic(raw: bytes) -> bool:
    """A cheap test on the raw body: False means no magic value can be in it (no need to parse)."""
    lowered = raw.lower()
    return any(hint in lowered for hint in _MAGIC_HINTS)


def select(route: str, header: str | None, body) -> Choice | None:
    """The scenario of a `/v1` request: the header first (refused when malformed or unknown,
    skipped when it does not apply to the request), then magic values; None for neither."""
    if header is not None and header.strip():
        scenario, params = parse_header(header)
        if applies(scenario, route, body):
            return Choice(scenario, params, "header")
    magic = match_magic(route, body)
    if magic is not None and applies(magic[0], route, body):
        return Choice(magic[0], magic[1], "magic")
    return None


# -- maintenance mode: the `maintenance` scenario on every request of a namespace -------------------
# An integrator's code cannot add a header to its own requests: `PUT /_sandbox/maintenance` puts
# the whole namespace in maintenance until it is switched off (or the namespace is reset: a
# reset brings the service back; it is not a setting a reset keeps).

MAINTENANCE = "maintenance"  # the scenario's name, and the namespace setting's


def maintenance_mode(ns) -> dict:
    """Whether the namespace is in maintenance, and the Retry-After its answers carry."""
    chosen = ns.settings(MAINTENANCE)
    default = BY_NAME[MAINTENANCE].defaults()["retry"]
    return {"enabled": chosen is not None, "retry": default if chosen is None else chosen["retry"]}


def choose_maintenance(ns, enabled: bool, retry: int) -> dict:
    ns.save_settings(MAINTENANCE, {"retry": retry} if enabled else None)
    return maintenance_mode(ns)


def namespace_choice(settings: dict) -> Choice | None:
    """The scenario a namespace's settings put on every request it has (maintenance mode), or None."""
    chosen = settings.get(MAINTENANCE)
    if chosen is None:
        return None
    return Choice(BY_NAME[MAINTENANCE], {"retry": chosen["retry"]}, "namespace")


# -- test helpers: states the API cannot reach quickly ---------------------------------------


@dataclass(frozen=True)
class Helper:
    """A `/_sandbox/helpers/…` route: its body fields and its answer."""

    name: str
    path: str
    description: str
    body: dict
    message: str
    status: int = 200

    @property
    def route(self) -> str:
        return f"POST {self.path}"


HELPERS = (
    Helper(
        name="block-customer",
        path="/_sandbox/helpers/block-customer",
        description="Block a customer without the merchant route (which needs a super-admin key): it is "
                    "then refused wherever it is the customer-id (401 `Your account is disabled. Please "
                    "contact support`). Answers the customer.",
        body={"customerId": "required: the customer's 24-hex id", "reason": "optional: stored as blockedReason"},
        message="Customer blocked successfully",
    ),
    Helper(
        name="unblock-customer",
        path="/_sandbox/helpers/unblock-customer",
        description="Make a blocked customer active again. Answers the customer.",
        body={"customerId": "required: the customer's 24-hex id"},
        message="Customer unblocked successfully",
    ),
    Helper(
        name="fund-customer",
        path="/_sandbox/helpers/fund-customer",
        description="Credit a customer's main balance from outside the namespace (ledger account "
                    "`external:sandbox`), without the once-a-day limit of the staging top-up. Works for "
                    "blocked customers too. Answers the customer's wallet.",
        body={"customerId": "required: the customer's 24-hex id",
              "amount": "required: whole naira, 1 to 1000000000000"},
        message="Customer funded successfully",
    ),
    Helper(
        name="reverse-withdrawal",
        path="/_sandbox/helpers/reverse-withdrawal",
        description="The bank returns a settled withdrawal: its amount and fee go back to the customer's "
                    "main balance (one balanced posting) and the intent becomes `REVERSED`; under API "
                    "profile 2026-10 with a `payment.withdrawal.reversed` event. Answers the transaction.",
        body={"reference": "required: the withdrawal's reference"},
        message="Withdrawal reversed successfully",
    ),
)
HELPER = {h.name: h for h in HELPERS}

FUNDING_SOURCE = "sandbox"
FUNDING_REFERENCE_PREFIX = "SBX_FUND_"
MAX_FUNDING_NAIRA = 10**12


def fund_customer(ns, customer_id: str, amount_naira: int) -> dict:
    """The fund-customer helper: one balanced posting from `external:sandbox` to the customer's
    main account (any status). Returns the wallet balances in kobo."""
    customer = customers.get_customer(ns, customer_id)
    amount = naira_to_kobo(amount_naira)
    main = ledger.main_account(customer["id"])
    ledger.post(ns, "sandbox_funding", [(ledger.external_account(FUNDING_SOURCE), -amount), (main, amount)],
                customer_id=customer["id"], reference=ns.new_reference(FUNDING_REFERENCE_PREFIX))
    return {"main": ns.balance(main), "escrow": ns.balance(ledger.escrow_account(customer["id"]))}
