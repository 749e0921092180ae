"""sandbox/server/serving.py: the request runner answers on granian's channel, parks a request that must
wait (its thread goes on serving), and replays it, body and all, once the wait is over."""

import io
import json
import threading
import time

import pytest

from sandbox.server import serving
from sandbox.server.config import Config
from sandbox.server.serving import ARRIVED, PARKING, WAITED, Park, ParkingRunner, pause
from tests.conftest import BUYER, make_config


class Proto:
    """granian's response channel for one request, as the runner uses it."""

    def __init__(self):
        self.answers = []
        self.answered = threading.Event()

    def response_bytes(self, status, headers, body):
        self.answers.append((status, headers, body))
        self.answered.set()

    def response_iter(self, status, headers, chunks):
        try:
            body = b"".join(iter(chunks.__next__, None))
        except Exception as err:  # granian drops the connection after the head
            body = err
        self.response_bytes(status, headers, body)


def scope(path="/", method="GET", body=b"", headers=None, **extra) -> dict:
    """A WSGI scope as granian's Rust side builds it (no base keys: the runner adds those)."""
    built = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
             "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
             "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "HTTP_HOST": "127.0.0.1:8080"}
    if body:
        built["CONTENT_LENGTH"] = str(len(body))
        built["CONTENT_TYPE"] = "application/json"
    built.update(headers or {})
    built.update(extra)
    return built


def echo_app(seen):
    """A WSGI app that pauses as `/wait/<ms>` asks, and answers what it saw."""

    def app(environ, start_response):
        body = environ["wsgi.input"].read()
        seen.append((environ["PATH_INFO"], bool(environ.get(WAITED)), body))
        if environ["PATH_INFO"].startswith("/wait/"):
            pause(environ, int(environ["PATH_INFO"].rsplit("/", 1)[1]) / 1000)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode(), b" ", body]

    return app


def test_pause__sleeps_outside_the_runner():
    started = time.perf_counter()
    pause({}, 0.02)
    assert time.perf_counter() - started >= 0.02


def test_pause__parks_under_the_runner_and_returns_at_once_in_the_replay():
    with pytest.raises(Park) as raised:
        pause({PARKING: True}, 1.5)
    assert raised.value.seconds == 1.5
    started = time.perf_counter()
    pause({PARKING: True, WAITED: True}, 5)
    assert time.perf_counter() - started < 1


def test_runner__answers_on_the_channel():
    seen = []
    runner, proto = ParkingRunner(echo_app(seen)), Proto()
    runner(proto, scope("/hello", "POST", b'{"a":1}'))
    assert proto.answers == [(200, [("Content-Type", "text/plain")], b'/hello {"a":1}')]
    assert seen == [("/hello", False, b'{"a":1}')]


def test_runner__a_waiting_request_holds_no_thread_and_is_replayed_with_its_body():
    seen = []
    runner = ParkingRunner(echo_app(seen))
    slow, fast = Proto(), Proto()
    runner(slow, scope("/wait/300", "POST", b'{"ref":"x"}'))  # returns at once: parked
    assert slow.answers == []
    runner(fast, scope("/now"))  # the same thread serves the next request meanwhile
    assert fast.answers[0][2] == b"/now "
    assert slow.answered.wait(5), "the waker never replayed the parked request"
    assert slow.answers == [(200, [("Content-Type", "text/plain")], b'/wait/300 {"ref":"x"}')]
    assert seen == [("/wait/300", False, b'{"ref":"x"}'), ("/now", False, b""), ("/wait/300", True, b'{"ref":"x"}')]


def test_runner__due_requests_are_replayed_by_the_next_request_in_due_order():
    seen = []
    runner = ParkingRunner(echo_app(seen))
    runner._waker = threading.Thread()  # no waker: only requests replay what is due
    later, sooner = Proto(), Proto()
    runner(later, scope("/wait/60"))
    runner(sooner, scope("/wait/30"))
    time.sleep(0.1)
    runner(Proto(), scope("/next"))
    assert [path for path, waited, _ in seen if waited] == ["/wait/30", "/wait/60"]
    assert seen[-1][0] == "/next"  # after the replays it ran before
    assert sooner.answers and later.answers


def test_runner__arrival_time_is_kept_for_the_replay():
    arrivals = []

    def app(environ, start_response):
        arrivals.append(environ[ARRIVED])
        pause(environ, 0.05)
        start_response("204 No Content", [])
        return []

    proto = Proto()
    ParkingRunner(app)(proto, scope())
    assert proto.answered.wait(5)
    assert len(arrivals) == 2 and arrivals[0] == arrivals[1]
    assert proto.answers == [(204, [], b"")]


def test_runner__a_body_over_the_limit_is_read_and_dropped():
    """Flask answers the 413 from the head; the body is read first (dropped, never handed on), so
    a client that sends all of it before reading gets that answer, not a broken pipe."""
    seen = []
    runner, proto = ParkingRunner(echo_app(seen), max_body_bytes=4), Proto()
    stream = io.BytesIO(b"12345")
    runner(proto, scope("/big", "POST", b"12345", **{"wsgi.input": stream}))
    assert seen == [("/big", False, b"")]
    assert stream.tell() == 5


