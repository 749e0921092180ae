"""Webhook delivery: build the exact body, sign it, POST it, record the attempt.

The domain (sandbox/domain/outbox.py) keeps each namespace's outbox and decides when an
event is due on the namespace clock; this dispatcher sends what is due, outside the namespace
lock, from one background thread (started on first use, or at a worker's start on a shared
store holding deliveries waiting: `resume`) or synchronously for a flush. A
slow or dead receiver therefore never delays an API answer.
"""

import hashlib
import hmac
import json
import logging
import threading
import time
from functools import partial

import requests

from sandbox.clock import iso, real_ms
from sandbox.domain import outbox
from sandbox.schemas.base import wire_number
from sandbox.schemas.escrow import MILESTONE, dump_escrow
from sandbox.schemas.merchant import MERCHANT_TRANSACTION
from sandbox.schemas.payment import TRANSACTION

log = logging.getLogger("sandbox")

TIMEOUT_SECONDS = 10  # [B]: Payluk gives a receiver 10 s
USER_AGENT = "Payluk-Webhook/1.0"
SIGNATURE_HEADER = "x-payluk-signature"
TICK_SECONDS = 0.5  # how often a running clock is looked at for retries that fell due
# How long a sender holds an event it took (outbox.take_due): every POST of it within its
# timeout, with room to record the attempt.
LEASE_SECONDS = TIMEOUT_SECONDS + 5
HELD_POLL_SECONDS = 0.02  # a flush waiting for another sender looks again this often
FLUSH_WAIT_SECONDS = LEASE_SECONDS  # at most this long (then what that sender still holds is due again)
WRONG_KEY = b"sk_test_wrong_signature_fault"


def payload(event: dict) -> dict:
    """`{"event", "data": <the escrow as it was>, "timestamp"}` (concepts/webhooks); `data`
    adds the webhook-only fields the later docs list (`sellerId`, `buyerId`, `environment`).
    [B] `payment.*` events carry the transaction instead, with `customerId` (null: the
    merchant's own wallet), `environment` and `merchantId`."""
    escrow = event["escrow"]
    payment = event.get("payment")
    if payment is not None and "customer_id" in payment:  # a customer's transaction ([B] payments)
        data = TRANSACTION.dump(payment)
        data.update(environment="test", merchantId=payment["merchant_id"])
    elif payment is not None:  # the merchant wallet's (commission, delivery)
        data = MERCHANT_TRANSACTION.dump(payment)
        data.update(customerId=None, environment="test", merchantId=payment["merchant_id"])
    else:
        data = dump_escrow(escrow, None)
        data.update(sellerId=escrow["seller_id"], buyerId=escrow["buyer_id"], environment="test")
    body = {"event": event["type"], "data": data}
    if event.get("milestone") is not None:  # sandbox-only escrow.milestone.released
        body["milestone"] = MILESTONE.dump(event["milestone"])
    body["timestamp"] = iso(event["at_ms"])
    return body


def body_bytes(event: dict) -> bytes:
    """The exact bytes sent (and signed): compact JSON, the same on every retry."""
    return json.dumps(payload(event), separators=(",", ":"), ensure_ascii=False, default=wire_number).encode()


def signature(secret_key: str, body: bytes) -> str:
    """Hex HMAC-SHA512 of the raw body keyed with the namespace's secret key."""
    return hmac.new(secret_key.encode(), body, hashlib.sha512).hexdigest()


