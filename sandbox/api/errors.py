"""Error handlers: domain errors, routing errors, oversize bodies and crashes, all enveloped."""

import logging

from flask import Flask
from werkzeug.exceptions import HTTPException

from sandbox.api.http import envelope
from sandbox.domain.errors import ROUTE_NOT_FOUND, PaylukError

log = logging.getLogger("sandbox")

HTTP_MESSAGES = {
    400: "Bad request",
    404: ROUTE_NOT_FOUND,
    405: "Method not allowed",
    413: "Request body too large (limit 1 MiB)",
}


def register(app: Flask) -> None:
    @app.errorhandler(PaylukError)
    def payluk_error(err: PaylukError):
        return envelope(err.status, err.message)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        response = envelope(err.code, HTTP_MESSAGES.get(err.code, err.name))
        if err.code == 405 and err.valid_methods:
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response

    @app.errorhandler(Exception)
    def crash(err: Exception):
        log.exception("unhandled error")
        return envelope(500, "Internal server error")
