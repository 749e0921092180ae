"""Schemas of the sandbox control plane (`/_sandbox/...`): clock, reset, snapshots, states."""

import re

from marshmallow import INCLUDE, ValidationError, fields, validate, validates_schema

from sandbox.clock import ClockError, parse_duration_ms, parse_iso
from sandbox.domain import profiles
from sandbox.domain.errors import PACT_STATE_REQUIRED, BadRequest
from sandbox.schemas.base import RequestSchema, StrictBool, Timestamp, WholeNumber, load
from sandbox.schemas.fast import WireSchema

SNAPSHOT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
STATE_FORMAT = "payluk-sandbox-state/1"


class _Parsed(fields.String):
    """A string loaded through `parse`; an error it raises that `refusals` lists becomes that
    message (a 400 naming the field)."""

    refusals: tuple = ()  # (exception class, message), first match wins

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.parse(text)
        except tuple(kind for kind, _ in self.refusals) as err:
            raise ValidationError(next(m for kind, m in self.refusals if isinstance(err, kind))) from None


class Instant(_Parsed):
    """An ISO-8601 instant, loaded as epoch milliseconds (naive = UTC)."""

    parse = staticmethod(parse_iso)
    refusals = ((ValueError, "must be an ISO-8601 instant, e.g. 2026-06-25T10:15:00Z"),)


class Duration(_Parsed):
    """An ISO-8601 duration (`P3D`, `PT2H30M`), loaded as milliseconds."""

    parse = staticmethod(parse_duration_ms)
    refusals = ((ClockError, "must be an ISO-8601 duration of weeks, days, hours, minutes or seconds, e.g. P3D or PT2H30M"),
                (OverflowError, "is too long"))  # so many digits that the float behind it is infinite


class ClockAdvanceSchema(RequestSchema):
    """`{"seconds": n}` or `{"duration": "P3D"}` (exactly one)."""

    seconds = WholeNumber(minimum=0)
    duration = Duration()

    @validates_schema
    def exactly_one(self, data, **kwargs):
        if ("seconds" in data) == ("duration" in data):
            raise ValidationError("send exactly one of seconds, duration", "_schema")


CLOCK_ADVANCE = ClockAdvanceSchema()


class ClockSetSchema(RequestSchema):
    now = Instant(required=True)


CLOCK_SET = ClockSetSchema()


class ResetSchema(RequestSchema):
    fixtures = fields.String()
    seed = WholeNumber(minimum=0, allow_none=True)
    keep_settings = fields.Boolean(data_key="keepSettings", metadata={
        "description": "Keep the namespace's settings (webhook URL, fault modes, delay, milestone events); "
                       "default true. false: back to the server's defaults (--webhook-url included)"})


RESET = ResetSchema()


class ResetQuerySchema(RequestSchema):
    """`?all=true` resets every namespace."""

    all = fields.Boolean(truthy={"true"}, falsy={"false"})


RESET_QUERY = ResetQuerySchema()


class SnapshotCreateSchema(RequestSchema):
    name = fields.String(required=True, validate=validate.Regexp(
        SNAPSHOT_NAME, error="must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"))


SNAPSHOT_CREATE = SnapshotCreateSchema()


class ForkSchema(RequestSchema):
    key = fields.String(required=True, validate=validate.Regexp(
        r"^sk_test_[A-Za-z0-9_\-]{1,200}$", error="must be a test secret key (sk_test_...)"))
    replace = StrictBool(load_default=False)


FORK = ForkSchema()


class ImportSchema(RequestSchema):
    format = fields.String(required=True, validate=validate.Equal(STATE_FORMAT, error=f"must be {STATE_FORMAT}"))
    state = fields.Dict(required=True)
    exported_at = fields.String(data_key="exportedAt")
    name = fields.String()
    profile = fields.String(metadata={"description": "the API profile the namespace answered by when exported "
                                                    "(informational: the state's own `profile` part is what is restored)"})


IMPORT = ImportSchema()


PROFILE_CHOICE = validate.OneOf(profiles.PROFILES, error="must be one of [{choices}]")


class ProfileQuerySchema(RequestSchema):
    """`?profile=2026-10`: which API profile's document (default: the default profile's)."""

    profile = fields.String(load_default=profiles.DEFAULT, validate=PROFILE_CHOICE)


PROFILE_QUERY = ProfileQuerySchema()


class ProfileChoiceSchema(RequestSchema):
    """`{"profile": "2026-10"}`: the namespace answers by that profile from its next request (a
    reset keeps the choice); `null` forgets it (back to the fixture file's, else the server's)."""

    profile = fields.String(required=True, allow_none=True, validate=PROFILE_CHOICE)


PROFILE_CHOICE_BODY = ProfileChoiceSchema()


class ProfileSchema(WireSchema):
    profile = fields.String(metadata={"description": "the API profile this namespace answers by"})
    source = fields.String(validate=validate.OneOf((profiles.FROM_NAMESPACE, profiles.FROM_FIXTURE, profiles.FROM_SERVER)),
                           metadata={"description": "where it comes from: the namespace's own choice (PUT), "
                                                    "its fixture file, or the server's default"})
    profiles = fields.List(fields.String(), metadata={"description": "every profile the sandbox has"})


PROFILE = ProfileSchema()


