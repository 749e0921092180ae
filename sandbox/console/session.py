"""Console sign-in: who is looking, without the secret key ever leaving the server again.

The browser holds one cookie, signed with the console secret: a random session id and a random
CSRF token. The secret key the person pasted lives only on the server, in the store's record of
that session id (sandbox/store/base.py, `console_session*`), so it is never in a URL, a page, a
log, the journal, or even the cookie. Every POST carries the CSRF token in a hidden field and is
refused (400) when it does not match the cookie's.

Every worker and replica of a shared store reads the same sessions and signs with the same
secret, so any of them serves any request: the secret is `--console-secret` when given, else the
one the store keeps (the first worker to ask stores its candidate, `SET NX` on Redis; the others
read it back). A session expires MAX_AGE_SECONDS after sign-in; signing out deletes it from the
store, so the same cookie is refused by every worker. Reading a session costs one store round
trip; flashes are appended and taken by the store in one step each (no lost update between two
workers); the API (/v1) never reads a session.
"""

import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COOKIE = "payluk_console"
COOKIE_PATH = "/_sandbox/console"
MAX_AGE_SECONDS = 12 * 3600
SALT = "payluk-sandbox-console"


class Sessions:
    """Signed cookies and the signed-in sessions they name, kept in `store`, for one app."""

    def __init__(self, store, secret: str | None = None, max_age_seconds: float = MAX_AGE_SECONDS):
        self.store = store
        self.max_age_seconds = max_age_seconds
        self.from_store = secret is None
        self._secret = secret  # the store's is asked for on first use (not at start-up: Redis may be down)
        self._serializer = None if secret is None else URLSafeTimedSerializer(secret, salt=SALT)

    # -- the secret -------------------------------------------------------------------------
    def serializer(self) -> URLSafeTimedSerializer:
        if self._serializer is None:
            self._adopt(self.store.console_secret(secrets.token_urlsafe(32)))
        return self._serializer

    def _adopt(self, secret: str) -> None:
        self._secret, self._serializer = secret, URLSafeTimedSerializer(secret, salt=SALT)

    def _secret_changed(self) -> bool:
        """After a cookie failed its signature: whether the store holds another secret than the one
        this worker signs with (its copy was flushed or evicted and another worker stored a new one;
        or it had none, and this worker's is stored now). One round trip; never for --console-secret."""
        if not self.from_store:
            return False
        current = self._secret
        stored = self.store.console_secret(current)
        if stored == current:
            return False
        self._adopt(stored)
        return True

    # -- the cookie -------------------------------------------------------------------------
    def read(self, request) -> dict:
        """The cookie's `{"sid", "csrf"}`, or `{}` when absent, forged or expired."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return {}
        try:
            value = self._load(raw)
        except SignatureExpired:
            return {}
        except BadSignature:
            if not self._secret_changed():
                return {}
            try:
                value = self._load(raw)
            except BadSignature:
                return {}
        return value if isinstance(value, dict) else {}

    def _load(self, raw: str):
        return self.serializer().loads(raw, max_age=self.max_age_seconds)

    def write(self, response, request, value: dict) -> None:
        response.set_cookie(COOKIE, self.serializer().dumps(value), path=COOKIE_PATH, httponly=True,
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

    # -- the signed-in sessions, in the store ----------------------------------------------------
    def start(self, key: str) -> str:
        """Remember `key` under a new session id (a fresh id at every sign-in)."""
        sid = secrets.token_urlsafe(24)
        self.store.console_session_start(sid, key, int(self.max_age_seconds * 1000))
        return sid

    def get(self, cookie: dict) -> dict | None:
        """`{"sid", "key", "flashes"}` of the cookie's live session (one store round trip), or None."""
        sid = cookie.get("sid")
        if not isinstance(sid, str):
            return None
        session = self.store.console_session(sid)
        return None if session is None else {"sid": sid, **session}

    def end(self, cookie: dict) -> None:
        """Sign out: the session is deleted from the store, for every worker."""
        sid = cookie.get("sid")
        if isinstance(sid, str):
            self.store.console_session_end(sid)

    def flash(self, session: dict, kind: str, message: str) -> None:
        self.store.console_session_flash(session["sid"], {"kind": kind, "message": message})

    def take_flashes(self, session: dict) -> list:
        """The session's flashes, taken from the store — only when its read showed some (a page
        without any costs no second round trip)."""
        if not session["flashes"]:
            return []
        return self.store.console_session_take_flashes(session["sid"])


def mask(key: str) -> str:
    """`sk_test_ab…yz`: enough to tell two keys apart, never enough to use one."""
    prefix, suffix = "sk_test_", key[len("sk_test_"):]
    if len(suffix) < 8:
        return prefix + "…"
    return f"{prefix}{suffix[:2]}…{suffix[-2:]}"
