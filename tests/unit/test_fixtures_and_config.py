"""Fixture files (a bad one names file and field) and settings from the environment."""

import json

import pytest

from sandbox.server.config import Config, ConfigError
from sandbox.controlplane.fixture_sets import DEFAULT_DIR, FixtureError, load_fixture

DOCS_BENEFICIARY = "665f1b2c9a1e4d0012ab3c40"


def test_default_fixtures():
    fixture = load_fixture(None)
    ids = [c["id"] for c in fixture["customers"]]
    assert DOCS_BENEFICIARY in ids and fixture["merchant"]["super_admin"] is True
    rich = max(fixture["customers"], key=lambda c: c["main_balance"])
    assert rich["main_balance"] >= 1025000, "a buyer can fund the docs' 1,000,000 example with its fee"


def test_directory_or_file():
    assert load_fixture(DEFAULT_DIR) == load_fixture(DEFAULT_DIR / "default.json")


def _write(tmp_path, data):
    file = tmp_path / "bad.json"
    file.write_text(data if isinstance(data, str) else json.dumps(data))
    return file


def _default():
    return json.loads((DEFAULT_DIR / "default.json").read_text())


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["customers"][1].update(email="nope"), '"customers[1].email" must be a valid email'),
    (lambda d: d["customers"][0].pop("firstname"), '"customers[0].firstname" is required'),
    (lambda d: d["customers"][2].update(mainBalance=-1), '"customers[2].mainBalance" must be greater than or equal to 0'),
    (lambda d: d["customers"][0].update(id="xyz"), '"customers[0].id" must be a valid id (24 hex characters)'),
    (lambda d: d["merchant"].pop("id"), '"merchant.id" is required'),
    (lambda d: d.update(extra=1), '"extra" is not allowed'),
    (lambda d: d["customers"][1].update(id=d["customers"][0]["id"]), '"customers[1].id" repeats'),
])
def test_bad_fixture_names_file_and_field(tmp_path, mutate, expected):
    data = _default()
    mutate(data)
    file = _write(tmp_path, data)
    with pytest.raises(FixtureError) as err:
        load_fixture(file)
    assert str(err.value).startswith(f"{file}: {expected}")


def test_fixture_not_json(tmp_path):
    file = _write(tmp_path, "{nope")
    with pytest.raises(FixtureError, match=r"bad.json: not valid JSON"):
        load_fixture(file)


def test_fixture_missing(tmp_path):
    with pytest.raises(FixtureError, match="file not found"):
        load_fixture(tmp_path / "absent.json")


def test_config_from_env():
    config = Config.from_env({"PORT": "9000", "HOST": "0.0.0.0", "SANDBOX_SEED": "5", "SANDBOX_PORT": "9100",
                              "SANDBOX_CLOCK_START": "2026-06-22T10:15:00Z"})
    assert (config.port, config.host, config.seed) == (9100, "0.0.0.0", 5)
    assert Config.from_env(config.to_env()) == config


@pytest.mark.parametrize("env, message", [
    ({"PORT": "http"}, "PORT must be an integer"),
    ({"SANDBOX_PORT": "70000"}, "port must be between"),
    ({"SANDBOX_CLOCK_START": "yesterday"}, "clock start is not an ISO-8601 instant"),
    ({"SANDBOX_THREADS": "0"}, "threads must be at least 1"),
    ({"SANDBOX_STORE": "postgres://db/0"}, r"store must be memory or a Redis URL .* got 'postgres://db/0'"),
    ({"SANDBOX_STORE": "redis://r:port/0"}, "store must be memory or a Redis URL"),
    ({"SANDBOX_STORE": "redis://r:6379/zero"}, "store must be memory or a Redis URL"),
    ({"SANDBOX_STORE": "unix://"}, "store must be memory or a Redis URL"),
    ({"SANDBOX_STORE": "Memory"}, "store must be memory or a Redis URL"),
    ({"SANDBOX_WORKERS": "0", "SANDBOX_STORE": "redis://r/0"}, "workers must be at least 1, got 0"),
    ({"SANDBOX_WORKERS": "many"}, "SANDBOX_WORKERS must be an integer, got 'many'"),
    ({"SANDBOX_NAMESPACE_TTL": "59"}, "namespace TTL must be at least 60 seconds, got 59"),
    ({"SANDBOX_NAMESPACE_TTL": "1h"}, "SANDBOX_NAMESPACE_TTL must be an integer, got '1h'"),
])
def test_config_errors(env, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)


