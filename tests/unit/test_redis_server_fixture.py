"""tests/redis_server.py: a private redis-server that restarts on its port and leaves no files."""

import pytest

from tests.redis_server import RedisProcess, flush, running_redis


def test_starts_restarts_on_the_same_port_and_leaves_no_files():
    import redis

    with running_redis() as server:
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        client = redis.Redis.from_url(server.url, socket_connect_timeout=2)
        client.set("k", "v")
        assert client.get("k") == b"v"
        flush(server.url)
        assert client.get("k") is None
        client.set("k", "v2")

        server.stop()
        assert not server.running
        with pytest.raises(redis.ConnectionError):
            client.ping()
        server.start()
        assert server.running and server.url.endswith(f":{server.port}/0")
        assert client.ping()  # the same URL answers again (redis-py reconnects)
        assert client.get("k") is None, "no persistence: a restart starts empty"
        client.set("k", "v3")
        client.close()

        server.stop()
        assert list(server.directory.iterdir()) == [], "no RDB / AOF files were written"
        directory, log = server.directory, server.log
    assert not directory.exists() and not log.exists()


def test_a_server_that_cannot_start_says_why(tmp_path):
    with running_redis() as busy:
        clash = RedisProcess(port=busy.port, directory=tmp_path)
        with pytest.raises(RuntimeError, match=f"port {busy.port} did not start"):
            clash.start()
        assert not clash.running
        clash.cleanup()


def test_skips_with_the_reason_without_redis_server(monkeypatch):
    monkeypatch.setattr("tests.redis_server.shutil.which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="redis-server not available: redis-server is not on PATH"):
        with running_redis():
            pass
