"""Scenarios and fault injection: the hooks that apply `X-Sandbox-Scenario` and magic values
to `/v1` requests, the catalogue (`GET /_sandbox/scenarios`) and the test helpers
(`POST /_sandbox/helpers/…`). What each scenario does is data in sandbox/controlplane/faults.py.

Faults that change nothing answer from `before_request`, so the view (and its service)
never runs: nothing can be half-applied. `response_lost` is the one scenario that lets the
operation run; it holds the namespace lock for the whole request and compares the namespace
state before and after. Only when it changed, a WSGI middleware swaps the finished answer's
body for one that raises, which makes the server abort the connection (the Flask test client
raises it to the caller). Every hook, the journal included, still sees the real answer.
"""

import json


from flask import Blueprint, Flask, current_app, g, request

from sandbox.api import checkout
from sandbox.api.auth import PUBLIC
from sandbox.api.documented import Tag, doc
from sandbox.api.http import FORM_TYPES, call, envelope, json_body
from sandbox.controlplane import faults, ratelimit
from sandbox.domain import customers, payments
from sandbox.domain import errors as E
from sandbox.domain import outbox as webhook_faults
from sandbox.domain.errors import PaylukError
from sandbox.schemas import answers as out
from sandbox.schemas import customer as cus
from sandbox.schemas import intent as itn
from sandbox.schemas import payment as pay
from sandbox.schemas import scenario as scn
from sandbox.schemas.base import load
from sandbox.schemas.customer import CUSTOMER
from sandbox.schemas.payment import WALLET_BALANCES
from sandbox.schemas.scenario import BLOCK_CUSTOMER, CUSTOMER_REF, FUND_CUSTOMER, HELPER_LIST, SCENARIO_LIST
from sandbox.server import serving

bp = Blueprint("scenarios", __name__)

# Per-request marks live in the WSGI environ, not in `g` (a caller holding an app context open
# shares one `g` across requests). `g.scenario` (the name) is set for the journal and cleared.
CHOICE = "sandbox.scenarios.choice"
HELD = "sandbox.scenarios.held"
DROP = "sandbox.scenarios.drop"
LIMITED = "sandbox.scenarios.ratelimit"  # the RateLimit headers of a request the limit counted


def register(app: Flask) -> None:
    """Install the scenario hooks (after authentication), the dropping middleware, and the
    catalogue and helper routes. With the controls switched off, /v1 behaves as Payluk only:
    no header or magic value is honoured (and the /_sandbox routes answer 404)."""
    app.register_blueprint(bp)
    if not getattr(app.extensions["sandbox"].config, "controls", True):
        return
    app.before_request(apply_scenario)
    app.after_request(finish_scenario)
    app.teardown_request(release_namespace)
    app.wsgi_app = DropLostResponses(app.wsgi_app)


# -- the hooks -------------------------------------------------------------------------------


def _body(always: bool = False):
    """The JSON body, for magic values and `ignoredWhen` only; anything unreadable is no magic
    (the view judges it). Unless `always`, not parsed when no magic value can be in it."""
    if request.mimetype in FORM_TYPES:
        return None
    raw = request.get_data(cache=True)
    if not raw or not (always or faults.may_hold_magic(raw)):
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # too deeply nested for Python's parser: no magic either
        return None


def apply_scenario():
    """before_request: pick the request's scenario, wait if it says so, count the request
    against the key's rate limit ([B], when enabled), then answer a fault at once or arm the
    drop. Only `/v1` routes (not CORS preflights); unknown routes keep their 404.

    The count comes after authentication (the limit is per secret key) and after a scenario's
    wait: a waiting request is parked and replayed from the start (sandbox/server/serving.py),
    and it reaches "Payluk" once, when its wait is over. It comes before any fault answers and
    before the view: a fault is an answer Payluk's limiter let through, and a refused request
    runs nothing."""
    req = request._get_current_object()
    rule = req.url_rule
    if rule is None or req.method == "OPTIONS" or not rule.rule.startswith("/v1/"):
        return None
    route = f"{req.method} {rule.rule}"
    header = req.headers.get(faults.HEADER)
    # The body matters with a header too: `ignoredWhen` reads it (a wallet payment).
    body = _body(always=bool(header)) if route in faults.MAGIC_ROUTES else None
    # The secret key's namespace (publishable-key routes have none: not counted, no maintenance mode).
    ns = None if current_app.view_functions[req.endpoint] in PUBLIC else g.get("ns")
    try:
        choice = faults.select(route, header, body) or _namespace_mode(ns)
    except PaylukError:
        refused = _count_request(ns, req)  # a malformed header is still a request of the key
        if refused is not None:
            return refused
        raise
    if choice is not None and choice.scenario.outcome in (faults.TIMEOUT, faults.DELAY):
        serving.pause(req.environ, choice.params["ms"] / 1000)
    refused = _count_request(ns, req)
    if refused is not None or choice is None:
        return refused
    request.environ[CHOICE] = choice
    g.scenario = choice.scenario.name
    scenario = choice.scenario
    if scenario.outcome == faults.DELAY:
        return None
    if scenario.outcome == faults.DROP:
        _hold_namespace(body)
        return None
    if scenario.name == DECLINED and route in DECLINE_ROUTES:
        # [B]: the declined card is a failed transaction (`payment.<type>.failed`); nothing is charged.
        call(payments.record_decline, request.headers.get("customer-id", "").strip().lower(), DECLINE_ROUTES[route],
             body if body is not None else _body(always=True))
    return _fault_answer(scenario.status, scenario.body(), scenario.answer_headers(choice.params))


