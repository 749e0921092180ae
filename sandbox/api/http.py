"""The envelope writer and the helpers every view uses (body, headers, service calls)."""

import json

from flask import Response, current_app, g, request

from sandbox.domain.errors import CUSTOMER_ID_NOT_ALLOWED, CUSTOMER_ID_REQUIRED, BadRequest

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def envelope(status: int, message: str, data=None) -> Response:
    """`{"status", "message", "data"}` with the HTTP code repeated in `status`; errors get `{}`."""
    body = {"status": status, "message": message, "data": {} if data is None else data}
    return current_app.response_class(
        current_app.json.dumps(body), status=status, mimetype="application/json"
    )


def json_body() -> dict:
    """The request's JSON object (empty body = `{}`); anything else is a 400."""
    if request.mimetype in FORM_TYPES:
        raise BadRequest("Content-Type must be application/json")
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        raise BadRequest("Malformed JSON in request body") from None


def form_or_json_body(file_field: str) -> tuple[dict, list]:
    """Fields and uploaded files of a route Payluk documents as multipart but clients also
    call with JSON. A repeated text field keeps its first value; files are accepted under
    `file_field` only."""
    if request.mimetype in FORM_TYPES:
        for name in request.files:
            if name != file_field:
                raise BadRequest(f'"{name}" is not allowed')
        return request.form.to_dict(), request.files.getlist(file_field)
    return json_body(), []


def customer_header(required: bool = True) -> str | None:
    """The `customer-id` header: the merchant customer the merchant acts for."""
    value = request.headers.get("customer-id", "").strip()
    if not value:
        if required:
            raise BadRequest(CUSTOMER_ID_REQUIRED)
        return None
    return value.lower()


def no_customer_header() -> None:
    """Merchant-wide routes: docs.payluk.ng says sending `customer-id` "will scope the request
    incorrectly"; [B] refuses it with this message (400, the documented catch-all code)."""
    if request.headers.get("customer-id", "").strip():
        raise BadRequest(CUSTOMER_ID_NOT_ALLOWED)


def uploaded_name(field: str) -> str | None:
    """The filename of an uploaded file (multipart), or None."""
    upload = request.files.get(field)
    return (upload.filename or field) if upload else None


def call(service, *args):
    """Run one domain service atomically on the caller's namespace."""
    ns = g.ns
    with ns.lock:
        return service(ns, *args)


def pagination(page) -> dict:
    """Payluk's pagination block for a `services.Page`."""
    pages = max(1, -(-page.count // page.limit))
    return {
        "count": page.count,
        "pages": pages,
        "isLastPage": page.page >= pages,
        "nextPage": page.page + 1 if page.page < pages else None,
        "previousPage": page.page - 1 if page.page > 1 else None,
    }
