"""Webhook controls: the callback URL and fault modes, the event outbox, the delivery log,
flush and resend. Events themselves are emitted by the domain at each escrow transition."""

from flask import Blueprint, Flask, current_app, g, request

from sandbox.api.documented import Page, Tag, doc
from sandbox.api.http import call, envelope, json_body
from sandbox.controlplane.dispatcher import FLUSH_WAIT_SECONDS, Dispatcher
from sandbox.domain import errors as E
from sandbox.domain import outbox
from sandbox.schemas.answers import FlushAttemptSchema, FlushResultSchema
from sandbox.schemas.base import load
from sandbox.schemas.webhook import DeliveryOut, EventOut, EventQuery, WebhookConfigOut, WebhookConfigSchema
from sandbox.store.base import Filter

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
    callback URL lets the dispatcher look (its thread starts only then): any but a GET, and a
    GET that changed the namespace."""
    ns = g.get("ns")
    if ns is None or response.status_code >= 500:
        return response  # nothing changed (a 503: the shared store is down; reading it would fail too)
    if request.method == "GET" and not ns.changed_in_request():
        return response  # read only — claim-funds is a GET that closes an escrow (`escrow.claimed`)
    if ns.recent_state()["webhook"]["url"] is not None:  # as this request's operation saw it
        dispatcher().wake()
    return response


CONFIG_IN, CONFIG_OUT = WebhookConfigSchema(), WebhookConfigOut()
EVENTS, DELIVERIES, QUERY = EventOut(many=True), DeliveryOut(many=True), EventQuery()
EVENT = EventOut()
FLUSH_ATTEMPTS = FlushAttemptSchema(many=True)


@bp.get("/_sandbox/webhook")
@doc(Tag.CONTROLS, "Webhook settings of the namespace", data=WebhookConfigOut,
     message="Webhook settings fetched successfully")
def get_webhook():
    config = call(lambda ns: ns.settings("webhook"))
    return envelope(200, "Webhook settings fetched successfully", CONFIG_OUT.dump(config))


@bp.put("/_sandbox/webhook")
@doc(Tag.CONTROLS, "Set the callback URL, milestone events, receiver faults, delay", data=WebhookConfigOut,
     message="Webhook settings updated successfully", body=WebhookConfigSchema)
def set_webhook():
    changes = load(CONFIG_IN, json_body())
    if changes.get("faults"):
        changes["faults"] = sorted(set(changes["faults"]))
    config = call(outbox.configure, changes)
    return envelope(200, "Webhook settings updated successfully", CONFIG_OUT.dump(config))


@bp.get("/_sandbox/events")
@doc(Tag.CONTROLS, "The webhook event outbox", data=Page("EventPage", EventOut), message="Events fetched successfully",
     query=EventQuery)
def list_events():
    query = load(QUERY, request.args.to_dict())

    def read(ns):
        return outbox.list_events(ns, query.get("type"), query.get("escrow_id")), ns.dropped("events")

    events, dropped = call(read)
    return envelope(200, "Events fetched successfully", {"data": EVENTS.dump(events), "count": len(events),
                                                         "dropped": dropped})


@bp.post("/_sandbox/events/<event_id>/resend")
@doc(Tag.CONTROLS, "Queue an event for delivery again", data=EventOut, message="Event queued for delivery",
     errors=((404, E.EVENT_NOT_FOUND), (400, E.NO_WEBHOOK_URL)))
def resend_event(event_id):
    event = call(outbox.resend, event_id.lower())
    dispatcher().wake()
    return envelope(200, "Event queued for delivery", EVENT.dump(event))


@bp.get("/_sandbox/webhooks/deliveries")
@doc(Tag.CONTROLS, "The webhook delivery log", data=Page("DeliveryPage", DeliveryOut),
     message="Deliveries fetched successfully", query=EventQuery)
def list_deliveries():
    query = load(QUERY, request.args.to_dict())

    def read(ns):
        return ns.find("deliveries", Filter.where(event_id=query.get("event_id"))), ns.dropped("deliveries")

    rows, dropped = call(read)
    return envelope(200, "Deliveries fetched successfully", {"data": DELIVERIES.dump(rows), "count": len(rows),
                                                             "dropped": dropped})


@bp.post("/_sandbox/webhooks/flush")
@doc(Tag.CONTROLS, "Deliver every due event now, synchronously", data=FlushResultSchema, message="Webhooks flushed")
def flush():
    """Deliver everything due now, synchronously, and report the attempts made. A background
    sender (this worker's or another's) that has the namespace's deliveries in hand is let finish
    first (its events arrive in order, none twice; up to its lease): when the flush answers,
    every event due has been attempted. Its attempts are in the delivery log, not in this answer."""
    attempts = dispatcher().deliver_due(g.key, wait=FLUSH_WAIT_SECONDS)
    return envelope(200, "Webhooks flushed", {"attempts": FLUSH_ATTEMPTS.dump(attempts)})