def _namespace_mode(ns):
    """The namespace's maintenance mode, for a request that triggered no scenario of its own. Read
    from its recent settings (no round trip), and confirmed under the lock before it answers: a
    worker of a shared store never answers 503 for a mode another worker switched off."""
    if ns is None or faults.namespace_choice(ns.recent_state()) is None:
        return None
    with ns.lock:
        return faults.namespace_choice({faults.MAINTENANCE: ns.settings(faults.MAINTENANCE)})


def _fault_answer(status: int, body: dict, headers: dict):
    """A fault's answer as it is (the 429 body has no `data`), with its headers."""
    response = current_app.response_class(current_app.json.dumps(body), status=status, mimetype="application/json")
    response.headers.update(headers)
    return response


def _count_request(ns, req):
    """Count the request against its key's rate limit (nothing when the limit is not enforced);
    answers the refusal, or None and the RateLimit headers are added to the answer."""
    if ns is None:
        return None
    verdict = ratelimit.count(ns)
    if verdict is None:
        return None
    if verdict.refused:
        return _fault_answer(ratelimit.REFUSAL.status, ratelimit.REFUSAL.body(), verdict.headers)
    req.environ[LIMITED] = verdict.headers
    return None


DECLINED = "card_declined"
# The routes where a declined card leaves a failed transaction ([B]), and which one it is.
DECLINE_ROUTES = {faults.PAY_ESCROW: "escrow", faults.VERIFY_PAYMENT: "verify"}


def _namespace_of_request(body):
    """The caller's namespace: the secret key's, or on the public checkout-session routes the
    one the publishable key names (None when the key is unusable: the view refuses it)."""
    if current_app.view_functions[request.endpoint] not in PUBLIC:
        return g.ns
    if body is None and request.method != "GET":
        body = _body(always=True)
    key = body.get("publicKey") if isinstance(body, dict) else request.args.get("publicKey")
    if not isinstance(key, str):
        return None
    try:
        return checkout._namespace_for(key)[1]
    except PaylukError:
        return None


def _hold_namespace(body) -> None:
    """`response_lost`: lock the namespace for the whole request and remember its state."""
    ns = _namespace_of_request(body)
    if ns is None:
        return
    ns.lock.acquire()
    request.environ[HELD] = (ns, ns.mark())


def finish_scenario(response):
    """after_request: the RateLimit headers of a counted request; name the scenario in a header;
    for `response_lost`, mark the answer of a request that changed the namespace for dropping."""
    environ = request.environ
    limited = environ.get(LIMITED)
    if limited is not None:
        response.headers.update(limited)
    choice = environ.get(CHOICE)
    if choice is None:
        return response
    response.headers[faults.APPLIED_HEADER] = choice.scenario.name
    held = environ.get(HELD)
    if held is not None and held[0].changed_since(held[1]):
        environ[DROP] = True
    return response


def release_namespace(exc=None) -> None:
    """teardown_request: let go of the namespace `response_lost` held; forget `g.scenario`."""
    glob, environ = g._get_current_object(), request.environ
    if "scenario" in glob:
        del glob.scenario
    held = environ.pop(HELD, None)
    if held is not None:
        held[0].lock.release()


def _dropped_body():
    raise faults.ResponseLost(
        "X-Sandbox-Scenario response_lost: the operation committed and the response is dropped on purpose"
    )
    yield b""  # pragma: no cover - makes this a generator


