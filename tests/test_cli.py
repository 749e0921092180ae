"""The `payluk-sandbox` command: banner, port 0, start-up, fixture and setting errors, the Redis
store (a shared state for several worker processes)."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from sandbox.server.cli import banner, display_url, granian
from sandbox.server.config import Config
from sandbox.controlplane.fixture_sets import DEFAULT_DIR, load_fixture_sets
from tests import processes
from tests.conftest import ROOT
from tests.redis_server import free_port, running_redis

SCRIPT = Path(sys.executable).parent / "payluk-sandbox"


def test_serves_on_a_free_port_and_prints_the_customers(capsys):
    started = time.perf_counter()
    proc = processes.start([str(SCRIPT), "--port", "0", "--seed", "3"], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(6)]
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines[0]).group(1)
        assert f"API:      {url}  (paths under /v1" in lines[1] and "Bearer sk_test_" in lines[1]
        assert f"docs:     {url}/docs" in lines[2] and f"console: {url}/_sandbox/console" in lines[2]
        assert "seed: 3" in lines[3] and "fixtures: built in (claimable-standard, default," in lines[3]
        assert "profile: 2026-06 (docs.payluk.ng as of mid-2026; per namespace: PUT /_sandbox/profile)" in lines[4]
        customers = [proc.stdout.readline() for _ in range(6)]
        assert any("665f1b2c9a1e4d0012ab3c40" in line for line in customers)
        assert customers[-1].strip() == "stop: Ctrl+C (SIGINT) or SIGTERM"
        while True:
            try:
                reply = requests.get(url + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert time.perf_counter() - started < 15
                time.sleep(0.01)
        elapsed = time.perf_counter() - started
        assert reply.json()["status"] == 200
        with capsys.disabled():
            print(f"\n[start-up to first response: {elapsed * 1000:.0f} ms]")
    finally:
        processes.stop(proc)


def test_bad_fixture_stops_start_up(tmp_path):
    data = json.loads((DEFAULT_DIR / "default.json").read_text())
    data["customers"][1]["email"] = "nope"
    file = tmp_path / "mine.json"
    file.write_text(json.dumps(data))
    result = subprocess.run([str(SCRIPT), "--fixtures", str(file), "--port", "0"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == f'payluk-sandbox: {file}: "customers[1].email" must be a valid email'


def test_bad_setting_stops_start_up():
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=30,
                            env={"PATH": "/usr/bin:/bin", "PORT": "eighty"})
    assert result.returncode == 2 and "PORT must be an integer" in result.stderr


def test_help_lists_the_flags():
    result = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=30)
    for flag in ("--host", "--port", "--fixtures", "--seed", "--clock-start", "--threads", "--store", "--workers",
                 "--namespace-ttl", "--console-secret"):
        assert flag in result.stdout


def _run(*args, **env):
    """The command with only PATH (and PYTHONPATH, when the suite runs a checkout through it) and `env`."""
    inherited = {name: os.environ[name] for name in ("PYTHONPATH",) if name in os.environ}
    return subprocess.run([str(SCRIPT), "--port", "0", *args], capture_output=True, text=True, timeout=30,
                          env={"PATH": "/usr/bin:/bin", **inherited, **env})


WORKERS_NEED_REDIS = ("payluk-sandbox: --workers 2 needs a shared store: the memory store lives in one process "
                      "(use --store redis://host:port/db)")


@pytest.mark.parametrize("args, env", [
    (["--workers", "2"], {}),
    ([], {"SANDBOX_WORKERS": "2"}),
    (["--workers", "2", "--store", "memory"], {"SANDBOX_STORE": "redis://127.0.0.1:1/0"}),  # the flag wins
])
def test_several_workers_need_a_shared_store(args, env):
    result = _run(*args, **env)
    assert result.returncode == 2
    assert result.stderr.strip() == WORKERS_NEED_REDIS
    assert result.stdout == ""


@pytest.mark.parametrize("args, env, message", [
    (["--store", "mysql://db/0"], {}, "payluk-sandbox: store must be memory or a Redis URL"),
    ([], {"SANDBOX_STORE": "redis://host:port/0"}, "got 'redis://host:port/0'"),
    (["--workers", "0"], {}, "payluk-sandbox: workers must be at least 1, got 0"),
    ([], {"SANDBOX_WORKERS": "two"}, "SANDBOX_WORKERS must be an integer, got 'two'"),
    (["--namespace-ttl", "10", "--store", "redis://127.0.0.1:1/0"], {},
     "payluk-sandbox: namespace TTL must be at least 60 seconds, got 10"),
    ([], {"SANDBOX_NAMESPACE_TTL": "1d"}, "SANDBOX_NAMESPACE_TTL must be an integer, got '1d'"),
])
def test_bad_store_settings_stop_start_up(args, env, message):
    result = _run(*args, **env)
    assert result.returncode == 2 and message in result.stderr, result.stderr


@pytest.mark.parametrize("args, env", [(["--console-secret", "too-short"], {}),
                                       ([], {"SANDBOX_CONSOLE_SECRET": "too-short"})])
def test_a_short_console_secret_stops_start_up_in_one_line(args, env):
    result = _run(*args, **env)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("payluk-sandbox: --console-secret (SANDBOX_CONSOLE_SECRET) must be at least 16 characters, "
                             "got 9 (e.g. openssl rand -hex 32)\n")


def test_unreachable_redis_stops_start_up():
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    started = time.perf_counter()
    result = _run("--store", url, "--workers", "2")
    assert result.returncode == 2
    assert result.stderr.startswith(f"payluk-sandbox: cannot reach the Redis store at {url}: "), result.stderr
    assert "Connection refused" in result.stderr or "connecting" in result.stderr
    assert result.stdout == "", "no banner for a sandbox that does not start"
    assert time.perf_counter() - started < 15


def test_unreachable_redis_message_masks_the_password():
    url = f"redis://user:hunter2@127.0.0.1:{free_port()}/0"
    result = _run("--store", url)
    assert result.returncode == 2 and "hunter2" not in result.stderr
    assert f"cannot reach the Redis store at redis://user:***@127.0.0.1:{url.rsplit(':', 1)[1]}" in result.stderr


def test_banner_names_the_store():
    sets = load_fixture_sets(None)
    assert "   store: memory" in banner(Config(seed=3), sets).splitlines()[3]
    shared = Config(store="redis://127.0.0.1:6379/0", workers=2)
    assert banner(shared, sets).splitlines()[3].endswith("store: redis://127.0.0.1:6379/0 (2 workers)")
    assert "(1 worker)" in banner(Config(store="redis://r:6379/1"), sets)
    assert display_url("rediss://:s3cret@r:6380/0") == "rediss://:***@r:6380/0"


def test_granian_gets_the_worker_count():
    assert granian("sandbox.app:create_app_from_env", "127.0.0.1", 0, 2, True, 3).workers == 3
    assert granian("sandbox.app:create_app_from_env", "127.0.0.1", 0, 2).workers == 1  # bench/'s positional call


def _wait_up(url: str, started: float) -> None:
    while True:
        try:
            requests.get(url + "/healthz", timeout=1)
            return
        except requests.ConnectionError:
            assert time.perf_counter() - started < 20
            time.sleep(0.02)


def test_two_workers_share_one_redis_state():
    """Two granian worker processes: what one writes, every fresh connection (either worker) reads."""
    import redis

    with running_redis() as server:
        started = time.perf_counter()
        proc = processes.start([str(SCRIPT), "--port", "0", "--seed", "3", "--store", server.url, "--workers", "2"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            lines = [proc.stdout.readline() for _ in range(4)]
            url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines[0]).group(1)
            assert lines[3].rstrip().endswith(f"store: {server.url} (2 workers)")
            _wait_up(url, started)
            headers = {"Authorization": "Bearer sk_test_workers"}
            for i in range(6):
                reply = requests.post(url + "/v1/escrow/category/create", json={"name": f"shared {i}"}, headers=headers,
                                      timeout=10)
                assert reply.status_code == 201, reply.text
            seen = set()
            for _ in range(20):  # a new connection each time: granian spreads them over its workers
                reply = requests.get(url + "/v1/escrow/category/get", headers=headers, timeout=10)
                seen.add(reply.text)
            assert len(seen) == 1 and all(f"shared {i}" in reply.text for i in range(6))
            assert redis.Redis.from_url(server.url).dbsize() > 0, "the state is in Redis"
            workers = subprocess.run(["ps", "--ppid", str(proc.pid), "-o", "pid="], capture_output=True, text=True)
            assert len(workers.stdout.split()) == 2
        finally:
            processes.stop(proc)


# -- start-up refuses clearly, before the banner ---------------------------------------------------


def test_a_port_another_server_listens_on_is_refused_and_the_first_keeps_serving():
    """granian shares a port between its own workers; a second sandbox there would start
    silently and requests would alternate between two states."""
    from tests.conftest import running_server

    with running_server() as url:
        port = url.rsplit(":", 1)[1]
        result = _run_on(port)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == (f"payluk-sandbox: 127.0.0.1:{port} is already in use (another server listens there; "
                                 "stop it or choose another --port)\n")
        assert requests.get(url + "/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize("host, why", [
    ("999.1.1.1", "the address does not resolve"),
    ("no-such-host.invalid", "the address does not resolve"),
    ("192.0.2.1", "Cannot assign requested address"),  # TEST-NET-1: never an address of this machine
])
def test_an_address_that_cannot_be_listened_on_is_one_line(host, why):
    result = subprocess.run([str(SCRIPT), "--host", host, "--port", "0"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"payluk-sandbox: cannot listen on {host}:") and why in lines[0]


def test_a_bad_extra_fixture_set_stops_start_up_before_the_banner(tmp_path):
    """Every set is replayed before anything is served, not only default.json: the file and the
    step in one line, exit 2, no traceback, no banner."""
    (tmp_path / "default.json").write_text((DEFAULT_DIR / "default.json").read_text())
    (tmp_path / "broken.json").write_text(json.dumps({
        "extends": "default", "description": "a step that fails",
        "actions": [{"op": "pay_escrow", "customer": "665f1b2c9a1e4d0012ab3c31",
                     "body": {"gateway": "WALLET", "transactionType": "ESCROW",
                              "escrowDetails": {"escrowId": "665f1b2c9a1e4d0012ab3caa"}}}]}))
    result = subprocess.run([str(SCRIPT), "--fixtures", str(tmp_path), "--port", "0"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"payluk-sandbox: {tmp_path / 'broken.json'}: actions[0] (pay_escrow): Escrow not found\n"


def test_an_unknown_op_in_an_extra_set_stops_start_up(tmp_path):
    (tmp_path / "default.json").write_text((DEFAULT_DIR / "default.json").read_text())
    (tmp_path / "odd.json").write_text(json.dumps({"extends": "default", "actions": [{"op": "teleport"}]}))
    result = subprocess.run([str(SCRIPT), "--fixtures", str(tmp_path), "--port", "0"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"payluk-sandbox: {tmp_path / 'odd.json'}: "), result.stderr
    assert len(result.stderr.splitlines()) == 1


def _run_on(port):
    return subprocess.run([str(SCRIPT), "--port", str(port)], capture_output=True, text=True, timeout=30)
