"""Webhooks against a real HTTP receiver on a free local port: signatures, event order per
flow, retries on the namespace clock, failures, fault modes, and a hanging receiver."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sandbox import create_app
from sandbox.clock import real_ms
from sandbox.controlplane import dispatcher as dispatcher_module
from sandbox.controlplane.dispatcher import Dispatcher
from sandbox.domain import outbox
from tests.conftest import BACKENDS, BUYER, KEY, SELLER, Api, InProcessHttp, backend_config, make_config, pay_body
from tests.cluster_leg import http_with_cluster_leg  # noqa: F401  (these tests also run on a Redis Cluster)

MILESTONE_BODY = {"amount": 2000, "purpose": "Logo", "whoPays": "buyer",
                  "milestones": [{"title": "Draft", "amount": 1000}, {"title": "Final", "amount": 1000}]}


class Receiver:
    """A webhook receiver: records every request; answers 200, or per event type from a list
    of status codes (`statuses[event]`, the last one repeats); or hangs for `hang` seconds."""

    def __init__(self):
        self.received = []
        self.statuses = {}
        self.hang = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"body": body, "headers": dict(self.headers)})
                if receiver.hang:
                    time.sleep(receiver.hang)
                codes = receiver.statuses.get(json.loads(body)["event"], [200])
                status = codes.pop(0) if len(codes) > 1 else codes[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/payluk/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        return [json.loads(r["body"])["event"] for r in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def deliveries(http):
    return http.get("/_sandbox/webhooks/deliveries").data["data"]


def hook(http, receiver, **settings):
    reply = http.put("/_sandbox/webhook", json={"url": receiver.url, **settings})
    assert reply.status == 200, reply.body
    return reply.data


def milestone_flow(api):
    escrow = api.create_milestone_escrow(MILESTONE_BODY)
    api.pay(escrow["id"])
    for milestone in escrow["milestones"]:
        api.confirm(escrow["id"], milestone["id"])
    return escrow


# -- delivery -------------------------------------------------------------------------------------


def test_milestone_flow_events_in_order_and_signed(http, api, receiver):
    hook(http, receiver)
    escrow = milestone_flow(api)
    wait_for(lambda: len(receiver.received) == 4)
    assert receiver.events() == ["escrow.created", "escrow.pending", "escrow.ongoing", "escrow.completed"]
    for request in receiver.received:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert headers["content-type"] == "application/json" and headers["user-agent"] == "Payluk-Webhook/1.0"
        expected = hmac.new(KEY.encode(), request["body"], hashlib.sha512).hexdigest()
        assert hmac.compare_digest(headers["x-payluk-signature"], expected)
        assert not hmac.compare_digest(headers["x-payluk-signature"],
                                       hmac.new(b"sk_test_another", request["body"], hashlib.sha512).hexdigest())
    last = json.loads(receiver.received[-1]["body"])
    assert list(last) == ["event", "data", "timestamp"]
    assert (last["data"]["id"], last["data"]["state"], last["data"]["status"]) == (escrow["id"], "CLOSED", "COMPLETED")
    assert (last["data"]["sellerId"], last["data"]["buyerId"], last["data"]["environment"]) == (SELLER, BUYER, "test")
    assert last["timestamp"] == "2026-06-22T10:15:00.000Z"
    first = json.loads(receiver.received[0]["body"])
    assert first["data"]["state"] == "AWAITING_PAYMENT", "each event carries the escrow as it was then"


def test_standard_flow_with_dispute(http, api, receiver):
    hook(http, receiver)
    escrow = api.create_escrow({"amount": "150000", "purpose": "Phone", "whoPays": "both"})
    api.pay(escrow["id"])
    http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=BUYER, data={"message": "broken"})
    http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=SELLER, data={"message": "no"})
    http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}", data={"resolution": "refund", "status": "REFUNDED"})
    wait_for(lambda: len(receiver.received) == 6)
    assert receiver.events() == ["escrow.created", "escrow.pending", "escrow.ongoing", "escrow.disputed",
                                 "escrow.investigating", "escrow.refunded"]


def test_events_are_kept_without_a_url(http, api):
    escrow = milestone_flow(api)
    reply = http.get(f"/_sandbox/events?escrowId={escrow['id']}")
    assert [(e["event"], e["status"]) for e in reply.data["data"]] == [
        ("escrow.created", "NOT_SENT"), ("escrow.pending", "NOT_SENT"), ("escrow.ongoing", "NOT_SENT"),
        ("escrow.completed", "NOT_SENT")]
    assert reply.data["data"][-1]["payload"]["data"]["status"] == "COMPLETED"
    assert [e["event"] for e in http.get("/_sandbox/events?type=escrow.ongoing").data["data"]] == ["escrow.ongoing"]


def test_milestone_events_are_sandbox_only_and_off_by_default(http, api, receiver):
    hook(http, receiver, milestoneEvents=True)
    escrow = milestone_flow(api)
    wait_for(lambda: len(receiver.received) == 6)
    assert receiver.events() == ["escrow.created", "escrow.pending", "escrow.ongoing", "escrow.milestone.released",
                                 "escrow.milestone.released", "escrow.completed"]
    released = json.loads(receiver.received[3]["body"])
    assert released["milestone"]["id"] == escrow["milestones"][0]["id"]
    assert released["milestone"]["status"] == "RELEASED"


def test_retries_follow_the_clock(http, api, receiver):
    """500 twice then 200: exactly three attempts, each retry only when the clock reaches it."""
    receiver.statuses = {"escrow.created": [500, 500, 200]}
    hook(http, receiver)
    http.put("/_sandbox/webhook", json={"url": None})
    api.create_milestone_escrow(MILESTONE_BODY)  # events with no URL: never sent
    hook(http, receiver)
    escrow = api.create_milestone_escrow(MILESTONE_BODY)
    event = http.get(f"/_sandbox/events?escrowId={escrow['id']}&type=escrow.created").data["data"][0]
    wait_for(lambda: len(deliveries(http)) >= 1)
    first = [d for d in deliveries(http) if d["eventId"] == event["id"]][0]
    assert (first["attempt"], first["statusCode"], first["nextRetryAt"]) == (1, 500, "2026-06-22T10:16:00.000Z")
    time.sleep(0.3)
    assert len([d for d in deliveries(http) if d["eventId"] == event["id"]]) == 1, "no retry before its time"
    http.post("/_sandbox/clock/advance", json={"seconds": 59})
    http.post("/_sandbox/webhooks/flush")
    assert len([d for d in deliveries(http) if d["eventId"] == event["id"]]) == 1
    due = http.post("/_sandbox/clock/advance", json={"seconds": 1}).data["due"]
    assert {"type": "webhook.retry", "at": "2026-06-22T10:16:00.000Z", "eventId": event["id"],
            "escrowId": escrow["id"]} in due
    wait_for(lambda: len([d for d in deliveries(http) if d["eventId"] == event["id"]]) == 2)
    http.post("/_sandbox/clock/advance", json={"seconds": 120})
    wait_for(lambda: len([d for d in deliveries(http) if d["eventId"] == event["id"]]) == 3)
    attempts = [d for d in deliveries(http) if d["eventId"] == event["id"]]
    assert [(d["attempt"], d["statusCode"]) for d in attempts] == [(1, 500), (2, 500), (3, 200)]
    assert http.get(f"/_sandbox/events?escrowId={escrow['id']}&type=escrow.created").data["data"][0]["status"] == \
        "DELIVERED"


def test_dead_receiver_ends_failed_and_listed(http, api, receiver):
    url = receiver.url
    receiver.close()  # nothing listens there any more
    http.put("/_sandbox/webhook", json={"url": url})
    escrow = api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    for _ in range(4):
        http.post("/_sandbox/webhooks/flush")
        # The background sender may hold an attempt in flight (SENDING): its retry is scheduled
        # from when it ends, so let it end before the clock moves on.
        wait_for(lambda: "SENDING" not in {e["status"] for e in
                                           http.get(f"/_sandbox/events?escrowId={escrow['id']}").data["data"]})
        http.post("/_sandbox/clock/advance", json={"duration": "PT10M"})
    wait_for(lambda: all(e["status"] == "FAILED" for e in
                         http.get(f"/_sandbox/events?escrowId={escrow['id']}").data["data"]))
    events = http.get(f"/_sandbox/events?escrowId={escrow['id']}").data["data"]
    assert [(e["event"], e["attempts"]) for e in events] == [("escrow.created", 4), ("escrow.pending", 4)]
    failed = [d for d in deliveries(http) if d["eventId"] == events[0]["id"]]
    assert [d["statusCode"] for d in failed] == [None] * 4 and failed[0]["error"].startswith("ConnectionError")
    receiver.__init__()  # a fresh receiver so the fixture can close it


def test_resend(http, api, receiver):
    hook(http, receiver)
    api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    wait_for(lambda: len(receiver.received) == 2)
    event = http.get("/_sandbox/events?type=escrow.created").data["data"][0]
    reply = http.post(f"/_sandbox/events/{event['id']}/resend")
    assert (reply.status, reply.data["status"]) == (200, "PENDING")
    wait_for(lambda: len(receiver.received) == 3)
    assert receiver.received[2]["body"] == receiver.received[0]["body"], "the same bytes, the same signature"
    assert http.post("/_sandbox/events/aaaaaaaaaaaaaaaaaaaaaaaa/resend").status == 404


# -- receiver fault modes ------------------------------------------------------------------------


def test_fault_duplicate(http, api, receiver):
    hook(http, receiver, faults=["duplicate"])
    api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    wait_for(lambda: len(receiver.received) == 4)
    assert receiver.events() == ["escrow.created", "escrow.created", "escrow.pending", "escrow.pending"]
    # A delivery is recorded once its answer is back, just after the receiver has the request.
    wait_for(lambda: len(deliveries(http)) == 2)


def test_fault_out_of_order(http, api, receiver):
    http.put("/_sandbox/webhook", json={"url": receiver.url, "faults": ["out_of_order", "delayed"], "delaySeconds": 60})
    milestone_flow(api)
    http.post("/_sandbox/clock/advance", json={"seconds": 60})
    http.post("/_sandbox/webhooks/flush")
    wait_for(lambda: len(receiver.received) == 4)
    assert receiver.events() == ["escrow.completed", "escrow.ongoing", "escrow.pending", "escrow.created"]


def test_fault_delayed(http, api, receiver):
    hook(http, receiver, faults=["delayed"], delaySeconds=30)
    api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    http.post("/_sandbox/webhooks/flush")
    time.sleep(0.3)
    assert receiver.received == []
    http.post("/_sandbox/clock/advance", json={"seconds": 30})
    wait_for(lambda: len(receiver.received) == 2)


def test_fault_wrong_signature(http, api, receiver):
    hook(http, receiver, faults=["wrong_signature"])
    api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    wait_for(lambda: len(receiver.received) == 2)
    request = receiver.received[0]
    signature = {k.lower(): v for k, v in request["headers"].items()}["x-payluk-signature"]
    assert signature != hmac.new(KEY.encode(), request["body"], hashlib.sha512).hexdigest()


def test_webhook_settings(http, api):
    assert http.get("/_sandbox/webhook").data == {"url": None, "milestoneEvents": False, "faults": [],
                                                  "delaySeconds": 0}
    api.error(http.put("/_sandbox/webhook", json={"url": "ftp://x"}), 400, '"url" must be a valid uri')
    api.error(http.put("/_sandbox/webhook", json={"faults": ["chaos"]}), 400,
              '"faults[0]" must be one of [duplicate, out_of_order, delayed, wrong_signature]')
    api.error(http.post("/_sandbox/events/aaaaaaaaaaaaaaaaaaaaaaaa/resend"), 404, "Event not found")


def test_default_url_from_configuration(receiver):
    api = Api(InProcessHttp(create_app(make_config(webhook_url=receiver.url))))
    assert api.http.get("/_sandbox/webhook").data["url"] == receiver.url
    api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    wait_for(lambda: len(receiver.received) == 2)


def test_hanging_receiver_does_not_slow_the_api(http, api, receiver):
    receiver.hang = 3.0
    hook(http, receiver)
    started = time.perf_counter()
    escrow = api.create_milestone_escrow(MILESTONE_BODY)
    api.pay(escrow["id"])
    api.confirm(escrow["id"], escrow["milestones"][0]["id"])
    elapsed = time.perf_counter() - started
    wait_for(lambda: len(receiver.received) >= 1)
    assert elapsed < 2.0, f"API calls took {elapsed:.2f} s while the receiver hangs 3 s per delivery"
    receiver.hang = 0


def test_outbox_is_capped(app, monkeypatch):
    from sandbox.domain import outbox

    monkeypatch.setattr(outbox, "EVENT_CAP", 5)
    api = Api(InProcessHttp(app))
    for _ in range(4):
        api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    listed = api.http.get("/_sandbox/events").data
    assert (listed["count"], listed["dropped"]) == (5, 3)


def test_scenario_catalogue_lists_webhook_faults(http):
    faults = http.get("/_sandbox/scenarios").data["webhookFaults"]
    assert [f["name"] for f in faults] == ["duplicate", "out_of_order", "delayed", "wrong_signature"]


def test_events_survive_in_snapshots_and_resets_clear_them(http, api):
    api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    assert http.get("/_sandbox/events").data["count"] == 2
    http.post("/_sandbox/reset")
    assert http.get("/_sandbox/events").data["count"] == 0


def test_pay_with_copies_announces_each_copy(http, api):
    link = api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer", "totalQuantity": "2"})
    api.http.post("/v1/payment/escrow", customer=BUYER, json=pay_body(link["id"]))
    events = [(e["event"], e["escrowId"] == link["id"]) for e in http.get("/_sandbox/events").data["data"]]
    assert events == [("escrow.created", True), ("escrow.pending", True), ("escrow.created", False),
                      ("escrow.ongoing", False)]


# -- several senders (workers) on one namespace ---------------------------------------------------


class Sender(Dispatcher):
    """A worker's dispatcher whose POSTs are recorded in `sent` (shared by the senders of a test),
    always answered 200; with a `gate`, each waits for it to open (`entered` set on the first)."""

    def __init__(self, store, sent, gate=None):
        super().__init__(store)
        self.sent, self.gate, self.entered = sent, gate, threading.Event()

    def _post(self, url, body, headers):
        if self.gate is not None:
            self.entered.set()
            assert self.gate.wait(10)
        self.sent.append(json.loads(body)["event"])
        return {"status_code": 200, "latency_ms": 0.0, "error": None}


@pytest.fixture(params=BACKENDS)
def unsent(request):
    """An app whose own dispatcher never sends (stopped), its webhook URL set: the test's senders do."""
    app = create_app(backend_config(request, request.param, 9))
    app.extensions["sandbox"].dispatcher.stop()
    api = Api(InProcessHttp(app))
    assert api.http.put("/_sandbox/webhook", json={"url": "http://127.0.0.1:9/hook"}).status == 200
    yield api, app.extensions["sandbox"].store
    app.close()