class DropLostResponses:
    """WSGI middleware: a response marked for dropping is replaced by a body that raises, so
    the server aborts the connection (its Content-Length promises a body that never comes)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        app_iter = self.wsgi_app(environ, start_response)
        if not environ.get(DROP):
            return app_iter
        if hasattr(app_iter, "close"):
            app_iter.close()
        return _dropped_body()


# -- the catalogue ---------------------------------------------------------------------------




@bp.get("/_sandbox/scenarios")
@doc(Tag.CONTROLS, "The catalogue of scenarios, magic values and helpers", data=out.ScenarioCatalogueSchema,
     message="Scenarios fetched successfully")
def list_scenarios():
    return envelope(200, "Scenarios fetched successfully", {
        "header": faults.HEADER,
        "headerSyntax": faults.HEADER_SYNTAX,
        "appliedHeader": faults.APPLIED_HEADER,
        "magicPrefix": faults.MAGIC_PREFIX,
        "rules": [
            "The header applies to any /v1 route; magic values are read from the JSON body of the routes "
            "listed under each trigger.",
            "The header is looked at first: an unknown name or parameter is a 400; a scenario that does not "
            "apply to the request (another route, or an ignoredWhen value) is skipped, and magic values "
            "are looked for instead.",
            "Among magic values the first reference in request order wins (reference, then references), "
            "then the amount.",
            "Faults that change nothing answer before the request is validated or the operation runs.",
            "Authentication comes first; /_sandbox routes and unknown routes ignore scenarios.",
            "PUT /_sandbox/maintenance puts every /v1 request of the namespace's key in the maintenance "
            "scenario until it is switched off or the namespace is reset; a scenario the request triggers "
            "itself comes first.",
            "Under profile 2026-10 with the rate limit on (PUT /_sandbox/rate-limit) a request is counted "
            "after a scenario's wait and before any fault answers: a fault is an answer the limit let through.",
            "Nothing is random: the same request triggers the same scenario under any --seed.",
        ],
        "scenarios": SCENARIO_LIST.dump(faults.SCENARIOS),
        "helpers": HELPER_LIST.dump(faults.HELPERS),
        # Receiver fault modes for webhooks: switched on per namespace with PUT /_sandbox/webhook.
        "webhookFaults": [{"name": name, "kind": "webhook_fault", "description": text,
                           "set": f'PUT /_sandbox/webhook {{"faults": ["{name}"]}}'}
                          for name, text in webhook_faults.FAULTS.items()],
    })


# -- maintenance mode ---------------------------------------------------------------------------


@bp.get("/_sandbox/maintenance")
@doc(Tag.CONTROLS, "Whether the namespace is in maintenance mode (every /v1 request answers 503)",
     data=scn.MaintenanceSchema, message="Maintenance mode fetched successfully")
def get_maintenance():
    return envelope(200, "Maintenance mode fetched successfully", scn.MAINTENANCE.dump(call(faults.maintenance_mode)))


@bp.put("/_sandbox/maintenance")
@doc(Tag.CONTROLS, "Put the namespace in maintenance mode, or take it out: every /v1 request of its key answers "
     "the maintenance scenario's 503 (a scenario the request triggers itself comes first; a reset ends it)",
     data=scn.MaintenanceSchema, message="Maintenance mode updated successfully", body=scn.MaintenanceChoiceSchema)
def put_maintenance():
    body = load(scn.MAINTENANCE_CHOICE, json_body())
    return envelope(200, "Maintenance mode updated successfully",
                    scn.MAINTENANCE.dump(call(faults.choose_maintenance, body["enabled"], body["retry"])))


# -- the test helpers ------------------------------------------------------------------------


def helper(name: str, summary: str, data, body, errors=((404, E.CUSTOMER_NOT_FOUND),)):
    """The route and doc of test helper `name` (its path, status and message are the catalogue's,
    controlplane/faults.py); `errors`, its own refusals (an unknown customer by default)."""
    spec = faults.HELPER[name]

    def register(view):
        documented = doc(Tag.CONTROLS, summary, data=data, status=spec.status, message=spec.message, body=body,
                         errors=errors)(view)
        return bp.post(spec.path)(documented)

    return register


def _helper_reply(name: str, data):
    spec = faults.HELPER[name]
    return envelope(spec.status, spec.message, data)


@helper("block-customer", "Block a customer (test helper)", cus.CustomerSchema, scn.BlockCustomerSchema)
def block_customer():
    data = load(BLOCK_CUSTOMER, json_body())
    customer = call(customers.set_customer_status, data["customer_id"], "blocked", data.get("reason"))
    return _helper_reply("block-customer", CUSTOMER.dump(customer))


@helper("unblock-customer", "Unblock a customer (test helper)", cus.CustomerSchema, scn.CustomerRefSchema)
def unblock_customer():
    data = load(CUSTOMER_REF, json_body())
    customer = call(customers.set_customer_status, data["customer_id"], "active")
    return _helper_reply("unblock-customer", CUSTOMER.dump(customer))


@helper("fund-customer", "Credit a customer's main balance (test helper)", pay.WalletSchema, scn.FundCustomerSchema)
def fund_customer():
    data = load(FUND_CUSTOMER, json_body())
    wallet = call(faults.fund_customer, data["customer_id"], data["amount"])
    return _helper_reply("fund-customer", WALLET_BALANCES.dump(wallet))


@helper("reverse-withdrawal", "Reverse a settled withdrawal: amount and fee back to the customer (test helper)",
        pay.TransactionSchema, itn.TestBankTransferSchema,
        errors=((400, E.WITHDRAWAL_NOT_FOUND), (400, E.WITHDRAWAL_NOT_REVERSIBLE)))
def reverse_withdrawal():
    """The bank returns a withdrawal's money: the intent becomes `REVERSED` (profile 2026-10:
    `payment.withdrawal.reversed`)."""
    data = load(itn.TEST_BANK_TRANSFER, json_body())
    intent = call(payments.reverse_withdrawal, data["reference"])
    return _helper_reply("reverse-withdrawal", pay.TRANSACTION.dump(payments.transaction(intent)))