def test_runner__a_body_over_the_limit_waiting_for_100_continue_or_too_big_to_drop_is_left_unread(monkeypatch):
    from sandbox.server import serving

    seen = []
    runner = ParkingRunner(echo_app(seen), max_body_bytes=4)
    waiting = io.BytesIO(b"12345")  # the client sends nothing until told to continue
    runner(Proto(), scope("/wait", "POST", b"12345", headers={"HTTP_EXPECT": "100-continue"}, **{"wsgi.input": waiting}))
    monkeypatch.setattr(serving, "DRAIN_BYTES", 4)
    huge = io.BytesIO(b"12345")
    runner(Proto(), scope("/huge", "POST", b"12345", **{"wsgi.input": huge}))
    assert [s[0] for s in seen] == ["/wait", "/huge"] and (waiting.tell(), huge.tell()) == (5, 5)  # the app's reads
    assert [s[2] for s in seen] == [b"12345", b"12345"], "the body was left for the app, unread by the runner"


def test_runner__a_chunked_body_is_read_to_one_byte_past_the_limit():
    seen = []
    runner = ParkingRunner(echo_app(seen), max_body_bytes=4)
    stream = io.BytesIO(b"123456789")
    runner(Proto(), scope("/chunked", "POST", headers={"HTTP_TRANSFER_ENCODING": "chunked"}, **{"wsgi.input": stream}))
    assert seen == [("/chunked", False, b"12345")]
    assert stream.tell() == 9, "the rest read and dropped (Flask refuses it: 413)"


def test_runner__a_crash_outside_the_app_is_a_500_envelope():
    def broken(environ, start_response):
        raise RuntimeError("middleware bug")

    proto = Proto()
    ParkingRunner(broken)(proto, scope())
    status, _, body = proto.answers[0]
    assert (status, json.loads(body)) == (500, {"status": 500, "message": "Internal server error", "data": {}})


def test_runner__an_iterated_answer_is_joined_and_closed():
    closed = []

    class Body:
        def __iter__(self):
            return iter([b"a", b"b"])

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [])
        return Body()

    proto = Proto()
    ParkingRunner(app)(proto, scope())
    assert proto.answers == [(200, [], b"ab")] and closed == [True]


def test_runner__a_deliberately_dropped_answer_sends_its_head_and_no_body(caplog):
    """`response_lost`: the body raises ConnectionAbortedError; the head (with its
    Content-Length) goes out with no body, so the client's connection breaks — one INFO line,
    no traceback."""

    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "10")])
        yield b"partial"
        raise ConnectionAbortedError("dropped on purpose")

    proto = Proto()
    with caplog.at_level("INFO", logger="sandbox"):
        ParkingRunner(app)(proto, scope())
    assert proto.answers == [(200, [("Content-Length", "10")], b"")]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records] == [
        ("INFO", "dropped on purpose", None)]


def test_runner__a_body_that_fails_is_a_500_envelope():
    def app(environ, start_response):
        start_response("200 OK", [])
        yield b"partial"
        raise KeyError("bug")

    proto = Proto()
    ParkingRunner(app)(proto, scope())
    assert proto.answers[0][0] == 500 and json.loads(proto.answers[0][2])["message"] == "Internal server error"


# -- the sandbox app through the runner --------------------------------------------------------------


def test_sandbox_app__a_latency_fault_is_parked_replayed_and_journaled_once():
    from sandbox.app import create_app

    app = create_app(make_config())
    runner = ParkingRunner(app, app.config["MAX_CONTENT_LENGTH"])
    auth = {"HTTP_AUTHORIZATION": "Bearer sk_test_serving", "HTTP_CUSTOMER_ID": BUYER}
    slow, fast = Proto(), Proto()
    runner(slow, scope("/v1/wallet", headers={**auth, "HTTP_X_SANDBOX_SCENARIO": "latency; ms=200"}))
    runner(fast, scope("/v1/wallet", headers=auth))
    assert fast.answers[0][0] == 200 and slow.answers == []
    assert slow.answered.wait(5)
    status, headers, body = slow.answers[0]
    assert status == 200 and json.loads(body)["message"] == "Wallet fetched successfully"
    assert ("X-Sandbox-Scenario-Applied", "latency") in headers
    journal = Proto()
    runner(journal, scope("/_sandbox/requests", headers={"HTTP_AUTHORIZATION": "Bearer sk_test_serving"}))
    entries = json.loads(journal.answers[0][2])["data"]["data"]
    assert [e["scenario"] for e in entries] == ["latency", None]  # newest first; one entry each
    assert entries[0]["latencyMs"] >= 200


def test_granian_spawner__installs_the_runner_with_this_granian():
    """The runner reaches granian through its WSGI worker; if a granian upgrade moves what it
    hooks into, this fails (the server would fall back to sleeping in the request thread)."""
    assert serving.granian_spawner() is not None


def test_threads_setting():
    assert Config().threads == 1
    assert Config.from_env({"SANDBOX_THREADS": "3"}).threads == 3
    assert Config.from_env(Config(threads=2).to_env()).threads == 2