def emitted(api):
    return [e["event"] for e in api.http.get("/_sandbox/events").data["data"]]


def test_one_sender_at_a_time_so_a_namespaces_events_arrive_in_order(unsent):
    """With several workers, each dispatcher looks at every namespace: while one sends what it
    took, another takes nothing of that namespace (not even what fell due meanwhile), so the
    receiver gets a namespace's events in the order they happened."""
    api, store = unsent
    sent, gate = [], threading.Event()
    first, second = Sender(store, sent, gate), Sender(store, sent)
    escrow = api.create_milestone_escrow(MILESTONE_BODY)
    taken = emitted(api)
    worker = threading.Thread(target=first.deliver_due, args=(KEY,))
    worker.start()
    try:
        assert first.entered.wait(10), "the first sender is mid-POST"
        api.pay(escrow["id"])  # more events fall due while it sends
        assert len(emitted(api)) > len(taken)
        assert second.deliver_due(KEY) == [], "the first sender has this namespace's deliveries in hand"
        assert KEY not in second._quiet, "looked at again next tick, not skipped as quiet"
    finally:
        gate.set()
        worker.join(10)
    assert sent == taken
    assert [a["event_type"] for a in second.deliver_due(KEY)] == emitted(api)[len(taken):]
    for milestone in escrow["milestones"]:
        api.confirm(escrow["id"], milestone["id"])
        (first if len(sent) % 2 else second).deliver_due(KEY)
    assert sent == emitted(api) == ["escrow.created", "escrow.pending", "escrow.ongoing", "escrow.completed"]
    events = api.http.get("/_sandbox/events").data["data"]
    assert {(e["status"], e["attempts"]) for e in events} == {("DELIVERED", 1)}


