"""sandbox/serving.py: the server's threads take turns, and a sleeping request steps aside."""

import threading
import time

import pytest

from sandbox.config import Config, ConfigError
from sandbox.serving import RUN_LOCK, OneAtATime, pause


def test_requests_run_one_at_a_time_and_a_pause_lets_another_in():
    events = []

    def app(environ, start_response):
        events.append(("start", environ["name"]))
        if environ["name"] == "sleeper":
            pause(environ, 0.3)
        events.append(("end", environ["name"]))
        return [b""]

    wrapped = OneAtATime(app)
    sleeper = threading.Thread(target=wrapped, args=({"name": "sleeper"}, None))
    sleeper.start()
    time.sleep(0.05)
    wrapped({"name": "quick"}, None)  # runs while the sleeper is paused
    sleeper.join()
    assert events == [("start", "sleeper"), ("start", "quick"), ("end", "quick"), ("end", "sleeper")]
    assert not wrapped.lock.locked()


def test_the_lock_is_held_while_a_request_runs():
    seen = []
    wrapped = OneAtATime(lambda environ, start_response: seen.append(environ[RUN_LOCK].locked()) or [b""])
    wrapped({}, None)
    assert seen == [True] and not wrapped.lock.locked()


def test_pause_without_the_middleware_just_sleeps():
    started = time.perf_counter()
    pause({}, 0.01)
    assert time.perf_counter() - started >= 0.01


def test_serial_setting():
    assert Config().in_turns is True and Config().threads == 2
    assert Config.from_env({"SANDBOX_SERIAL": "off"}).in_turns is False
    assert Config.from_env(Config(serial=False).to_env()).in_turns is False
    # On Redis the threads overlap their round trips unless told otherwise.
    redis = Config(store="redis://127.0.0.1:6379/0")
    assert redis.in_turns is False and Config.from_env(redis.to_env()).in_turns is False
    assert Config.from_env({"SANDBOX_STORE": redis.store, "SANDBOX_SERIAL": "on"}).in_turns is True
    with pytest.raises(ConfigError, match="SANDBOX_SERIAL must be on or off"):
        Config.from_env({"SANDBOX_SERIAL": "maybe"})