def test_store_defaults_to_memory_in_one_process():
    config = Config.from_env({})
    assert (config.store, config.workers, config.namespace_ttl, config.shared_store) == ("memory", 1, 86400, False)


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "redis://redis:6379/0", "redis://localhost",
                                 "rediss://user:secret@cache.example:6380/2", "unix:///run/redis/redis.sock?db=1"])
def test_store_accepts_redis_urls(url):
    config = Config.from_env({"SANDBOX_STORE": url, "SANDBOX_WORKERS": "4", "SANDBOX_NAMESPACE_TTL": "600"})
    assert (config.store, config.workers, config.namespace_ttl, config.shared_store) == (url, 4, 600, True)
    assert Config.from_env(config.to_env()) == config, "the server workers rebuild the same config"
    env = config.to_env()
    assert (env["SANDBOX_STORE"], env["SANDBOX_WORKERS"], env["SANDBOX_NAMESPACE_TTL"]) == (url, "4", "600")


@pytest.mark.parametrize("url", ["redis+cluster://127.0.0.1:7000", "redis+cluster://a:7000,b:7001,c:7002/0",
                                 "rediss+cluster://user:secret@cache.example:6380,[::1]:6381?ssl_cert_reqs=none"])
def test_store_accepts_redis_cluster_urls(url):
    config = Config.from_env({"SANDBOX_STORE": url, "SANDBOX_WORKERS": "4"})
    assert (config.store, config.workers, config.shared_store) == (url, 4, True)
    assert Config.from_env(config.to_env()) == config, "the server workers rebuild the same config"


@pytest.mark.parametrize("url, why", [
    ("redis+cluster://", "every comma-separated node needs a host (host:port)"),
    ("redis+cluster://a:7000,,b:7001", "every comma-separated node needs a host (host:port)"),
    ("redis+cluster://a:7000,b:seven", "the node 'b:seven' has no numeric port"),
    ("redis+cluster://a:7000/3", "a Redis Cluster has database 0 only"),
    ("memcached+cluster://a:7000", "a Redis Cluster URL starts with redis+cluster:// or rediss+cluster://"),
])
def test_store_refuses_a_bad_cluster_url_saying_why(url, why):
    with pytest.raises(ConfigError) as err:
        Config(store=url).validate()
    assert str(err.value) == (f"store is not a Redis Cluster URL (redis+cluster://host:port[,host:port...]): {why}, "
                              f"got {url!r}")


def test_a_cluster_url_is_what_redis_py_takes():
    """redis-py's RedisCluster takes one node's redis:// URL (credentials, TLS and options with it)
    and more nodes to start from; a node without a port is on 6379."""
    from sandbox.store.redis.connect import cluster_nodes

    assert cluster_nodes("rediss+cluster://u:p%40ss@h1:7000,[::1]:7001,h3?ssl_cert_reqs=none") == (
        "rediss://u:p%40ss@h1:7000?ssl_cert_reqs=none", [("h1", 7000), ("::1", 7001), ("h3", 6379)])
    assert cluster_nodes("REDIS+CLUSTER://[::1]:7000/0") == ("redis://[::1]:7000", [("::1", 7000)])


@pytest.mark.parametrize("workers", [2, 16])
def test_several_workers_need_a_shared_store(workers):
    expected = (f"--workers {workers} needs a shared store: the memory store lives in one process "
                "(use --store redis://host:port/db)")
    with pytest.raises(ConfigError) as err:
        Config.from_env({"SANDBOX_WORKERS": str(workers)})
    assert str(err.value) == expected
    with pytest.raises(ConfigError) as err:
        Config(workers=workers).validate()
    assert str(err.value) == expected
    assert Config(workers=workers, store="redis://r:6379/0").validate().workers == workers


def test_flags_override_the_store_settings():
    config = Config.from_env({"SANDBOX_STORE": "redis://a:6379/0", "SANDBOX_WORKERS": "2"})
    assert config.with_overrides(store="redis://b:6379/1", namespace_ttl=120).validate() == Config(
        store="redis://b:6379/1", workers=2, namespace_ttl=120)
    with pytest.raises(ConfigError, match="--workers 2 needs a shared store"):
        config.with_overrides(store="memory").validate()


# -- named fixture sets ----------------------------------------------------------------------------

