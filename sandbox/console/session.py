"""Console sign-in: who is looking, without the secret key ever leaving the server again.

The browser holds one cookie, signed with a key made at start-up (so it dies with the
process): a random session id and a random CSRF token. The secret key the person pasted
lives only here, in memory, under that session id, so it is never in a URL, a page, a log,
the journal, or even the cookie; signing out forgets it. Every POST carries the CSRF token
in a hidden field and is refused (400) when it does not match the cookie's.
"""

import hmac
import secrets
import threading
from collections import OrderedDict

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "payluk_console"
COOKIE_PATH = "/_sandbox/console"
MAX_AGE_SECONDS = 12 * 3600
MAX_SESSIONS = 1000  # the oldest signed-in session is forgotten beyond this


class Sessions:
    """Signed cookies and the signed-in sessions they name, for one app."""

    def __init__(self):
        self.serializer = URLSafeTimedSerializer(secrets.token_bytes(32), salt="payluk-sandbox-console")
        self.lock = threading.Lock()
        self.signed_in: OrderedDict[str, dict] = OrderedDict()

    # -- the cookie -------------------------------------------------------------------------
    def read(self, request) -> dict:
        """The cookie's `{"sid", "csrf"}`, or `{}` when absent, forged or expired."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return {}
        try:
            value = self.serializer.loads(raw, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            return {}
        return value if isinstance(value, dict) else {}

    def write(self, response, request, value: dict) -> None:
        response.set_cookie(COOKIE, self.serializer.dumps(value), path=COOKIE_PATH, httponly=True,
                            samesite="Strict", secure=request.is_secure)

    def forget_cookie(self, response, request) -> None:
        response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="Strict",
                               secure=request.is_secure)

    @staticmethod
    def fresh(sid: str | None = None) -> dict:
        """A new cookie value: a new CSRF token, and the session id if signed in."""
        value = {"csrf": secrets.token_urlsafe(24)}
        if sid:
            value["sid"] = sid
        return value

    @staticmethod
    def csrf_ok(cookie: dict, sent: str | None) -> bool:
        expected = cookie.get("csrf")
        if not isinstance(expected, str) or not isinstance(sent, str):
            return False
        return hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode())

    # -- the signed-in sessions ------------------------------------------------------------
    def start(self, key: str) -> str:
        """Remember `key` under a new session id (a fresh id at every sign-in)."""
        sid = secrets.token_urlsafe(24)
        with self.lock:
            self.signed_in[sid] = {"key": key, "flash": []}
            while len(self.signed_in) > MAX_SESSIONS:
                self.signed_in.popitem(last=False)
        return sid

    def get(self, cookie: dict) -> dict | None:
        sid = cookie.get("sid")
        if not isinstance(sid, str):
            return None
        with self.lock:
            return self.signed_in.get(sid)

    def end(self, cookie: dict) -> None:
        sid = cookie.get("sid")
        if isinstance(sid, str):
            with self.lock:
                self.signed_in.pop(sid, None)

    def flash(self, session: dict, kind: str, message: str) -> None:
        with self.lock:
            session["flash"].append({"kind": kind, "message": message})

    def take_flashes(self, session: dict) -> list:
        with self.lock:
            flashes, session["flash"] = session["flash"], []
            return flashes


def mask(key: str) -> str:
    """`sk_test_ab…yz`: enough to tell two keys apart, never enough to use one."""
    prefix, suffix = "sk_test_", key[len("sk_test_"):]
    if len(suffix) < 8:
        return prefix + "…"
    return f"{prefix}{suffix[:2]}…{suffix[-2:]}"
