"""The request journal of the control plane: hooks that record every keyed request in its
namespace, and `/_sandbox/requests` to read (newest first, filtered) and clear it.

Recorded: method, path, query, status, bodies (sandbox/controlplane/recorder.py says how they are kept),
`customer-id`, the scenario, real latency, the time on the namespace clock and the client
address. Never recorded: any header besides `customer-id` and `X-Sandbox-Scenario` (so never
`Authorization`), and no secret key anywhere (keys in bodies, query and headers are blanked).
"""

import logging
import os
import time

from flask import Blueprint, Flask, g, request

from sandbox.api.documented import Tag, doc
from sandbox.api.errors import store_down, unavailable
from sandbox.api.http import FORM_TYPES, call, envelope
from sandbox.controlplane import recorder
from sandbox.domain import errors as E
from sandbox.domain import profiles
from sandbox.domain.errors import REQUEST_NOT_FOUND, BadRequest
from sandbox.schemas import answers as out
from sandbox.schemas import journal as jrn
from sandbox.schemas.base import load
from sandbox.server.serving import ARRIVED, Park
from sandbox.store.base import CommitFailed

log = logging.getLogger("sandbox")


bp = Blueprint("journal", __name__)

# Per-request marks live in the WSGI environ, not in `g`: `g` belongs to the app context, which
# a caller holding one open (`with app.app_context():`) shares across requests.
ENTRY = "sandbox.journal.entry"


# -- hooks ---------------------------------------------------------------------------------------
# These run on every request, so they read the WSGI environ and the real request object directly
# (each `request.`/`g.` proxy lookup and each parsed-header property costs a few microseconds).


class Recorder:
    """The journal's hooks for one app."""

    def __init__(self, app: Flask):
        self.store = app.extensions["sandbox"].store
        self.config = app.config

    def start_clock(self) -> None:
        """First before_request of all, so latency covers auth and any scenario's added delay."""
        request.environ.setdefault(ARRIVED, time.perf_counter())

    def record(self, response):
        """Last after_request of all (it sees the response the other hooks made): journal it —
        with the writes the request kept, in one step on a shared store (`end_request`)."""
        try:
            self._record(request._get_current_object(), response)
        except CommitFailed as err:  # the request's writes were not applied: the client must know
            log.warning("store unavailable: %s %s not committed", request.method, request.path)
            return unavailable(err)
        except Exception as err:  # the journal must never turn an answer into a 500
            _not_recorded(err)
        return response

    @staticmethod
    def settle(error=None) -> None:
        """teardown, last of all: a request that ended before its journal entry (parked, failed)
        lets go of its namespace; what it kept is committed."""
        ns = g.get("ns")
        if ns is not None:
            try:
                ns.end_request(None)
            except Exception as err:
                _not_recorded(err)

    def record_failure(self, error) -> None:
        """teardown: a request that ended in an exception no handler turned into a response."""
        if error is None or ENTRY in request.environ or isinstance(error, Park):
            return
        try:
            self._record(request._get_current_object(), None)
        except Exception as err:
            _not_recorded(err)

    def _namespace(self, req, glob):
        """The namespace the request reached, or None: unknown routes, refused keys and public views
        that name no namespace are nobody's."""
        ns = glob.get("ns")
        if ns is None or req.blueprint == "journal":
            return None
        key = glob.get("key")
        # Re-resolve by key: a reset of every namespace (`?all=true`) replaces the caller's, and
        # that request's entry belongs in the namespace the caller's next request will see.
        return self.store.namespace(key) if key else ns

    def _record(self, req, response) -> None:
        glob = g._get_current_object()
        ns = self._namespace(req, glob)
        if ns is None:
            return
        env = req.environ
        t0 = env.get(ARRIVED)
        latency = None if t0 is None else round((time.perf_counter() - t0) * 1000, 3)
        status = 500 if response is None else response.status_code
        captured = None if response is None else _response_body(response)
        entry = env.get(ENTRY)
        if entry is not None:
            # A later hook failed and Flask built a 500 from it: the client gets that one.
            entry.update(status=status, response=captured, latency_ms=latency)
            return
        entry = {
            "id": None,
            "at_ms": None,
            "method": req.method,
            "path": recorder.redact(req.path),  # a key pasted into a URL is blanked like one in a body
            "query": recorder.redact_query(env.get("QUERY_STRING")),  # WSGI text (latin-1), decoded in render
            "status": status,
            "latency_ms": latency,
            "customer_id": recorder.redact(env.get("HTTP_CUSTOMER_ID")),
            "scenario": _scenario(glob, env),
            "profile": _profile(ns, glob),
            "ip": env.get("REMOTE_ADDR"),
            "request": self._request_body(req, env),
            "response": captured,
        }
        env[ENTRY] = entry
        held = glob.get("ns")
        if held is ns:
            ns.end_request(entry)  # gives it its id and the namespace clock's time
        else:
            if held is not None:
                held.end_request(None)
            ns.journal_record(entry)

    def _request_body(self, req, env):
        length = env.get("CONTENT_LENGTH")
        if not length or length == "0":
            if "chunked" not in env.get("HTTP_TRANSFER_ENCODING", "").lower():
                return None  # no body: nothing to read
            length = None
        mimetype = env.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
        limit = self.config.get("MAX_CONTENT_LENGTH")
        if length and limit and length.isdigit() and int(length) > limit:
            return recorder.omitted(mimetype, int(length))  # the server refused it (413); not read
        if mimetype in FORM_TYPES:
            # Parsed already if the view read it; file contents are never read, only measured.
            return recorder.capture_form(
                req.form.lists(),
                ((name, [(f.filename, _size(f)) for f in files]) for name, files in req.files.lists()),
            )
        return recorder.capture_raw(req.get_data(cache=True), mimetype)


