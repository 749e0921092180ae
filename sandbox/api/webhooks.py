"""Webhook controls: the callback URL and fault modes, the event outbox, the delivery log,
flush and resend. Events themselves are emitted by the domain at each escrow transition."""

from flask import Blueprint, Flask, current_app, g, request
from marshmallow import fields, validate

from sandbox.api.http import call, envelope, json_body
from sandbox.domain import outbox
from sandbox.store.base import Filter
from sandbox.schemas.base import RequestSchema, StrictBool, Timestamp, WholeNumber, load
from sandbox.schemas.answers import FlushAttemptSchema
from sandbox.controlplane.dispatcher import Dispatcher, payload
from sandbox.schemas.fast import WireSchema

bp = Blueprint("webhooks", __name__)



def register(app: Flask) -> None:
    sandbox = app.extensions["sandbox"]
    sandbox.dispatcher = Dispatcher(sandbox.store)
    app.register_blueprint(bp)
    app.after_request(_wake_after_changes)


def dispatcher() -> Dispatcher:
    return current_app.extensions["sandbox"].dispatcher


def _wake_after_changes(response):
    """A request that may have emitted events, or moved the clock, in a namespace with a
    callback URL lets the dispatcher look (its thread starts only then)."""
    ns = g.get("ns")
    if ns is None or request.method == "GET" or response.status_code >= 500:
        return response  # nothing changed (a 503: the shared store is down; reading it would fail too)
    if ns.recent_state()["webhook"]["url"] is not None:  # as this request's operation saw it
        dispatcher().wake()
    return response


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
    escrow_id = fields.String(data_key="escrowId")
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


CONFIG_IN, CONFIG_OUT = WebhookConfigSchema(), WebhookConfigOut()
EVENTS, DELIVERIES, QUERY = EventOut(many=True), DeliveryOut(many=True), EventQuery()
EVENT = EventOut()
FLUSH_ATTEMPTS = FlushAttemptSchema(many=True)


@bp.get("/_sandbox/webhook")
def get_webhook():
    config = call(lambda ns: ns.settings("webhook"))
    return envelope(200, "Webhook settings fetched successfully", CONFIG_OUT.dump(config))


@bp.put("/_sandbox/webhook")
def set_webhook():
    changes = load(CONFIG_IN, json_body())
    if changes.get("faults"):
        changes["faults"] = sorted(set(changes["faults"]))
    config = call(outbox.configure, changes)
    return envelope(200, "Webhook settings updated successfully", CONFIG_OUT.dump(config))


@bp.get("/_sandbox/events")
def list_events():
    query = load(QUERY, request.args.to_dict())

    def read(ns):
        return outbox.list_events(ns, query.get("type"), query.get("escrow_id")), ns.dropped("events")

    events, dropped = call(read)
    return envelope(200, "Events fetched successfully", {"data": EVENTS.dump(events), "count": len(events),
                                                         "dropped": dropped})


@bp.post("/_sandbox/events/<event_id>/resend")
def resend_event(event_id):
    event = call(outbox.resend, event_id.lower())
    dispatcher().wake()
    return envelope(200, "Event queued for delivery", EVENT.dump(event))


@bp.get("/_sandbox/webhooks/deliveries")
def list_deliveries():
    query = load(QUERY, request.args.to_dict())

    def read(ns):
        return ns.find("deliveries", Filter.where(event_id=query.get("event_id"))), ns.dropped("deliveries")

    rows, dropped = call(read)
    return envelope(200, "Deliveries fetched successfully", {"data": DELIVERIES.dump(rows), "count": len(rows),
                                                             "dropped": dropped})


@bp.post("/_sandbox/webhooks/flush")
def flush():
    """Deliver everything due now, synchronously (the background sender may already have taken
    some: those are not sent twice), and report the attempts made."""
    attempts = dispatcher().deliver_due(g.key)
    return envelope(200, "Webhooks flushed", {"attempts": FLUSH_ATTEMPTS.dump(attempts)})