def test_a_flush_lets_the_sender_in_flight_finish_then_sends_what_is_still_due(unsent):
    """`POST /_sandbox/webhooks/flush` while another sender is mid-delivery: it waits for that
    sender (order kept, nothing twice), then sends what is still due — when it answers, every
    event due has been attempted."""
    api, store = unsent
    sent, gate = [], threading.Event()
    first = Sender(store, sent, gate)
    escrow = api.create_milestone_escrow(MILESTONE_BODY)
    taken = emitted(api)
    worker = threading.Thread(target=first.deliver_due, args=(KEY,))
    worker.start()
    flushed = []
    flusher = threading.Thread(target=lambda: flushed.append(api.http.post("/_sandbox/webhooks/flush")))
    try:
        assert first.entered.wait(10)
        api.pay(escrow["id"])
        flusher.start()
        time.sleep(0.3)
        assert flushed == [], "the flush waits for the sender in flight"
    finally:
        gate.set()
        worker.join(10)
        flusher.join(20)
    assert sent == taken
    # The app's own sender posts to a closed port: each later event's attempt, failed, in order.
    attempts = flushed[0].data["attempts"]
    assert [a["event"] for a in attempts] == emitted(api)[len(taken):] and len(attempts) > 0
    assert {a["statusCode"] for a in attempts} == {None}


