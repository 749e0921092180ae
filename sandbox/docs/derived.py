"""What the OpenAPI document derives from the code rather than from a route's `@doc`
description (sandbox/api/documented.py): path parameters from the rule, the JSON Schema of the
sandbox's own marshmallow fields, component names, and the errors a route answers besides its
own (authentication, control token, `customer-id`, malformed JSON, validation examples obtained
by loading the real schemas, scenario faults, 413, 500). sandbox/docs/openapi.py assembles them.
"""

import re
from functools import lru_cache

from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from marshmallow import Schema, fields

from sandbox.api import errors as api_errors
from sandbox.api import http as api_http
from sandbox.api.documented import DEFAULT_PROFILE, Op, super_admin_only
from sandbox.controlplane import faults
from sandbox.domain import errors as E
from sandbox.domain.profiles import OCTOBER
from sandbox.schemas import catalog as cat
from sandbox.schemas import control as ctl
from sandbox.schemas import intent as itn
from sandbox.schemas import journal as jrn
from sandbox.schemas import payment as pay
from sandbox.schemas.base import DateOnly, Hundredths, Naira, ObjectId, StrictBool, Timestamp, UnixSeconds, WholeNumber, load

OBJECT_ID = {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"}

# -- path parameters ----------------------------------------------------------------------------------

PATH_PARAMETER_NAMES = {
    "token": "paymentToken", "escrow_id": "escrowId", "milestone_id": "milestoneId", "customer_id": "customerId",
    "category_id": "categoryId", "card_id": "cardId", "address_id": "addressId", "session_id": "sessionId",
    "event_id": "eventId", "entry_id": "entryId",
}
PATH_PARAMETER_SCHEMAS = {
    "escrowId": OBJECT_ID, "milestoneId": OBJECT_ID, "customerId": OBJECT_ID, "categoryId": OBJECT_ID,
    "cardId": OBJECT_ID, "addressId": OBJECT_ID, "sessionId": OBJECT_ID, "eventId": OBJECT_ID,
}
RULE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def parameter_name(rule: str, name: str) -> str:
    if name == "token" and rule.startswith("/_sandbox/authorize/"):
        return "token"  # an intent's authorisation token, not an escrow's paymentToken
    return PATH_PARAMETER_NAMES.get(name, name)


def openapi_path(rule: str) -> str:
    """`/v1/escrow/edit/<token>` -> `/v1/escrow/edit/{paymentToken}`."""
    return RULE_PARAMETER.sub(lambda m: "{" + parameter_name(rule, m.group(2)) + "}", rule)


# -- field types of the sandbox's own marshmallow fields, component names -----------------------------


def sandbox_field_properties(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: JSON Schema of the custom fields in sandbox/schemas."""
    if isinstance(field, Timestamp):
        return {"type": ["string", "null"], "format": "date-time"}
    if isinstance(field, UnixSeconds):
        return {"type": ["string", "null"], "pattern": "^[0-9]+$", "description": "Unix seconds, as a string"}
    if isinstance(field, Naira):
        return {"type": ["number", "null"] if field.allow_none else "number",
                "description": "Naira: a whole number, or at most 2 decimals"}
    if isinstance(field, Hundredths):
        kinds = ["number", "string"] if field.lenient else ["number"]
        props = {"type": kinds + (["null"] if field.allow_none else []) if field.lenient or field.allow_none
                 else "number", "minimum": 0, "description": "At most 2 decimals"}
        if field.maximum is not None:
            props["maximum"] = field.maximum
        return props
    if isinstance(field, WholeNumber):
        props = {"type": ["integer", "null"] if field.allow_none else "integer", "minimum": field.minimum}
        if "x-maximum" in ret:  # apispec's spelling for a Range on a non-Number field
            props["maximum"] = ret.pop("x-maximum")
        return props
    if isinstance(field, ObjectId):
        return {"pattern": OBJECT_ID["pattern"]}
    if isinstance(field, DateOnly):
        return {"format": "date"}
    if isinstance(field, StrictBool):
        return {}
    if isinstance(field, pay.UpperChoice):
        # Matched case-insensitively; the documented spellings are listed.
        choices = list(field.choices) + [c.lower() for c in field.choices]
        return {"enum": choices + ([None] if field.allow_none else [])}
    if isinstance(field, pay.EscrowIds):
        return {"oneOf": [OBJECT_ID, {"type": "array", "minItems": 1, "items": OBJECT_ID}]}
    if isinstance(field, cat.Otp):
        return {"type": ["string", "integer", "null"]}
    if isinstance(field, ctl.Instant):
        return {"format": "date-time"}
    if isinstance(field, ctl.Duration):
        return {"description": "ISO-8601 duration, e.g. P3D or PT2H30M"}
    if isinstance(field, jrn.StatusFilter):
        return {"type": "string", "pattern": "^([1-5][0-9]{2}|[1-5][xX]{2})$"}
    if isinstance(field, jrn.Instant):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, itn.DateOrInstant):
        return {"description": "YYYY-MM-DD (a whole UTC day) or an ISO-8601 instant"}
    if isinstance(field, fields.Constant):
        return {"const": field.constant}
    return {}


def schema_name(schema) -> str:
    cls = resolve_schema_cls(schema)
    name = cls.__name__
    if name.endswith("Schema") and len(name) > 6:
        name = name[:-6]
    if isinstance(schema, Schema) and schema.partial:
        name += "Partial"
    return name


def schema_instance(schema) -> Schema:
    return schema if isinstance(schema, Schema) else schema()


# -- the errors of a route ------------------------------------------------------------------------------


def _message(fn) -> str:
    """The message a request helper of sandbox/api/http.py raises (read, not retyped)."""
    try:
        fn()
    except E.PaylukError as err:
        return err.message
    raise AssertionError("expected a refusal")  # pragma: no cover


@lru_cache(maxsize=1)
def _http_messages() -> dict:
    """The texts of the body/header helpers, obtained by calling them on sample requests."""
    app = Flask(__name__)
    found = {}
    with app.test_request_context(method="POST", data=b"{", content_type="application/json"):
        found["malformed"] = _message(api_http.json_body)
    with app.test_request_context(method="POST", data={"x": "1"}, content_type="multipart/form-data"):
        found["form"] = _message(api_http.json_body)
    return found


def _validation_examples(schema) -> list:
    """Real validation messages of a request schema: an empty body, and an unknown field."""
    instance = schema_instance(schema)
    messages = []
    for sample in ({}, {"unexpected": True}):
        try:
            load(instance, sample, partial=bool(instance.partial))
        except E.PaylukError as err:
            if err.message not in messages:
                messages.append(err.message)
    return messages


def error_list(key: str, op: Op, profile: str = DEFAULT_PROFILE) -> list:
    """Every (status, message) the route can answer with an error envelope in an API profile."""
    method, rule = key.split(" ", 1)
    errors = []
    if not op.public:
        errors += [(401, E.NO_TOKEN), (403, E.UNAUTHORIZED_ACCESS)]
        if profile >= OCTOBER and super_admin_only(rule):
            errors += [(401, E.ACCESS_DENIED)]
        if rule.startswith("/_sandbox"):
            errors += [(401, E.CONTROL_TOKEN_REQUIRED), (404, E.ROUTE_NOT_FOUND)]
    if op.customer == "required":
        errors += [(400, E.CUSTOMER_ID_REQUIRED), (404, E.CUSTOMER_NOT_FOUND), (401, E.ACCOUNT_DISABLED)]
    elif op.customer == "optional":
        errors += [(404, E.CUSTOMER_NOT_FOUND)]
    elif op.customer == "absent":
        errors += [(400, E.CUSTOMER_ID_NOT_ALLOWED)]
    if reads_json(op):
        errors += [(400, _http_messages()["malformed"])]
        if not op.files:
            errors += [(400, _http_messages()["form"])]
    for schema in (op.body, op.query):
        if schema is not None:
            errors += [(400, m) for m in _validation_examples(schema)]
    if rule.startswith("/v1/"):
        errors += [(400, E.SCENARIO_SYNTAX)]
        if key in _scenario_refusal_routes():
            errors += [(400, E.CARD_DECLINED), (400, E.INSUFFICIENT_BALANCE)]
        errors += [(s.status, s.message) for s in _any_route_faults()]
    errors += list(op.errors)
    if method in ("POST", "PUT"):
        errors += [(413, api_errors.HTTP_MESSAGES[413])]
    errors += [(500, E.SERVER_ERROR)]
    unique = []
    for pair in errors:
        if pair not in unique:
            unique.append(pair)
    return unique


@lru_cache(maxsize=1)
def _any_route_faults() -> tuple:
    """The scenarios that answer an error envelope on any /v1 route (gateway_timeout, maintenance);
    500 is listed last on every route anyway."""
    return tuple(s for s in faults.SCENARIOS if faults.ANY_V1 in s.applies_to and s.status is not None
                 and s.enveloped and s.status != 500)


@lru_cache(maxsize=1)
def _scenario_refusal_routes() -> frozenset:
    return frozenset(route for s in faults.SCENARIOS if s.outcome == "refuse" and s.status == 400
                     for route in s.applies_to)


def reads_json(op: Op) -> bool:
    return bool(op.body) if op.json_body is None else op.json_body


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60] or "error"
