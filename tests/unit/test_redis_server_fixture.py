"""tests/redis_server.py: a private redis-server that restarts on its port and leaves no files, and a
Redis Cluster of three that is skipped with the reason, and leaves nothing, when it does not start."""

import pytest

from tests.redis_server import RedisProcess, flush, running_cluster, running_redis


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


def test_the_suite_cluster_is_three_masters_serving_every_slot(redis_cluster):
    """conftest's `redis_cluster`: three masters, every slot served, the URL names all three."""
    import redis

    assert redis_cluster.states() == ["ok"] * 3
    assert redis_cluster.url == "redis+cluster://" + ",".join(f"127.0.0.1:{n.port}" for n in redis_cluster.nodes)
    client = redis.Redis(port=redis_cluster.nodes[0].port, socket_connect_timeout=2)
    try:
        ranges = client.cluster("slots")
    finally:
        client.close()
    assert sorted(int(port) for _, _, (_, port, *_), *_ in ranges) == sorted(n.port for n in redis_cluster.nodes)
    assert sum(end - start + 1 for start, end, *_ in ranges) == 16384
    owners = {redis_cluster.node_of(f"k{i}").port for i in range(30)}
    assert len(owners) == 3


def test_a_cluster_that_does_not_start_is_skipped_and_leaves_nothing(monkeypatch):
    """A failed `redis-cli --cluster create` skips the test with the reason, and the nodes already
    started are stopped (process group and all) and their files removed."""
    from tests import processes, redis_server

    made, pids = [], []
    real = redis_server.RedisClusterProcesses

    class Failing(real):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    def no_create(command, **kwargs):
        assert command[:3] == ["redis-cli", "--cluster", "create"]
        pids.extend(node.process.pid for node in made[0].nodes if node.running)
        return redis_server.subprocess.CompletedProcess(command, 1, "", "[ERR] Node is not empty")

    monkeypatch.setattr(redis_server, "RedisClusterProcesses", Failing)
    monkeypatch.setattr(redis_server.subprocess, "run", no_create)
    with pytest.raises(pytest.skip.Exception, match="Redis Cluster did not start: .*Node is not empty"):
        with redis_server.running_cluster():
            pass
    [cluster] = made
    assert all(node.process is None for node in cluster.nodes)
    assert not cluster.directory.exists() and not any(node.log.exists() for node in cluster.nodes)
    assert len(pids) == 3 and not any(processes.group_alive(pid) for pid in pids)


def test_cluster_skips_with_the_reason_without_redis_cli(monkeypatch):
    monkeypatch.setattr("tests.redis_server.shutil.which", lambda name: None if name == "redis-cli" else "/usr/bin/x")
    with pytest.raises(pytest.skip.Exception, match="Redis Cluster not available: redis-cli is not on PATH"):
        with running_cluster():
            pass
