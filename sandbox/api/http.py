"""The envelope writer and the helpers every view uses (body, headers, service calls)."""

import json
import re
from decimal import Decimal

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from sandbox.domain import customers, profiles
from sandbox.domain.errors import (
    CONTENT_TYPE_REQUIRED,
    CUSTOMER_ID_NOT_ALLOWED,
    CUSTOMER_ID_REQUIRED,
    FIELD_NOT_ALLOWED,
    MALFORMED_JSON,
    BadRequest,
)

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def blueprint_with_pages(name: str, import_name: str) -> tuple[Blueprint, Blueprint]:
    """A blueprint for JSON routes and one nested in it for HTML pages (`<name>_pages`), so an
    error handler registered on the pages renders their refusals as pages, not envelopes."""
    bp = Blueprint(name, import_name)
    pages = Blueprint(f"{name}_pages", import_name)
    bp.register_blueprint(pages)
    return bp, pages


def envelope(status: int, message: str, data=None) -> Response:
    """`{"status", "message", "data"}` with the HTTP code repeated in `status`; errors get `{}`."""
    return plain_json({"status": status, "message": message, "data": {} if data is None else data}, status)


def plain_json(body, status: int = 200) -> Response:
    """A JSON answer as it is, without the envelope: only for the clients that read top-level keys
    (Pact's verifiers, sandbox/api/sandbox_admin.py); errors still go out in the envelope."""
    app = current_app._get_current_object()
    try:
        payload = app.json.dumps(body).encode()
    except UnicodeEncodeError:
        # Text that is not Unicode (a lone surrogate from a `\ud800` escape, which the journal
        # echoes as it was sent) goes out escaped, as JavaScript's JSON.stringify writes it.
        payload = app.json.dumps(body, ensure_ascii=True).encode()
    return app.response_class(payload, status=status, mimetype="application/json")


SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


def parse_json(raw: bytes, exact: bool = False):
    """JSON as Node's JSON.parse takes it, or ValueError: UTF-8 text (a BOM is skipped), no
    NaN/Infinity, no lone surrogate (a `\\ud800` escape), nesting Python can hold. `exact`:
    numbers with a fraction or exponent are read from their text as Decimal, never as a float
    (bodies carrying money)."""
    try:
        text = raw.decode("utf-8-sig")
        value = json.loads(text, parse_constant=_not_json, parse_float=Decimal if exact else None)
        if SURROGATE_ESCAPE.search(text):
            json.dumps(value, ensure_ascii=False, default=str).encode()  # a lone surrogate cannot be encoded
        return value
    except RecursionError:
        raise ValueError("nested too deeply") from None


def json_body(accepted: str = "application/json", exact: bool = False) -> dict:
    """The request's JSON object (empty body = `{}`); anything else is a 400. A body labelled
    with another media type (text/plain, a form...) is refused, as Express's JSON parser
    leaves it unread; an unlabelled one is read as JSON. `exact`: see parse_json."""
    req = request._get_current_object()
    raw = req.get_data(cache=True)
    limit = req.max_content_length
    if limit is not None and req.content_length is None and len(raw) >= limit:
        # A chunked body (no Content-Length) is cut at the limit by Werkzeug, not refused.
        raise RequestEntityTooLarge()
    if not raw.strip():
        return {}
    mimetype = req.mimetype
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise BadRequest(CONTENT_TYPE_REQUIRED.format(accepted=accepted))
    try:
        return parse_json(raw, exact)
    except ValueError:
        raise BadRequest(MALFORMED_JSON) from None


def form_or_json_body(file_field: str, exact: bool = False) -> tuple[dict, list]:
    """Fields and uploaded files of a route Payluk documents as multipart but clients also
    call with JSON. A repeated text field keeps its first value; files are accepted under
    `file_field` only. `exact`: see parse_json."""
    if request.mimetype in FORM_TYPES:
        for name in request.files:
            if name != file_field:
                raise BadRequest(FIELD_NOT_ALLOWED.format(name=name))
        return request.form.to_dict(), request.files.getlist(file_field)
    return json_body("application/json or multipart/form-data", exact), []


def customer_header(required: bool = True, optional_since: str | None = None) -> str | None:
    """The `customer-id` header: the merchant customer the merchant acts for. `optional_since`:
    the API profile from which a route takes it optionally (payluk-api.md §1: [B] escrow and
    category routes), checked before the body is read, as the required header always was."""
    value = request.headers.get("customer-id", "").strip()
    if not value:
        if required and not (optional_since is not None and answers_by(optional_since)):
            raise BadRequest(CUSTOMER_ID_REQUIRED)
        return None
    return value.lower()


def answers_by(profile: str) -> bool:
    """Whether the caller's namespace answers by `profile` or a later one (read under its lock,
    noted for the journal)."""
    glob = g._get_current_object()
    with glob.ns.lock:
        glob.profile = profiles.current(glob.ns)
    return glob.profile >= profile


def no_customer_header(since: str | None = None) -> None:
    """Merchant-wide routes: docs.payluk.ng says sending `customer-id` "will scope the request
    incorrectly"; [B] refuses it with this message (400, the documented catch-all code).
    `since`: the API profile from which the route refuses it (earlier ones ignore it)."""
    if request.headers.get("customer-id", "").strip() and (since is None or answers_by(since)):
        raise BadRequest(CUSTOMER_ID_NOT_ALLOWED)


def uploaded_name(field: str) -> str | None:
    """The filename of an uploaded file (multipart), or None."""
    upload = request.files.get(field)
    return (upload.filename or field) if upload else None


def call(service, *args):
    """Run one domain service atomically on the caller's namespace (noting, for the journal,
    the API profile it answered by), once the key may call the route ([B]'s super-admin rule:
    domain/customers.py `require_route_access`; public pages carry no key and pass)."""
    glob = g._get_current_object()
    ns = glob.ns

    def run():
        glob.profile = profiles.current(ns)
        customers.require_route_access(ns, glob.get("open_to_any_business", True))
        return service(ns, *args)

    ns.expect(service.__qualname__, args)
    if request.method == "GET":  # a read: without the lock where the store can (run again locked if it writes)
        return ns.read(run)
    with ns.lock:
        return run()


def pagination(page) -> dict:
    """Payluk's pagination block for a `listings.Page`."""
    pages = max(1, -(-page.count // page.limit))
    return {
        "count": page.count,
        "pages": pages,
        "isLastPage": page.page >= pages,
        "nextPage": page.page + 1 if page.page < pages else None,
        "previousPage": page.page - 1 if page.page > 1 else None,
    }
