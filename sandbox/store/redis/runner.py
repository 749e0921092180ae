"""The Lua scripts of the hot path (scripts/*.lua), called with as little client work as a round
trip allows: EVALSHA on a connection this thread keeps (no pool checkout, no retry wrapper per
call), loading the script when Redis does not know it yet (a restart forgets them). A client
that routes by key (Redis Cluster) calls through redis-py's own `Script`, which routes it."""

import hashlib
import os
import threading
from importlib import resources

import redis

from hiredis import pack_command as pack  # a dependency (pyproject.toml)

DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def source(name: str) -> str:
    """A Lua script shipped beside this package (package data)."""
    return resources.files("sandbox.store.redis").joinpath("scripts", f"{name}.lua").read_text()


class Connections:
    """One connection per thread (made by the client's pool with its settings), checked before
    each use as the pool checks its own: one that has data waiting or was closed by the server
    (Redis restarted) is connected again before anything is sent on it."""

    def __init__(self, client):
        self.client = client
        self.local = threading.local()
        self.made: list = []
        self.lock = threading.Lock()

    def get(self):
        held = getattr(self.local, "held", None)
        if held is None or held[0] != os.getpid():  # a forked worker makes its own
            held = (os.getpid(), self.client.connection_pool.make_connection())
            self.local.held = held
            with self.lock:
                self.made.append(held[1])
        conn = held[1]
        if conn._sock is not None:
            try:
                if conn.can_read(timeout=0):
                    raise redis.exceptions.ConnectionError("stale")
            except DOWN:
                conn.disconnect()
        return conn

    def close(self) -> None:
        """Close every thread's connection (a later call connects again)."""
        with self.lock:
            for conn in self.made:
                conn.disconnect()


class Script:
    """`script(keys=[…], args=[…])`: one round trip (two when Redis must load it first)."""

    def __init__(self, client, name: str, connections: Connections):
        self.text, self.connections = source(name), connections
        self.sha = hashlib.sha1(self.text.encode()).hexdigest()
        self.routed = not isinstance(client, redis.Redis)  # e.g. RedisCluster: redis-py routes the call
        self.registered = client.register_script(self.text) if self.routed else None

    def __call__(self, keys, args):
        if self.routed:
            return self.registered(keys=keys, args=args)
        conn = self.connections.get()
        command = [pack(("EVALSHA", self.sha, len(keys), *keys, *args))]  # packed in C, not per argument
        try:
            try:
                conn.send_packed_command(command)
                return conn.read_response()
            except redis.exceptions.NoScriptError:
                conn.send_command("SCRIPT", "LOAD", self.text)
                conn.read_response()
                conn.send_packed_command(command)
                return conn.read_response()
        except DOWN:
            conn.disconnect()  # the next call connects again
            raise