def test_a_flush_does_not_hold_the_namespace_while_the_receiver_answers(unsent, receiver):
    """A flush waits on receivers (up to 10 s each) and on other senders: meanwhile the namespace
    is free. (On Redis a request used to keep the namespace's lock to its end, so a flush to a slow
    receiver stalled every write to that namespace, and past the lock's 15 s its own commit was
    refused.)"""
    api, _ = unsent
    receiver.hang = 1.5
    hook(api.http, receiver)
    api.create_escrow({"amount": "1000", "purpose": "x", "whoPays": "buyer"})
    flushed = []
    flusher = threading.Thread(target=lambda: flushed.append(Api(InProcessHttp(api.http.app)).http.post(
        "/_sandbox/webhooks/flush")))
    flusher.start()
    try:
        wait_for(lambda: len(receiver.received) == 1)  # the flush is mid-POST
        started = time.monotonic()
        api.create_escrow({"amount": "1000", "purpose": "y", "whoPays": "buyer"})  # a write
        assert time.monotonic() - started < 1.0, "the write waited for the flush's receiver"
    finally:
        flusher.join(20)
    assert flushed[0].status == 200 and [a["statusCode"] for a in flushed[0].data["attempts"]] == [200, 200]
    receiver.hang = 0


def test_what_a_dead_sender_held_is_sent_once_its_lease_runs_out(unsent, monkeypatch):
    """A worker that took events and died (or restarted mid-delivery) leaves them SENDING: they
    stay its own while its lease runs (nothing else of the namespace is taken), then are sent
    again by another, in their order — never left SENDING for good."""
    api, store = unsent
    escrow = api.create_milestone_escrow(MILESTONE_BODY)
    api.pay(escrow["id"])
    ns = store.namespace(KEY)
    with ns.lock:  # a worker takes them, then dies before sending
        held = outbox.take_due(ns, real_ms(), 60_000)
    assert [e["type"] for e in held] == emitted(api) and len(held) == 3
    statuses = {e["status"] for e in api.http.get("/_sandbox/events").data["data"]}
    assert statuses == {"SENDING"}
    sent = []
    sender = Sender(store, sent)
    assert sender.deliver_due(KEY) == [] and KEY not in sender._quiet
    # 61 s on: the lease of the one it would have sent first (60 s) has run out, the others'
    # (120 s, 180 s) not yet — the dead sender is behind on its first, so it holds none of them.
    monkeypatch.setattr(dispatcher_module, "real_ms", lambda: real_ms() + 61_000)
    assert [a["event_type"] for a in sender.deliver_due(KEY)] == emitted(api)
    assert sent == emitted(api)
    events = api.http.get("/_sandbox/events").data["data"]
    assert {(e["status"], e["attempts"]) for e in events} == {("DELIVERED", 1)}
    assert sender.deliver_due(KEY) == [] and not outbox.may_wait(store.namespace(KEY)), "none waits: noted so"
    assert sender.deliver_due(KEY) == []
    if store.revisions([KEY]) != [None]:  # a store that keeps revisions (Redis): skipped until it changes
        assert KEY in sender._quiet


