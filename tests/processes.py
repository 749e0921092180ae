"""Processes the tests start — sandbox servers and their workers, redis-server, helpers — each in
a process group of its own, stopped with its whole group; and the session-end check that none
is left: every process a test starts (and whatever those start: granian workers, a benchmark's
servers, a browser) inherits SESSION_VARIABLE, so a leftover is found even after its parent
died (conftest's `pytest_sessionfinish` fails the run and kills it)."""

import os
import re
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import requests

SESSION_VARIABLE = "PAYLUK_SANDBOX_TEST_SESSION"


def mark_session() -> str:
    """Give this session's future child processes a marker of its own (call once, first)."""
    os.environ[SESSION_VARIABLE] = marker = uuid.uuid4().hex
    return marker


def start(command: list[str], **options) -> subprocess.Popen:
    """`subprocess.Popen` in a new session (its own process group), so `stop` reaches its
    children too."""
    return subprocess.Popen(command, start_new_session=True, **options)


def serve(command: list[str], seconds: float = 20, **options) -> tuple[subprocess.Popen, str]:
    """Start a sandbox server (`command` ends with `--port 0`), read the address its banner's
    first line prints and wait until `/healthz` answers; its output is drained in the background.
    Returns the process and its base URL; the caller stops it."""
    proc = start(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **options)
    first = proc.stdout.readline()
    match = re.search(r"http://[\d.]+:\d+", first)
    if not match:
        stop(proc)
        raise AssertionError(f"no address in the banner: {first}{proc.stdout.read()[-2000:]}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    url = match.group(0)
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            stop(proc)
            raise AssertionError(f"the server at {url} did not come up")
        time.sleep(0.02)


def stop(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """SIGTERM to the process's group, SIGKILL to what is left after `timeout`; waits for it."""
    if process is None:
        return
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + timeout
    while group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    _signal_group(process.pid, signal.SIGKILL)
    process.wait(timeout=timeout)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def leftovers(marker: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process that carries this session's marker."""
    needle = f"{SESSION_VARIABLE}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue  # a zombie's environment reads empty: it is gone already
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        found.append((int(entry.name), command))
    return found


def kill(pids) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
