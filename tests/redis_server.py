"""A real redis-server of the suite's own, for the Redis backend's tests.

    with running_redis() as server:      # a free port on 127.0.0.1, no persistence files
        server.url                       # redis://127.0.0.1:<port>/0
        server.stop(); server.start()    # a restart on the SAME port (fault tests)

It runs Debian's `redis-server` (`make test` installs it when missing and we are root) in the
foreground with saving and the append-only file off and its working directory in a temporary
directory that is removed on exit. Without `redis-server` on PATH, or without redis-py, the
test asking for it is skipped with the reason (pytest.skip).
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests import processes

START_SECONDS = 5.0
STOP_SECONDS = 5.0


def unavailable() -> str | None:
    """Why no server can be started here, or None."""
    if shutil.which("redis-server") is None:
        return "redis-server is not on PATH (Debian: apt-get install redis-server; `make test` does it as root)"
    try:
        import redis  # noqa: F401
    except ImportError as err:
        return f"redis-py cannot be imported ({err})"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database(url: str, number: int) -> str:
    """The URL of database `number` on the server `url` names, emptied (FLUSHDB)."""
    url = f"{url.rsplit('/', 1)[0]}/{number}"
    flush(url)
    return url


def flush(url: str) -> None:
    """Empty the database `url` names (FLUSHDB)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


class RedisProcess:
    """One redis-server on 127.0.0.1:`port`, its files (none are written) under `directory`."""

    def __init__(self, port: int | None = None, directory: str | Path | None = None):
        self.port = port or free_port()
        self.directory = Path(directory or tempfile.mkdtemp(prefix="payluk-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.log = self.directory.parent / f"{self.directory.name}.log"  # outside the directory checked empty

    def command(self) -> list[str]:
        return ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.directory), "--daemonize", "no",
                "--protected-mode", "no", "--logfile", ""]

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> "RedisProcess":
        """Start (or restart, on the same port) and wait until this process answers on the port."""
        if self.running:
            return self
        with open(self.log, "ab") as log:
            self.process = processes.start(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_SECONDS
        while self.answering_pid() != self.process.pid:  # not another process that holds the port
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not start: {self._log_tail()}")
            time.sleep(0.02)
        return self

    def answering_pid(self) -> int | None:
        """The process id of the redis-server answering on the port, or None."""
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return int(client.info("server")["process_id"])
        except (redis.RedisError, OSError, KeyError, ValueError):
            return None
        finally:
            client.close()

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL) and wait until the port is closed."""
        processes.stop(self.process, timeout=STOP_SECONDS)
        self.process = None

    def cleanup(self) -> None:
        """Stop, then remove the working directory and the log."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
        self.log.unlink(missing_ok=True)

    def _log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-500:].strip() or "(no output)"
        except OSError:
            return "(no log)"


@contextlib.contextmanager
def running_redis(port: int | None = None):
    """A started RedisProcess, stopped and its files removed on exit; skips the test (pytest.skip)
    when no redis-server can run here."""
    reason = unavailable()
    if reason is not None:
        pytest.skip(f"redis-server not available: {reason}")
    server = RedisProcess(port)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()