def test_a_namespace_with_nothing_waiting_is_told_from_its_settings(unsent, monkeypatch):
    """Once a sender has found nothing waiting it notes so in the namespace's webhook settings;
    then a look at it reads no event (a busy namespace holds up to 1,000 of them: ~1.4 ms of a
    worker's CPU a look), until something makes an event wait again."""
    api, store = unsent
    escrow = api.create_milestone_escrow(MILESTONE_BODY)
    ns = store.namespace(KEY)
    sender = Sender(store, [])
    assert outbox.may_wait(ns) and len(sender.deliver_due(KEY)) == 2
    assert sender.deliver_due(KEY) == [] and not outbox.may_wait(ns), "found none waiting: noted"
    looked, find = [], ns.find
    monkeypatch.setattr(ns, "find", lambda kind, *rest: (looked.append(kind), find(kind, *rest))[1])
    assert sender.deliver_due(KEY) == [] and "events" not in looked, "the settings answer: no event read"
    api.pay(escrow["id"])  # an event waits again
    assert outbox.may_wait(ns)
    assert [a["event_type"] for a in sender.deliver_due(KEY)] == ["escrow.ongoing"]
    api.http.put("/_sandbox/webhook", json={"url": None})  # nothing new waits: the flag stays as it is
    api.confirm(escrow["id"], escrow["milestones"][0]["id"])
    sender.deliver_due(KEY)
    assert not outbox.may_wait(ns)
    event = api.http.get("/_sandbox/events").data["data"][0]
    api.http.put("/_sandbox/webhook", json={"url": "http://127.0.0.1:9/hook"})
    assert api.http.post(f"/_sandbox/events/{event['id']}/resend").status == 200
    assert outbox.may_wait(ns), "a resend makes an event wait"
    assert [a["event_type"] for a in sender.deliver_due(KEY)] == [event["event"]]


