"""Authentication: `Authorization: Bearer sk_test_…` picks (and on first use creates) the
caller's namespace. docs.payluk.ng/authentication: no header -> 401 `No token provided`;
a live key, or anything that is not a test secret key, -> 403 `Unauthorized Access` ([B])."""

import hmac
import re

from flask import current_app, g, request

from sandbox.api.documented import INTRODUCED, super_admin_only
from sandbox.api.http import answers_by
from sandbox.domain.errors import (
    CONTROL_TOKEN_NEEDED, CONTROL_TOKEN_REQUIRED, NO_TOKEN, ROUTE_NOT_FOUND, UNAUTHORIZED_ACCESS, Forbidden, NotFound, Unauthorized,
)

TEST_KEY = re.compile(r"^sk_test_[A-Za-z0-9_\-]{1,200}$")

PUBLIC = set()


def public(view):
    """Mark a view as answering without a secret key (health check)."""
    PUBLIC.add(view)
    return view


def secret_key(req=None) -> str:
    """The caller's test secret key, or the documented 401/403."""
    header = (req or request).headers.get("Authorization", "").strip()
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if not header or scheme.lower() != "bearer" or not token:
        raise Unauthorized(NO_TOKEN)
    if not TEST_KEY.match(token):
        raise Forbidden(UNAUTHORIZED_ACCESS)
    return token


CONTROL_PREFIX = "/_sandbox"


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def require_admin(destroys_others: bool = False) -> None:
    """Admin-wide controls (every namespace at once) need the control token when one is set.
    `destroys_others` (a reset of every namespace, a fork that replaces another key's): on a
    server listening beyond loopback (a container, a shared host) they need a token even when
    none is configured — refused with a 403 saying how to set one — so nobody who can merely
    reach a shared sandbox wipes every team's namespaces."""
    config = current_app.extensions["sandbox"].config
    token = config.control_token
    if destroys_others and not token and config.host not in LOOPBACK_HOSTS:
        raise Forbidden(CONTROL_TOKEN_NEEDED)
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500).
    # A header arrives as latin-1 text, i.e. its raw bytes; a token with UTF-8 in it matches them.
    sent = request.headers.get("X-Sandbox-Token", "").encode("latin-1", "replace")
    if token and not hmac.compare_digest(sent, token.encode()):
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
    if rule.rule.startswith(CONTROL_PREFIX):
        if not sandbox.config.controls:
            raise NotFound(ROUTE_NOT_FOUND)
        require_admin()
    glob = g._get_current_object()
    glob.key = secret_key(req)
    glob.ns = sandbox.store.namespace(glob.key)
    glob.ns.begin_request()  # the journal's last hook ends it (api/journal.py)
    # Checked by `call` (api/http.py) under the namespace lock, where the profile is known.
    glob.open_to_any_business = not super_admin_only(rule.rule)
    introduced = getattr(app.view_functions[req.endpoint], INTRODUCED, None)
    if introduced is not None:
        # A route Payluk added in a later API profile does not exist in the namespace's.
        if not answers_by(introduced):
            raise NotFound(ROUTE_NOT_FOUND)