from sandbox import create_app  # noqa: E402
from sandbox.controlplane.fixture_sets import load_fixture_sets  # noqa: E402


def _set_dir(tmp_path, **sets):
    (tmp_path / "default.json").write_text(json.dumps(_default()))
    for name, data in sets.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(data))
    return tmp_path


def test_named_sets_extend_default(tmp_path):
    directory = _set_dir(tmp_path, extra={"extends": "default", "customers": [{
        "id": "665f1b2c9a1e4d0012ab3c99", "firstname": "New", "lastname": "Person", "email": "new@x.example",
        "phone": "08000000099", "mainBalance": 5}]})
    sets = load_fixture_sets(directory)
    assert sorted(sets) == ["default", "extra"]
    assert len(sets["extra"]["customers"]) == len(sets["default"]["customers"]) + 1


def test_the_repository_sets_load():
    assert sorted(load_fixture_sets(None)) == ["claimable-standard", "default", "disputed-standard",
                                               "funded-milestone", "unfunded-milestone"]


def test_a_directory_needs_default(tmp_path):
    (tmp_path / "other.json").write_text("{}")
    with pytest.raises(FixtureError, match="no default.json in the fixture directory"):
        load_fixture_sets(tmp_path)


def test_extends_must_name_a_set(tmp_path):
    directory = _set_dir(tmp_path, extra={"extends": "nothing"})
    with pytest.raises(FixtureError, match=r'extra.json: "extends" must name a set of this directory'):
        load_fixture_sets(directory)


def test_a_bad_step_names_the_file_and_the_step(tmp_path):
    directory = _set_dir(tmp_path, broken={"extends": "default", "actions": [
        {"op": "create_milestone_escrow", "customer": "665f1b2c9a1e4d0012ab3c30", "as": "m",
         "body": {"amount": 10, "purpose": "x", "whoPays": "buyer",
                  "milestones": [{"title": "a", "amount": 5}, {"title": "b", "amount": 6}]}}]})
    with pytest.raises(FixtureError) as err:
        create_app(Config(fixtures=str(directory)))
    assert str(err.value) == (f"{directory / 'broken.json'}: actions[0] (create_milestone_escrow): "
                              "The sum of milestone amounts must equal the escrow amount")


def test_a_bad_reference_names_the_step(tmp_path):
    directory = _set_dir(tmp_path, broken={"extends": "default", "actions": [
        {"op": "confirm_payment", "customer": "665f1b2c9a1e4d0012ab3c31", "escrow": "$nothing.id"}]})
    with pytest.raises(FixtureError, match=r"actions\[0\] \(confirm_payment\): \$nothing.id: nothing was saved"):
        create_app(Config(fixtures=str(directory)))


def test_an_unknown_op(tmp_path):
    directory = _set_dir(tmp_path, broken={"extends": "default", "actions": [{"op": "teleport"}]})
    with pytest.raises(FixtureError, match=r'broken.json: "actions\[0\].op" must be one of'):
        load_fixture_sets(directory)


def test_dates_relative_to_the_clock(tmp_path):
    """`$today+P23D` is the namespace clock's date plus a duration: the shipped milestone sets'
    due dates stay ahead of any clock (the docs' 2026-07-15 on the suite's 2026-06-22 clock)."""
    app = create_app(Config(clock_start="2026-06-22T10:15:00Z"))
    try:
        ns = app.extensions["sandbox"].store.reset("sk_test_dates", fixtures="unfunded-milestone")
        with ns.lock:
            [escrow] = ns.all("escrows")
        assert [m["due_date"] for m in escrow["milestones"]] == ["2026-07-15", "2026-08-15", None]
    finally:
        app.close()


def test_a_bad_relative_date_names_the_step(tmp_path):
    directory = _set_dir(tmp_path, broken={"extends": "default", "actions": [
        {"op": "create_milestone_escrow", "customer": "665f1b2c9a1e4d0012ab3c30",
         "body": {"amount": 10, "purpose": "x", "whoPays": "buyer",
                  "milestones": [{"title": "a", "amount": 5, "dueDate": "$today+P1Y"}, {"title": "b", "amount": 5}]}}]})
    with pytest.raises(FixtureError, match=r"actions\[0\] \(create_milestone_escrow\): \$today\+P1Y is not a date: "):
        create_app(Config(fixtures=str(directory)))