class ProviderStateSchema(RequestSchema):
    """Pact's provider-state call: `{"state", "params", "action": "setup" | "teardown"}`."""

    state = fields.String(required=True)
    params = fields.Dict(load_default=dict)
    action = fields.String(load_default="setup", validate=validate.OneOf(("setup", "teardown"),
                                                                        error="must be one of [{choices}]"))
    consumer = fields.String()


PROVIDER_STATE = ProviderStateSchema()


class PactCredentialsQuerySchema(RequestSchema):
    """The Pact state-change URL's own query beside a body: the key and the control token, for
    verifiers that send no headers to it (sandbox/api/auth.py reads them; URLs end up in logs:
    README). Documented as security schemes, not parameters."""

    key = fields.String()
    token = fields.String()


PACT_CREDENTIALS_QUERY = PactCredentialsQuerySchema()


class PactStateQuerySchema(RequestSchema):
    """Pact's query-string form of a state change (a verifier told `body: false`): `state`,
    `action` and, as text, each parameter of the state (`seed=3`); the key and token may stand
    beside them (documented as security schemes: `keyInUrl`, `controlTokenInUrl`)."""

    state = fields.String(metadata={"description": "the provider state (query form; the body form is the default)"})
    action = fields.String(validate=validate.OneOf(("setup", "teardown"), error="must be one of [{choices}]"))
    consumer = fields.String()


PACT_STATE_QUERY = PactStateQuerySchema()


def load_pact_state_change(body, query: dict) -> dict:
    """The state change a Pact verifier sent, as `{state, params, action}`: in the JSON body
    (Pact's default; the URL's query may then hold only the key and the token), or, when the body
    is empty, in the query string (`body: false`), where every parameter but the key, the token,
    `state`, `action` and `consumer` is one of the state's `params` (as text)."""
    if body != {}:  # (`null`, an array...: refused by the body's schema)
        load(PACT_CREDENTIALS_QUERY, query)
        return load(PROVIDER_STATE, body)
    change = load(PACT_STATE_QUERY, {k: v for k, v in query.items() if k in PACT_STATE_QUERY.fields})
    if "state" not in change:
        raise BadRequest(PACT_STATE_REQUIRED)
    taken = {*PACT_STATE_QUERY.fields, *PACT_CREDENTIALS_QUERY.fields}
    return {"state": change["state"], "action": change.get("action", "setup"),
            "params": {k: v for k, v in query.items() if k not in taken}}


class PactStateValuesSchema(WireSchema):
    """What Pact reads from a state change: a flat JSON object, no envelope (a verifier takes the
    answer's top-level keys as the values `fromProviderState` expressions name, e.g.
    `/v1/escrow/milestone/${paymentToken}`; it does not look inside nested objects). The keys of the
    first escrow the state's fixture set names; every named escrow's again under `<name>.` (e.g.
    `milestone.escrowId`); each milestone id also as `milestoneIds.<i>`. A state that names none
    (the default parties) answers `{}`."""

    escrow_id = fields.String(data_key="escrowId", metadata={"description": "the escrow's `id`"})
    payment_token = fields.String(data_key="paymentToken")
    milestone_ids = fields.List(fields.String(), data_key="milestoneIds",
                                metadata={"description": "a milestone escrow's milestone ids, in order"})
    milestone_id = fields.String(data_key="milestoneId", metadata={"description": "its first milestone's id"})
    seller_id = fields.String(data_key="sellerId", metadata={"description": "the customer who created the escrow"})
    customer_id = fields.String(data_key="customerId", metadata={
        "description": "the customer the escrow was created on behalf of (Payluk's `customer-id` on create): "
                       "its seller"})
    buyer_id = fields.String(data_key="buyerId", metadata={"description": "the customer who funded it (once funded)"})

    class Meta:
        unknown = INCLUDE  # (documents the `<name>.` and `milestoneIds.<i>` keys: additionalProperties)


PACT_STATE_VALUES = PactStateValuesSchema()


def pact_values(entities: list) -> dict:
    """The flat answer of `PactStateValuesSchema` for `controls.state_entities`' list."""
    flat = {}
    for index, (name, entity) in enumerate(entities):
        milestones = entity.get("milestone_ids") or []
        wire = PACT_STATE_VALUES.dump({
            **entity, "milestone_id": milestones[0] if milestones else None,
            "customer_id": entity.get("seller_id"),
        })
        wire = {k: v for k, v in wire.items() if v is not None}
        wire.update({f"milestoneIds.{i}": milestone for i, milestone in enumerate(milestones)})
        if index == 0:
            flat.update(wire)
        flat.update({f"{name}.{key}": value for key, value in wire.items()})
    return flat


class ClockSchema(WireSchema):
    now_ms = Timestamp(data_key="now")
    frozen = fields.Boolean()
    offset_ms = fields.Integer(data_key="offsetMs")


CLOCK = ClockSchema()


class DueSchema(WireSchema):
    type = fields.String()
    at_ms = Timestamp(data_key="at")
    escrow_id = fields.String(data_key="escrowId")
    payment_token = fields.String(data_key="paymentToken")
    milestone_id = fields.String(data_key="milestoneId")
    session_id = fields.String(data_key="sessionId")
    customer_id = fields.String(data_key="customerId")
    event_id = fields.String(data_key="eventId")


DUE = DueSchema(many=True)