def _not_recorded(err: Exception) -> None:
    """A request the journal could not keep: a line when the shared store is down (the answer
    said so already), the traceback otherwise."""
    if store_down(err):
        log.warning("journal: store unavailable, %s %s not recorded", request.method, request.path)
    else:
        log.exception("journal: could not record %s %s", request.method, request.path)


def _profile(ns, glob) -> str:
    """The API profile that answered: as the request's service call saw it (`g.profile`), else
    the namespace's now."""
    profile = glob.get("profile")
    if profile is None:
        with ns.lock:
            profile = profiles.current(ns)
    return profile


def _scenario(glob, env):
    """The scenario the scenarios module applied (`g.scenario`), else the header as sent."""
    value = glob.get("scenario")
    if value is None:
        return recorder.redact(env.get("HTTP_X_SANDBOX_SCENARIO"))
    if isinstance(value, dict):
        value = value.get("name", value)
    return recorder.redact(value if isinstance(value, str) else str(getattr(value, "name", value)))


def _size(upload) -> int | None:
    stream = upload.stream
    try:
        position = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(position)
        return size
    except (AttributeError, OSError, ValueError):
        return upload.content_length or None


def _response_body(response):
    mimetype = response.headers.get("Content-Type", "").partition(";")[0].strip()
    body = response.response
    if type(body) is list and len(body) == 1 and type(body[0]) is bytes:
        return recorder.capture_raw(body[0], mimetype)  # the usual case: one bytes chunk, no copy
    if response.is_streamed:
        # Reading a streamed body here would consume it (and a "response lost" body raises).
        return recorder.omitted(mimetype, response.content_length)
    return recorder.capture_raw(response.get_data(), mimetype)


def register(app: Flask) -> None:
    """Journal hooks outermost (first before_request, last after_request), then the routes.
    With the controls switched off nobody can read the journal, so nothing is recorded."""
    app.register_blueprint(bp)
    if not getattr(app.extensions["sandbox"].config, "controls", True):
        return
    recorder = Recorder(app)
    app.extensions["sandbox"].recorder = recorder
    app.before_request_funcs.setdefault(None, []).insert(0, recorder.start_clock)
    app.after_request_funcs.setdefault(None, []).insert(0, recorder.record)
    app.teardown_request(recorder.record_failure)
    app.teardown_request_funcs.setdefault(None, []).insert(0, recorder.settle)  # runs last


# -- routes ------------------------------------------------------------------------------------------

# Entries are copied out under the namespace lock, then filtered and rendered outside it.

@bp.get("/_sandbox/requests")
@doc(Tag.CONTROLS, "The request journal, newest first, filtered", data=out.JournalPageSchema,
     message="Requests fetched successfully", query=jrn.JournalQuerySchema)
def list_requests():
    query = load(recorder.JOURNAL_QUERY, request.args.to_dict())
    entries, dropped, capacity = call(lambda ns: (ns.journal_entries(), ns.journal_dropped, ns.journal_capacity))
    found = recorder.search(entries, query)
    return envelope(200, "Requests fetched successfully", {
        "data": [recorder.render(entry) for entry in found.entries],
        "count": found.count,
        "dropped": dropped,
        "capacity": capacity,
    })


@bp.get("/_sandbox/requests/<entry_id>")
@doc(Tag.CONTROLS, "One journal entry", data=out.JournalEntrySchema, message="Request fetched successfully",
     errors=((400, E.REQUEST_NOT_FOUND),))
def get_request(entry_id):
    entry = recorder.find(call(lambda ns: ns.journal_entries()), entry_id)
    if entry is None:
        raise BadRequest(REQUEST_NOT_FOUND)
    return envelope(200, "Request fetched successfully", recorder.render(entry))


@bp.delete("/_sandbox/requests")
@doc(Tag.CONTROLS, "Clear the journal", data=out.JournalClearedSchema, message="Requests cleared successfully")
def clear_requests():
    return envelope(200, "Requests cleared successfully", {"cleared": call(lambda ns: ns.journal_clear())})
