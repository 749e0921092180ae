"""Schemas of the sandbox control plane (`/_sandbox/...`): clock, reset, snapshots, states."""

import re

from marshmallow import ValidationError, fields, validate, validates_schema

from sandbox.clock import ClockError, parse_duration_ms, parse_iso
from sandbox.domain import profiles
from sandbox.schemas.base import RequestSchema, StrictBool, Timestamp, WholeNumber
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
