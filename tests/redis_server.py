"""A real redis-server of the suite's own, for the Redis backend's tests, and a Redis Cluster of
three of them.

    with running_redis() as server:      # a free port on 127.0.0.1, no persistence files
        server.url                       # redis://127.0.0.1:<port>/0
        server.stop(); server.start()    # a restart on the SAME port (fault tests)

    with running_cluster() as cluster:   # three masters on free ports, no replicas
        cluster.url                      # redis+cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,127.0.0.1:<p3>
        cluster.flush()                  # FLUSHALL on every master (a cluster has database 0 only)
        cluster.node_of(key)             # the RedisProcess serving the key's slot (stop/start it)

It runs Debian's `redis-server` (`make test` installs it when missing and we are root) in the
foreground with saving and the append-only file off and its working directory in a temporary
directory that is removed on exit; a cluster's nodes are joined with `redis-cli --cluster create`.
Without `redis-server` (or `redis-cli`, for a cluster) on PATH, or without redis-py, the test
asking for it is skipped with the reason (pytest.skip); so is a test whose cluster does not start.
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

    def __init__(self, port: int | None = None, directory: str | Path | None = None, options: tuple = ()):
        self.port = port or free_port()
        self.options = tuple(options)  # more redis-server options (a cluster node's)
        self.directory = Path(directory or tempfile.mkdtemp(prefix="payluk-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.log = self.directory.parent / f"{self.directory.name}.log"  # outside the directory checked empty

    def command(self) -> list[str]:
        return ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.directory), "--daemonize", "no",
                "--protected-mode", "no", "--logfile", "", *self.options]

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


# A master that stops answering is marked failed after this long (the default, 15 s, would make a
# shard's outage take that long to show as CLUSTERDOWN); then the cluster refuses every key.
CLUSTER_NODE_TIMEOUT_MS = 1000
CLUSTER_SECONDS = 20.0


def free_cluster_port() -> int:
    """A free port for a cluster node: at most 55535, its cluster bus (10000 above) free too."""
    while True:
        port = free_port()
        if port > 55535:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port


def cluster_unavailable() -> str | None:
    """Why no cluster can be started here, or None."""
    if shutil.which("redis-cli") is None:
        return "redis-cli is not on PATH (Debian: apt-get install redis-tools)"
    return unavailable()


class RedisClusterProcesses:
    """A Redis Cluster of `masters` redis-server processes on 127.0.0.1 (no replicas, nothing
    saved), each node's cluster state in `directory`/nodes-<port>.conf, so a stopped node started
    again rejoins with its slots (and no keys: it keeps no data)."""

    def __init__(self, masters: int = 3):
        self.directory = Path(tempfile.mkdtemp(prefix="payluk-redis-cluster-"))
        self.nodes = []
        for _ in range(masters):
            port = free_cluster_port()
            self.nodes.append(RedisProcess(port, self.directory / f"node-{port}", options=(
                "--cluster-enabled", "yes", "--cluster-config-file", str(self.directory / f"nodes-{port}.conf"),
                "--cluster-node-timeout", str(CLUSTER_NODE_TIMEOUT_MS))))
        for node in self.nodes:
            node.directory.mkdir()
        self.url = "redis+cluster://" + ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)
        self.created = False

    def start(self) -> "RedisClusterProcesses":
        """Start every node that is not running (the first time, join them: every slot assigned)
        and wait until every node says `cluster_state:ok`."""
        for node in self.nodes:
            node.start()
        if not self.created:
            command = ["redis-cli", "--cluster", "create", *(f"127.0.0.1:{node.port}" for node in self.nodes),
                       "--cluster-replicas", "0", "--cluster-yes"]
            result = subprocess.run(command, capture_output=True, text=True, timeout=CLUSTER_SECONDS,
                                    start_new_session=True, stdin=subprocess.DEVNULL)
            if result.returncode != 0:
                raise RuntimeError(f"redis-cli --cluster create failed: {(result.stdout + result.stderr)[-500:]}")
            self.created = True
        self.wait_until_ok()
        return self

    def wait_until_ok(self, seconds: float = CLUSTER_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while (states := self.states()) != ["ok"] * len(self.nodes):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the cluster is not ok after {seconds} s: {states}")
            time.sleep(0.05)

    def states(self) -> list[str | None]:
        """Each node's `cluster_state` (None: it does not answer)."""
        return [self._ask(node, lambda c: c.cluster("info")["cluster_state"]) for node in self.nodes]

    def node_of(self, key: str) -> RedisProcess:
        """The node serving `key`'s slot (as any answering node's CLUSTER SLOTS says)."""
        from redis.crc import key_slot

        slot = key_slot(key.encode())
        for node in self.nodes:
            for start, end, (_, port, *_), *_ in self._ask(node, lambda c: c.cluster("slots")) or ():
                if start <= slot <= end:
                    return next(n for n in self.nodes if n.port == int(port))
        raise LookupError(f"no node serves slot {slot}")

    def flush(self) -> None:
        """Empty every master (FLUSHALL: a cluster has database 0 only)."""
        for node in self.nodes:
            self._ask(node, lambda c: c.flushall(), strict=True)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def cleanup(self) -> None:
        """Stop every node (process group and all), then remove every file."""
        try:
            self.stop()
        finally:
            for node in self.nodes:
                node.cleanup()
            shutil.rmtree(self.directory, ignore_errors=True)

    @staticmethod
    def _ask(node: RedisProcess, question, strict: bool = False):
        import redis

        client = redis.Redis(host="127.0.0.1", port=node.port, socket_connect_timeout=0.5, socket_timeout=2)
        try:
            return question(client)
        except (redis.RedisError, OSError):
            if strict:
                raise
            return None
        finally:
            client.close()


@contextlib.contextmanager
def running_cluster():
    """A started three-master RedisClusterProcesses, stopped and its files removed on exit (even
    when the test fails); skips the test (pytest.skip) with the reason when none can run here or
    it does not start."""
    reason = cluster_unavailable()
    if reason is not None:
        pytest.skip(f"Redis Cluster not available: {reason}")
    cluster = RedisClusterProcesses()
    try:
        try:
            cluster.start()
        except (RuntimeError, OSError, subprocess.SubprocessError) as err:
            pytest.skip(f"Redis Cluster did not start: {err}")
        yield cluster
    finally:
        cluster.cleanup()