class Dispatcher:
    """Sends every namespace's due webhooks; one per app."""

    def __init__(self, store):
        self.store = store
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = None
        self._start_lock = threading.Lock()
        self._quiet: dict[str, object] = {}  # key -> the revision at which nothing was pending

    def wake(self) -> None:
        """Something may be due: look now (the thread starts on first use)."""
        with self._start_lock:
            if self._stopped.is_set():
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="webhook-dispatcher", daemon=True)
                self._thread.start()
        self._wake.set()

    def resume(self) -> threading.Thread:
        """At a worker's start on a shared store: start sending (`wake`) if some namespace holds
        deliveries waiting — retries that fell due while every worker was down, events a stopped
        worker held — which no request may come to wake. One look at each namespace, without its
        lock, in a thread of its own (the worker serves meanwhile); none waiting: nothing runs
        until a request wakes the sender, as on a fresh store."""
        def look():
            try:
                for key in self.store.keys():
                    if self._stopped.is_set():
                        return
                    ns = self.store.namespace(key)
                    if ns.read(partial(_waiting, ns)):
                        self.wake()
                        return
            except Exception as err:  # a shared store that is down: the first request's wake will do
                log.warning("webhook dispatcher: cannot look for deliveries waiting: %s", err)

        thread = threading.Thread(target=look, name="webhook-resume", daemon=True)
        thread.start()
        return thread

    def stop(self, timeout: float = 5) -> None:
        """End the background sender (an attempt in flight ends first, within its own timeout at
        most `timeout` is waited); what is still due stays in the outbox. Idempotent."""
        with self._start_lock:
            self._stopped.set()
            thread = self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(TICK_SECONDS)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                keys = self.store.keys()
                markers = self.store.revisions(keys)
            except Exception as err:  # a shared store that is down: look again next tick
                log.warning("webhook dispatcher: cannot list namespaces: %s", err)
                continue
            self._quiet = {key: self._quiet[key] for key in keys if key in self._quiet}
            for key, marker in zip(keys, markers):
                if self._stopped.is_set():
                    return
                if marker is not None and self._quiet.get(key) == marker:
                    continue  # nothing pending when last looked, and nothing changed since
                try:
                    self.deliver_due(key)
                except Exception:  # one namespace's trouble must not stop the others' deliveries
                    log.exception("webhook delivery failed for a namespace")

    def deliver_due(self, key: str, wait: float = 0.0) -> list[dict]:
        """Send what is due in `key`'s namespace now; answers the attempts made. While another
        sender (this worker's other thread, or another worker) has its deliveries in hand
        (outbox.take_due: one at a time, so they arrive in order), nothing — or, with `wait`
        seconds, what is still due once that sender is done (a flush: when it answers, every
        event due has been attempted). A namespace left with nothing pending (none due, none
        waiting for a retry or in a sender's hands) is noted as quiet at its revision: the
        background loop skips it until it changes (one read of every namespace's revision a
        tick, not a lock and a look at each); a namespace that changed is looked at without its
        lock first (a busy namespace with nothing to send is not locked twice a second)."""
        ns = self.store.namespace(key)
        ns.stop_keeping()  # in a request (a flush): the namespace is not held while receivers answer
        if not ns.read(partial(self._anything_waiting, key, ns)):  # the common answer, without the lock
            return []
        deadline = time.monotonic() + wait
        while True:
            with ns.lock:
                faults = ns.settings("webhook")["faults"]
                posts = 2 if "duplicate" in faults else 1
                due = outbox.take_due(ns, real_ms(), posts * LEASE_SECONDS * 1000)
                if due == [] and not outbox.may_wait(ns):  # another sender sent it all meanwhile
                    self._note_quiet(key, ns)
            if due is not None:
                return [self._send(key, ns, event, faults) for event in due]
            if time.monotonic() >= deadline:
                return []
            time.sleep(HELD_POLL_SECONDS)

    def _anything_waiting(self, key: str, ns) -> bool:
        """Whether events wait in `ns` (due, for a retry, or in a sender's hands); if none, that is
        noted in its settings (outbox.none_waiting: a write, so a lock-free look runs this again
        under the lock) and the namespace is noted quiet at the revision this look saw."""
        if _waiting(ns):
            return True
        outbox.none_waiting(ns)
        self._note_quiet(key, ns)
        return False

    def _note_quiet(self, key: str, ns) -> None:
        marker = ns.quiet_revision()
        if marker is not None:
            self._quiet[key] = marker

    def _send(self, key: str, ns, event: dict, faults: list) -> dict:
        body = body_bytes(event)
        signed_with = WRONG_KEY.decode() if "wrong_signature" in faults else key
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   SIGNATURE_HEADER: signature(signed_with, body)}
        attempt = self._post(event["url"], body, headers)
        if "duplicate" in faults:
            self._post(event["url"], body, headers)
        attempt.update(url=event["url"], signature=headers[SIGNATURE_HEADER], duplicated="duplicate" in faults)
        with ns.lock:
            outbox.record_attempt(ns, event["id"], attempt)
        return {**attempt, "event_id": event["id"], "event_type": event["type"]}

    def _post(self, url: str, body: bytes, headers: dict) -> dict:
        return post(url, body, headers)


def _waiting(ns) -> bool:
    """Whether the namespace has events due now or later, or in a sender's hands: from its
    settings alone when they say none may (outbox.may_wait), else from its events' summaries."""
    return outbox.may_wait(ns) and bool(ns.find("events", outbox.WAITING))


def post(url: str, body: bytes, headers: dict) -> dict:
    """One POST of a webhook; the attempt as the delivery log records it."""
    started = time.perf_counter()
    try:
        response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
        status, error = response.status_code, None
    except requests.RequestException as err:
        status, error = None, f"{type(err).__name__}: {err}"
    return {"status_code": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1), "error": error}
