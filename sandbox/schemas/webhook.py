"""Schemas of the webhook controls (sandbox/api/webhooks.py): the settings of a namespace, its
event outbox and delivery log, and the filters of their lists."""

from marshmallow import fields, validate

from sandbox.controlplane.dispatcher import payload
from sandbox.domain import outbox
from sandbox.schemas.base import RequestSchema, StrictBool, Timestamp, WholeNumber
from sandbox.schemas.fast import WireSchema


class Url(fields.Url):
    def _deserialize(self, value, attr, data, **kwargs):
        if value is None:
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class WebhookConfigSchema(RequestSchema):
    """PUT /_sandbox/webhook: any of the settings; `url: null` stops deliveries."""

    url = Url(allow_none=True, require_tld=False, schemes={"http", "https"})
    milestone_events = StrictBool(data_key="milestoneEvents")
    faults = fields.List(fields.String(validate=validate.OneOf(list(outbox.FAULTS), error="must be one of [{choices}]")))
    # At most 30 days: a delay is a receiver fault mode, and a later first attempt could fall
    # past the last instant the namespace clock can show (its `nextAttemptAt` would not render).
    delay_seconds = WholeNumber(data_key="delaySeconds", minimum=0, maximum=30 * 86_400)


class WebhookConfigOut(WireSchema):
    url = fields.String(allow_none=True)
    milestone_events = fields.Boolean(data_key="milestoneEvents")
    faults = fields.List(fields.String())
    delay_seconds = fields.Integer(data_key="delaySeconds")


class EventOut(WireSchema):
    id = fields.String()
    type = fields.String(data_key="event")
    escrow_id = fields.String(data_key="escrowId", allow_none=True)  # none: a [B] payment of no escrow
    at_ms = Timestamp(data_key="timestamp")
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at_ms = Timestamp(data_key="nextAttemptAt")
    url = fields.String(allow_none=True)
    body = fields.Function(payload, data_key="payload")


class DeliveryOut(WireSchema):
    id = fields.String()
    event_id = fields.String(data_key="eventId")
    event_type = fields.String(data_key="event")
    attempt = fields.Integer()
    url = fields.String()
    status_code = fields.Integer(data_key="statusCode", allow_none=True)
    latency_ms = fields.Float(data_key="latencyMs")
    error = fields.String(allow_none=True)
    signature = fields.String()
    duplicated = fields.Boolean()
    at_ms = Timestamp(data_key="at")
    next_retry_at_ms = Timestamp(data_key="nextRetryAt")


class EventQuery(RequestSchema):
    """Filters of the event and delivery lists (unknown parameters refused)."""

    type = fields.String()
    escrow_id = fields.String(data_key="escrowId")
    event_id = fields.String(data_key="eventId")
