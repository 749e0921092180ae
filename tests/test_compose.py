"""docker-compose.yml and deploy/nginx.conf (no container engine runs here): the replicas start
with settings the CLI accepts, point at the compose Redis service, and are the servers nginx
balances over; a renamed service, port or URL on one side fails here."""

import re
import subprocess
import sys

import pytest

from sandbox.server.cli import parse_args
from sandbox.server.config import Config
from tests.conftest import ROOT

COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()


def _compose() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML (a schemathesis dependency) is not installed")
    return yaml.safe_load(COMPOSE_TEXT)


def _replicas(compose: dict) -> dict:
    return {name: service for name, service in compose["services"].items()
            if service.get("command", [None])[0] == "payluk-sandbox"}


def _upstream() -> tuple[str, list[tuple[str, int]]]:
    name, body = re.search(r"upstream\s+(\w+)\s*\{(.*?)\}", NGINX, re.S).groups()
    return name, [(host, int(port)) for host, port in re.findall(r"^\s*server\s+([\w.-]+):(\d+)", body, re.M)]


def _replica_config(service: dict) -> Config:
    """The config a replica runs with: its environment (compose's `${X:-default}` taken as the
    default) under its command's flags, exactly as `payluk-sandbox` builds it."""
    env = {name: re.sub(r"^\$\{\w+:-(.*)\}$", r"\1", str(value)) for name, value in service["environment"].items()}
    args = parse_args(service["command"][1:])
    return Config.from_env(env).with_overrides(
        host=args.host, port=args.port, store=args.store, workers=args.workers, namespace_ttl=args.namespace_ttl,
        seed=args.seed, threads=args.threads).validate()


def test_replicas_share_the_compose_redis():
    compose = _compose()
    replicas = _replicas(compose)
    assert sorted(replicas) == ["sandbox-1", "sandbox-2"]
    first, second = replicas.values()
    assert first == second, "the replicas run the same image, command and settings"
    config = _replica_config(first)
    assert (config.host, config.port, config.workers) == ("0.0.0.0", 8080, 2)
    # Served beyond loopback: compose refuses to start without a control token (`${X:?message}`).
    assert re.fullmatch(r"\$\{SANDBOX_CONTROL_TOKEN:\?.+\}", first["environment"]["SANDBOX_CONTROL_TOKEN"])
    store = re.fullmatch(r"redis://([\w.-]+):(\d+)/(\d+)", config.store)
    assert store, config.store
    redis_host, redis_port = store.group(1), int(store.group(2))
    redis = compose["services"][redis_host]  # the URL names the compose service
    assert redis["image"] == "redis:7-alpine" and redis_port == 6379
    assert "--appendonly" in redis["command"] and redis["command"][redis["command"].index("--appendonly") + 1] == "yes"
    volume = redis["volumes"][0].split(":")[0]
    assert volume in compose["volumes"] and redis["volumes"][0].endswith(":/data")
    assert first["depends_on"][redis_host]["condition"] == "service_healthy"
    assert first["build"] == "." and (ROOT / "Dockerfile").exists()


def test_nginx_balances_over_the_replicas():
    compose = _compose()
    replicas = _replicas(compose)
    upstream, servers = _upstream()
    assert sorted(host for host, _ in servers) == sorted(replicas)
    for host, port in servers:
        assert port == _replica_config(replicas[host]).port
    assert re.search(rf"proxy_pass\s+http://{upstream};", NGINX)
    nginx = compose["services"]["nginx"]
    listen = int(re.search(r"^\s*listen\s+(\d+);", NGINX, re.M).group(1))
    assert nginx["ports"] == [f"8080:{listen}"]
    mount = nginx["volumes"][0].split(":")
    assert (ROOT / mount[0]).resolve() == ROOT / "deploy" / "nginx.conf"
    assert mount[1] == "/etc/nginx/conf.d/default.conf", "conf.d files sit inside nginx's http block"
    assert {name for name, dep in nginx["depends_on"].items() if dep["condition"] == "service_healthy"} == set(replicas)


def test_nginx_keeps_connections_and_passes_requests_through():
    assert re.search(r"upstream\s+\w+\s*\{[^}]*keepalive\s+\d+;", NGINX, re.S)
    for directive in ("proxy_http_version 1.1;", 'proxy_set_header Connection "";', "client_max_body_size 2m;",
                      "proxy_set_header Host $http_host;"):
        assert directive in NGINX
    assert "proxy_pass_request_headers off" not in NGINX and "underscores_in_headers" not in NGINX
    body_limit = int(re.search(r"client_max_body_size (\d+)m;", NGINX).group(1)) * 1024 * 1024
    assert body_limit > Config().max_body_bytes, "the sandbox, not nginx, answers an oversized body"


def test_every_service_is_healthchecked():
    compose = _compose()
    for name, service in compose["services"].items():
        test = " ".join(service["healthcheck"]["test"])
        assert ("/healthz" in test) if name != "redis" else ("redis-cli ping" in test), name


def test_replica_healthcheck_command_runs(live_server):
    """The replicas' healthcheck, pointed at a live sandbox, succeeds."""
    test = _replicas(_compose())["sandbox-1"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"] and "127.0.0.1:8080/healthz" in test[3]
    port = live_server.rsplit(":", 1)[1]
    result = subprocess.run([sys.executable, "-c", test[3].replace(":8080/", f":{port}/")], timeout=10)
    assert result.returncode == 0
