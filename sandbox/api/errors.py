"""Error handlers: domain errors, routing errors, oversize bodies and crashes, all enveloped."""

import logging

from flask import Flask
from werkzeug.exceptions import HTTPException

from sandbox.api.http import envelope
from sandbox.domain.errors import ROUTE_NOT_FOUND, SERVER_ERROR, STORE_UNAVAILABLE, PaylukError
from sandbox.store.base import StoreUnavailable

log = logging.getLogger("sandbox")

HTTP_MESSAGES = {
    400: "Bad request",
    404: ROUTE_NOT_FOUND,
    405: "Method not allowed",
    413: "Request body too large (limit 1 MiB)",
}




def store_down(err: Exception) -> bool:
    """The shared store cannot serve now: StoreUnavailable, or a Redis error saying it cannot be
    reached or is not ready (not a refused command, which is a bug and a 500). Redis errors are
    matched by name: the memory backend does not import redis."""
    if isinstance(err, StoreUnavailable):
        return True
    return any(cls.__module__.startswith("redis") and cls.__name__ in REDIS_DOWN for cls in type(err).__mro__)


REDIS_DOWN = {"ConnectionError", "TimeoutError", "BusyLoadingError", "ReadOnlyError", "TryAgainError",
              "ClusterDownError", "MasterDownError"}


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
        if store_down(err):
            # The shared store (sandbox/store/redis/store.py) is down or the namespace is busy: the
            # operation applied nothing (its commit is one script), so the client may retry.
            log.warning("state store unavailable: %s", err)
            return unavailable(err)
        log.exception("unhandled error")
        return envelope(500, SERVER_ERROR)


def unavailable(err: Exception):
    """The 503 a request gets when the shared store applied none of it (the client may retry)."""
    response = envelope(503, str(err) if isinstance(err, StoreUnavailable) else STORE_UNAVAILABLE)
    response.headers["Retry-After"] = "1"
    return response
