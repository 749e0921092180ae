"""Stopping: every server configuration ends on SIGTERM — what `docker stop`, CI runners and these
tests send — within 5 s and leaves no process behind, whatever it was doing: a client's
keep-alive connection open, a request parked in a latency fault, webhook retries pending, its
Redis store gone. And the suite's own guard: a process a test started that is still alive at
the end of the session is found (tests/processes.py)."""

import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests import processes
from tests.conftest import BUYER, ROOT, SELLER, SESSION_MARKER
from tests.redis_server import RedisProcess, unavailable

STOP_LIMIT = 5.0
needs_redis = pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))


def start(*args) -> tuple[subprocess.Popen, str]:
    return processes.serve([sys.executable, "-m", "sandbox", "--port", "0", *args], seconds=15, cwd=ROOT)


def keep_alive(url: str) -> socket.socket:
    """A client connection that stays open after its answer (HTTP/1.1 keep-alive)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: sandbox\r\n\r\n")
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    return sock


def stop_time(proc: subprocess.Popen) -> float:
    """SIGTERM to the server's main process; seconds until its whole process group is gone."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    while processes.group_alive(proc.pid):
        if time.monotonic() - started > 30:
            processes.stop(proc)
            return float("inf")
        proc.poll()
        time.sleep(0.02)
    proc.wait(timeout=5)
    return time.monotonic() - started


def pay_in_latency_fault(url: str) -> threading.Thread:
    """A request that will sit parked for 10 s (its client gives up when the server goes)."""
    def call():
        try:
            requests.get(url + "/v1/wallet", timeout=30, headers={
                "Authorization": "Bearer sk_test_shutdown", "customer-id": BUYER,
                "X-Sandbox-Scenario": "latency; ms=10000"})
        except requests.RequestException:
            pass

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    time.sleep(0.3)
    return thread


def test_memory_store_with_a_keep_alive_connection_and_a_parked_request():
    proc, url = start()
    try:
        connection = keep_alive(url)
        pay_in_latency_fault(url)
        assert stop_time(proc) < STOP_LIMIT
        connection.close()
    finally:
        processes.stop(proc)


@needs_redis
@pytest.mark.parametrize("trial", range(3))
def test_two_workers_on_redis_with_a_keep_alive_connection(trial):
    """Seen before: > 30 s when the connection sat on one of the two workers (granian waits for
    it); now a worker that has not stopped within 3 s is killed."""
    redis = RedisProcess().start()
    try:
        proc, url = start("--store", redis.url, "--workers", "2")
        try:
            connections = [keep_alive(url) for _ in range(4)]  # new connections: spread over both workers
            assert stop_time(proc) < STOP_LIMIT
            for connection in connections:
                connection.close()
        finally:
            processes.stop(proc)
    finally:
        redis.stop()


@needs_redis
def test_two_workers_with_webhook_retries_pending_and_their_redis_gone():
    redis = RedisProcess().start()
    try:
        proc, url = start("--store", redis.url, "--workers", "2")
        try:
            auth = {"Authorization": "Bearer sk_test_shutdown_hooks"}
            with socket.socket() as closed:  # a port nobody listens on: every delivery fails, retries pend
                closed.bind(("127.0.0.1", 0))
                dead = f"http://127.0.0.1:{closed.getsockname()[1]}/hooks"
            assert requests.put(url + "/_sandbox/webhook", json={"url": dead}, headers=auth, timeout=10).ok
            created = requests.post(url + "/v1/escrow/create", headers={**auth, "customer-id": SELLER},
                                    data={"amount": "1000", "purpose": "x", "whoPays": "buyer"}, timeout=10)
            assert created.status_code == 201
            time.sleep(1)  # the dispatcher tried and failed: a retry is scheduled
            redis.stop()
            connection = keep_alive(url)
            assert stop_time(proc) < STOP_LIMIT
            connection.close()
        finally:
            processes.stop(proc)
    finally:
        redis.stop()


def test_a_process_left_running_is_found_by_the_session_check():
    """The guard behind `pytest_sessionfinish`: a process started here (and anything it starts)
    carries the session's marker until it ends. (Session-wide servers may be running beside
    this test: only the new processes are looked at.)"""
    before = {pid for pid, _ in processes.leftovers(SESSION_MARKER)}
    proc = processes.start([sys.executable, "-c", ("import subprocess, sys, time; "
                            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)")])
    try:
        deadline = time.monotonic() + 10
        while len({pid for pid, _ in processes.leftovers(SESSION_MARKER)} - before) < 2:
            assert time.monotonic() < deadline, processes.leftovers(SESSION_MARKER)
            time.sleep(0.05)
    finally:
        processes.stop(proc)
    assert {pid for pid, _ in processes.leftovers(SESSION_MARKER)} - before == set()
