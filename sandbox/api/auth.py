"""Authentication: `Authorization: Bearer sk_test_…` picks (and on first use creates) the
caller's namespace. docs.payluk.ng/authentication: no header -> 401 `No token provided`;
a live key, or anything that is not a test secret key, -> 403 `Unauthorized Access` ([B])."""

import hmac
import re

from flask import current_app, g, request

from sandbox.api.documented import INTRODUCED, super_admin_only
from sandbox.api.http import answers_by
from sandbox.domain.errors import (
    CONTROL_TOKEN_NEEDED, CONTROL_TOKEN_REQUIRED, KEY_IN_URL_CONFLICT, NO_TOKEN, ROUTE_NOT_FOUND, UNAUTHORIZED_ACCESS,
    BadRequest, Forbidden, NotFound, Unauthorized,
)

TEST_KEY = re.compile(r"^sk_test_[A-Za-z0-9_\-]{1,200}$")

PUBLIC = set()


def public(view):
    """Mark a view as answering without a secret key (health check)."""
    PUBLIC.add(view)
    return view


# Views that also take the key (`?key=`) and the control token (`?token=`) from their URL: Pact's
# state-change call, which some verifiers send without the headers their API requests carry. A
# URL ends up in logs (proxies', CI's): README "Verifying your Pact contract" weighs it.
URL_CREDENTIALS = set()


def credentials_in_url(view):
    """Mark a view whose key and control token may come in its query string."""
    URL_CREDENTIALS.add(view)
    return view


def secret_key(req=None, in_url: bool = False) -> str:
    """The caller's test secret key, or the documented 401/403. `in_url`: a `?key=` counts too;
    sent with an `Authorization` header as well, both must name the same key (400 otherwise)."""
    req = req or request
    header = req.headers.get("Authorization", "").strip()
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if in_url and "key" in req.args:
        # Repeated, they are joined as repeated headers are (two keys are not a key: 403).
        sent = ",".join(req.args.getlist("key"))
        if not TEST_KEY.match(sent):
            raise Forbidden(UNAUTHORIZED_ACCESS)
        if header and (scheme.lower() != "bearer" or token != sent):
            raise BadRequest(KEY_IN_URL_CONFLICT)
        return sent
    if not header or scheme.lower() != "bearer" or not token:
        raise Unauthorized(NO_TOKEN)
    if not TEST_KEY.match(token):
        raise Forbidden(UNAUTHORIZED_ACCESS)
    return token


CONTROL_PREFIX = "/_sandbox"


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def require_admin(destroys_others: bool = False, in_url: bool = False) -> None:
    """Admin-wide controls (every namespace at once) need the control token when one is set.
    `destroys_others` (a reset of every namespace, a fork that replaces another key's): on a
    server listening beyond loopback (a container, a shared host) they need a token even when
    none is configured — refused with a 403 saying how to set one — so nobody who can merely
    reach a shared sandbox wipes every team's namespaces."""
    config = current_app.extensions["sandbox"].config
    token = config.control_token
    if destroys_others and not token and config.host not in LOOPBACK_HOSTS:
        raise Forbidden(CONTROL_TOKEN_NEEDED)
    if not token:
        return
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    # A header arrives as latin-1 text, i.e. its raw bytes; a token with UTF-8 in it matches them.
    header = request.headers.get("X-Sandbox-Token")
    sent = []
    if in_url and "token" in request.args:
        # `?token=` (the query is decoded as UTF-8); sent with the header as well, both must match.
        sent = [value.encode("utf-8", "replace") for value in request.args.getlist("token")]
    if header is not None or not sent:
        sent.append((header or "").encode("latin-1", "replace"))
    if not all(hmac.compare_digest(value, token.encode()) for value in sent):
        raise Unauthorized(CONTROL_TOKEN_REQUIRED)


def authenticate() -> None:
    """before_request: unknown routes fall through to the 404/405 handler untouched. The
    /_sandbox controls can be switched off (they then do not exist: 404) or protected by a
    token; the browser pages that emulate Payluk's hosted flows are public and stay."""
    # Runs on every request: each proxy (`request`, `g`, `current_app`) is resolved once.
    req, app = request._get_current_object(), current_app._get_current_object()
    rule = req.url_rule
    if rule is None or app.view_functions[req.endpoint] in PUBLIC:
        return
    sandbox = app.extensions["sandbox"]
    in_url = app.view_functions[req.endpoint] in URL_CREDENTIALS
    if rule.rule.startswith(CONTROL_PREFIX):
        if not sandbox.config.controls:
            raise NotFound(ROUTE_NOT_FOUND)
        require_admin(in_url=in_url)
    glob = g._get_current_object()
    glob.key = secret_key(req, in_url)
    glob.ns = sandbox.store.namespace(glob.key)
    glob.ns.begin_request()  # the journal's last hook ends it (api/journal.py)
    # Checked by `call` (api/http.py) under the namespace lock, where the profile is known.
    glob.open_to_any_business = not super_admin_only(rule.rule)
    introduced = getattr(app.view_functions[req.endpoint], INTRODUCED, None)
    if introduced is not None:
        # A route Payluk added in a later API profile does not exist in the namespace's.
        if not answers_by(introduced):
            raise NotFound(ROUTE_NOT_FOUND)
