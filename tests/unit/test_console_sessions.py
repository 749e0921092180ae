"""The console's sessions (sandbox/console/session.py) on both stores, as several workers see
them: a cookie signed by one worker is read by another; sign-out, expiry and flashes hold for all;
the signing secret comes from --console-secret / SANDBOX_CONSOLE_SECRET or, without one, from the
store (made once, read back by every worker, healed when the store lost it). On Redis: one key per
session that names no session id, and one round trip per operation."""

import time
from types import SimpleNamespace

import pytest
from werkzeug.wrappers import Response

from sandbox import create_app
from sandbox.console.session import COOKIE, MAX_AGE_SECONDS, Sessions
from sandbox.server.config import Config, ConfigError
from sandbox.store.memory import MemoryStore
from tests.unit.test_store_port import build

KEY = "sk_test_console_sessions"
SECRET = "a-console-secret-of-32-characters"


@pytest.fixture
def redis_store(redis_url):
    """A Redis store on an emptied database of the suite's redis-server."""
    from sandbox.store.redis import RedisStore
    from tests.redis_server import database

    made = RedisStore(build, database(redis_url, 13))
    yield made
    made.close()


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemoryStore(build)
    return request.getfixturevalue("redis_store")


def signed(sessions: Sessions, value: dict) -> str:
    """The cookie `sessions` sets for `value`."""
    response = Response()
    sessions.write(response, SimpleNamespace(is_secure=False), value)
    return response.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]


def request_with(cookie: str | None):
    return SimpleNamespace(cookies={} if cookie is None else {COOKIE: cookie})


def signed_in(sessions: Sessions, key: str = KEY) -> tuple[dict, str]:
    """A sign-in on `sessions`: the cookie's value and the cookie."""
    value = Sessions.fresh(sessions.start(key))
    return value, signed(sessions, value)


def test_a_cookie_signed_by_one_worker_is_read_by_another(store, twin):
    one, other = Sessions(store), Sessions(twin)
    value, cookie = signed_in(one)
    assert other.read(request_with(cookie)) == value
    assert other.get(value) == {"sid": value["sid"], "key": KEY, "flashes": []}
    assert one.read(request_with(cookie + "x")) == {} and one.read(request_with(None)) == {}


def test_sign_out_on_one_worker_is_refused_on_every_worker(store, twin):
    one, other = Sessions(store), Sessions(twin)
    value, cookie = signed_in(one)
    other.end(other.read(request_with(cookie)))
    assert one.read(request_with(cookie)) == value, "the cookie still verifies ..."
    assert one.get(value) is None and other.get(value) is None, "... but names no session any more"


def test_a_session_expires_after_its_max_age(store):
    sessions = Sessions(store, max_age_seconds=0.4)
    value, _ = signed_in(sessions)
    assert sessions.get(value)["key"] == KEY
    time.sleep(0.5)
    assert sessions.get(value) is None


def test_the_cookie_expires_after_the_max_age_too():
    store = MemoryStore(build)
    sessions = Sessions(store, secret=SECRET)
    value, cookie = signed_in(sessions)
    later = Sessions(store, secret=SECRET, max_age_seconds=0)  # the same cookie, read after its max age
    time.sleep(1.05)  # the signature's timestamp counts whole seconds
    assert later.read(request_with(cookie)) == {} and sessions.read(request_with(cookie)) == value


def test_flashes_go_through_the_store(store, twin):
    one, other = Sessions(store), Sessions(twin)
    value, _ = signed_in(one)
    one.flash(one.get(value), "ok", "Done: Clock advanced by P1D")
    other.flash(other.get(value), "error", "Refused: Action not allowed")
    page = other.get(value)
    assert other.take_flashes(page) == [{"kind": "ok", "message": "Done: Clock advanced by P1D"},
                                        {"kind": "error", "message": "Refused: Action not allowed"}]
    assert one.take_flashes(page) == [], "each flash is shown once"
    assert one.get(value)["flashes"] == []


class Counted:
    """A store whose every use is noted by name."""

    def __init__(self, store):
        self.store, self.calls = store, []

    def __getattr__(self, name):
        self.calls.append(name)
        return getattr(self.store, name)


def test_a_page_without_flashes_costs_one_store_call(store):
    counted = Counted(store)
    sessions = Sessions(counted, secret=SECRET)
    value, cookie = signed_in(sessions)
    counted.calls.clear()
    session = sessions.get(sessions.read(request_with(cookie)))
    assert sessions.take_flashes(session) == []
    assert counted.calls == ["console_session"]
    sessions.flash(session, "ok", "Done")
    assert sessions.take_flashes(sessions.get(value)) == [{"kind": "ok", "message": "Done"}]
    assert counted.calls[1:] == ["console_session_flash", "console_session", "console_session_take_flashes"]


# -- the signing secret ------------------------------------------------------------------------------


def test_without_a_configured_secret_every_worker_signs_with_the_stores(store, twin):
    one, other = Sessions(store), Sessions(twin)
    stored = store.console_secret("unused-candidate-0123").encode()
    assert one.serializer().secret_key == other.serializer().secret_key == stored


