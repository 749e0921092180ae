"""The console's signed-in sessions in Redis (the `console_*` operations of the store's port,
sandbox/store/base.py; sandbox/console/session.py decides what they hold), mixed into RedisStore.

One hash per session, `sbx-console:<sha256 of the session id>` (the id, a bearer credential, is
never a key name), fields `key` (the secret key signed in with) and `flashes` (a JSON list, absent
when there is none), expiring with the session (PEXPIRE at sign-in; nothing renews it). Every
operation is one round trip on the session's one key — single-key commands, a MULTI on one key,
or a script with one key — so it works unchanged on Redis Cluster. The signing secret is one more
key, `sbx-console:secret`, set once with `SET NX` and read back by every worker.

The prefix is `sbx-console:`, outside `sbx:*` on purpose: a reset of every namespace (`drop_all`
deletes `sbx:*`) forgets namespaces, not who is signed in, nor the key their cookies are signed with.
"""

import hashlib

from sandbox import codec
from sandbox.store.base import CONSOLE_FLASHES
from sandbox.store.redis.codec import as_text
from sandbox.store.redis.runner import source

PREFIX = "sbx-console"
SECRET_KEY = f"{PREFIX}:secret"


def session_key(sid: str) -> str:
    return f"{PREFIX}:{hashlib.sha256(sid.encode()).hexdigest()}"


class ConsoleSessions:
    """The console-session half of the Store port, over the store's client `self.r`."""

    _flash_script = None

    def console_session_start(self, sid: str, key: str, max_age_ms: int) -> None:
        pipe = self.r.pipeline(transaction=True)  # MULTI: never a session without its expiry
        pipe.hset(session_key(sid), "key", key)
        pipe.pexpire(session_key(sid), max_age_ms)
        pipe.execute()

    def console_session(self, sid: str) -> dict | None:
        fields = self.r.hgetall(session_key(sid))
        key = as_text(fields.get(b"key"))
        if key is None:
            return None
        flashes = fields.get(b"flashes")
        return {"key": key, "flashes": codec.loads(flashes) if flashes else []}

    def console_session_flash(self, sid: str, flash: dict) -> None:
        if self._flash_script is None:
            self._flash_script = self.r.register_script(source("console_flash"))
        self._flash_script(keys=[session_key(sid)], args=[codec.dumps(flash), CONSOLE_FLASHES])

    def console_session_take_flashes(self, sid: str) -> list[dict]:
        pipe = self.r.pipeline(transaction=True)  # MULTI: read and emptied in one step
        pipe.hget(session_key(sid), "flashes")
        pipe.hdel(session_key(sid), "flashes")  # on an ended session: nothing (HDEL creates no key)
        flashes, _ = pipe.execute()
        return codec.loads(flashes) if flashes else []

    def console_session_end(self, sid: str) -> None:
        self.r.delete(session_key(sid))

    def console_secret(self, candidate: str) -> str:
        pipe = self.r.pipeline(transaction=True)
        pipe.set(SECRET_KEY, candidate, nx=True)
        pipe.get(SECRET_KEY)
        return as_text(pipe.execute()[1])