def test_an_import_that_says_no_event_waits_while_some_do_is_corrected(unsent):
    """The flag travels in an export (an exact round trip); an import whose flag says no event
    waits while some do (edited by hand) would leave them unsent for good: it is set again."""
    api, store = unsent
    api.create_milestone_escrow(MILESTONE_BODY)  # two events wait
    exported = api.http.get("/_sandbox/state").data
    assert exported["state"]["outbox"] == {"waiting": True}
    exported["state"]["outbox"] = {"waiting": False}
    assert api.http.post("/_sandbox/import", key="sk_test_imported", json=exported).status == 200
    assert outbox.may_wait(store.namespace("sk_test_imported"))
    assert len(Sender(store, []).deliver_due("sk_test_imported")) == 2
    del exported["state"]["outbox"]  # an export made before the flag: imported, and looked at
    assert api.http.post("/_sandbox/import", key="sk_test_older", json=exported).status == 200
    assert outbox.may_wait(store.namespace("sk_test_older"))
    assert len(Sender(store, []).deliver_due("sk_test_older")) == 2


def test_a_reset_that_keeps_the_settings_keeps_the_fresh_namespaces_flag(unsent):
    """Whether events wait is data, not configuration: a reset keeping the webhook settings starts
    from the fresh build's (its events are gone)."""
    api, store = unsent
    api.create_milestone_escrow(MILESTONE_BODY)
    assert outbox.may_wait(store.namespace(KEY))
    assert api.http.post("/_sandbox/reset", json={"keepSettings": True}).status == 200
    assert api.http.get("/_sandbox/webhook").data["url"] == "http://127.0.0.1:9/hook"
    assert not outbox.may_wait(store.namespace(KEY))