def test_a_memory_store_is_one_process():
    store = MemoryStore(build)
    _, cookie = signed_in(Sessions(store))
    assert Sessions(MemoryStore(build)).read(request_with(cookie)) == {}, "another process, another secret"
    with pytest.raises(ConfigError, match="--workers 2 needs a shared store"):
        Config(workers=2).validate()


def test_a_configured_secret_is_used_and_the_store_never_asked(store):
    one = Sessions(store, secret=SECRET)
    _, cookie = signed_in(one)
    elsewhere = Sessions(MemoryStore(build), secret=SECRET)  # another replica, its own store even
    assert elsewhere.read(request_with(cookie))["csrf"]
    assert Sessions(store, secret=SECRET[::-1]).read(request_with(cookie)) == {}
    assert store.console_secret("the-first-candidate!") == "the-first-candidate!", "none was stored"


def test_the_secret_comes_from_the_flag_or_the_environment():
    from_env = Config.from_env({"SANDBOX_CONSOLE_SECRET": SECRET})
    assert from_env.console_secret == SECRET
    assert Config.from_env(from_env.to_env()) == from_env, "the server workers get it too"
    assert from_env.with_overrides(console_secret="b" * 16).validate().console_secret == "b" * 16, "the flag wins"
    assert SECRET not in repr(from_env)
    apps = [create_app(Config(console_secret=SECRET)), create_app(Config.from_env({"SANDBOX_CONSOLE_SECRET": SECRET}))]
    try:
        first, second = (app.extensions["sandbox"].console_sessions for app in apps)
        _, cookie = signed_in(first)
        assert second.read(request_with(cookie))["csrf"], "two processes with one secret read each other's cookies"
    finally:
        for app in apps:
            app.close()


@pytest.mark.parametrize("value", ["", "short", "fifteen-chars!!"])
def test_a_short_secret_is_refused_naming_the_flag(value):
    expected = (f"--console-secret (SANDBOX_CONSOLE_SECRET) must be at least 16 characters, got {len(value)} "
                "(e.g. openssl rand -hex 32)")
    with pytest.raises(ConfigError) as err:
        Config(console_secret=value).validate()
    assert str(err.value) == expected
    if value:
        with pytest.raises(ConfigError) as err:
            Config.from_env({"SANDBOX_CONSOLE_SECRET": value})
        assert str(err.value) == expected and value not in str(err.value)


def test_a_secret_redis_lost_is_made_again_and_every_worker_follows(redis_store):
    from sandbox.store.redis import RedisStore
    from sandbox.store.redis.sessions import SECRET_KEY

    old = Sessions(redis_store)
    value, old_cookie = signed_in(old)
    redis_store.r.delete(SECRET_KEY)  # FLUSHDB, eviction, a tidy-up
    twin = RedisStore(build, redis_store.url)
    try:
        new = Sessions(twin)  # a worker started since: it stores a new secret
        _, new_cookie = signed_in(new)
        assert new.read(request_with(old_cookie)) == {}, "the lost secret's cookies are void"
        assert old.read(request_with(new_cookie))["csrf"], "the old worker reads the store again and follows"
        assert old.serializer().secret_key == new.serializer().secret_key
        assert old.read(request_with(old_cookie)) == {}
    finally:
        twin.close()


# -- Redis: the key layout and round trips ---------------------------------------------------------------


def test_redis_keeps_one_expiring_key_per_session_named_by_a_digest(redis_store):
    store = redis_store
    sessions = Sessions(store)
    value, _ = signed_in(sessions)
    sessions.flash(sessions.get(value), "ok", "Done")
    keys = sorted(k.decode() for k in store.r.scan_iter(match="*"))
    assert len(keys) == 2 and all(k.startswith("sbx-console:") for k in keys), keys
    assert not any(value["sid"] in k or KEY in k for k in keys), "no session id or secret key in a key name"
    session_key = next(k for k in keys if k != "sbx-console:secret")
    assert MAX_AGE_SECONDS * 1000 - 5000 < store.r.pttl(session_key) <= MAX_AGE_SECONDS * 1000, "a flash keeps it"
    assert store.r.pttl("sbx-console:secret") == -1
    assert store.drop_all() == 0 and sessions.get(value)["key"] == KEY, "a reset of every namespace keeps it"


def test_redis_answers_each_session_operation_in_one_round_trip(redis_store, monkeypatch):
    store = redis_store
    from tests.api.test_redis_backend import RoundTrips

    sessions = Sessions(store)
    value, _ = signed_in(sessions)
    session = sessions.get(value)
    sessions.flash(session, "ok", "warm-up")  # the first EVALSHA of a script may need an EVAL
    trips = RoundTrips(monkeypatch)
    costs = {"start": trips.of(lambda: sessions.start(KEY)), "read": trips.of(lambda: sessions.get(value)),
             "flash": trips.of(lambda: sessions.flash(session, "ok", "Done")),
             "take": trips.of(lambda: sessions.take_flashes({**session, "flashes": ["shown"]})),
             "sign-out": trips.of(lambda: sessions.end(value)),
             "secret": trips.of(lambda: store.console_secret("candidate-0123456789"))}
    assert costs == {"start": 1, "read": 1, "flash": 1, "take": 1, "sign-out": 1, "secret": 1}
