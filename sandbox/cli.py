"""The `payluk-sandbox` command: validate settings and fixtures, check the Redis store answers
(when there is one), print how to use the sandbox, then serve it with granian: by default one
process with in-memory state and a few threads; with `--store redis://...` state shared in Redis
and `--workers N` processes."""

import argparse
import os
import socket
import sys

from sandbox import __version__
from sandbox.config import Config, ConfigError, MEMORY_STORE
from sandbox.fixtures import FixtureError, load_fixture
from sandbox.serving import granian_spawner


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="payluk-sandbox",
        description="A stateful sandbox of the Payluk escrow API. Flags override the "
        "HOST/PORT/SANDBOX_* environment variables.",
    )
    parser.add_argument("--host", help="address to bind (default 127.0.0.1; HOST)")
    parser.add_argument("--port", type=int, help="port (default 8080, 0 = any free port; PORT)")
    parser.add_argument("--fixtures", help="fixture file, or a directory with default.json (SANDBOX_FIXTURES)")
    parser.add_argument("--seed", type=int, help="make ids and payment tokens reproducible (SANDBOX_SEED)")
    parser.add_argument("--clock-start", help="ISO-8601 instant new namespaces' clocks start frozen at (SANDBOX_CLOCK_START)")
    parser.add_argument("--threads", type=int, help="request threads of each worker (default 1: a request waiting in a latency "
                        "fault holds none; more run at once and compete for the GIL; SANDBOX_THREADS)")
    parser.add_argument("--no-controls", dest="controls", action="store_false", default=None,
                        help="switch the /_sandbox controls off (SANDBOX_CONTROLS=off)")
    parser.add_argument("--control-token", help="require X-Sandbox-Token on the controls (SANDBOX_CONTROL_TOKEN)")
    parser.add_argument("--webhook-url", help="callback URL new namespaces start with (SANDBOX_WEBHOOK_URL)")
    parser.add_argument("--store", metavar="URL", help="where the state lives: memory (default, this process) or a Redis URL, "
                        "redis://host:port/db, shared by every worker and replica (SANDBOX_STORE)")
    parser.add_argument("--workers", type=int, metavar="N", help="server worker processes (default 1; more need a Redis "
                        "--store; SANDBOX_WORKERS)")
    parser.add_argument("--namespace-ttl", type=int, metavar="SECONDS", help="seconds an idle namespace lives in the Redis "
                        "store (default 86400; SANDBOX_NAMESPACE_TTL)")
    parser.add_argument("--version", action="version", version=f"payluk-sandbox {__version__}")
    return parser.parse_args(argv)


def free_port(host: str) -> int:
    """A port the OS reports free on `host` (for `--port 0`)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def display_url(url: str) -> str:
    """`url` with any password masked, for the banner and error messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{user}:***@{host}").geturl()


def describe_store(config: Config) -> str:
    """The banner's words for the store: `memory`, or the Redis URL and the worker count."""
    if config.store == MEMORY_STORE:
        return MEMORY_STORE
    workers = "1 worker" if config.workers == 1 else f"{config.workers} workers"
    return f"{display_url(config.store)} ({workers})"


def check_store(config: Config) -> str | None:
    """None when the store answers (the memory store always does); else why the Redis one does not."""
    if config.store == MEMORY_STORE:
        return None
    try:
        import redis
    except ImportError as err:  # a dependency, but say so plainly if it is missing
        return f"redis-py is not installed ({err})"
    try:
        client = redis.Redis.from_url(config.store, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as err:
        return str(err) or type(err).__name__
    return None


def banner(config: Config, fixture: dict) -> str:
    """What a newcomer needs: the base URL, a key to use and the parties to act as."""
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::") else config.host
    url = f"http://{host}:{config.port}"
    lines = [
        f"payluk-sandbox {__version__} listening on {url}",
        f"  base URL: {url}/v1   (Authorization: Bearer sk_test_<anything>; each key is its own namespace)",
        f"  seed: {config.seed if config.seed is not None else 'random'}   fixtures: {config.fixtures or 'fixtures/default.json'}"
        f"   store: {describe_store(config)}",
        "  customers (send as the customer-id header):",
    ]
    for c in fixture["customers"]:
        name = f"{c['firstname']} {c['lastname']}"
        lines.append(f"    {c['id']}  {name:<16} {c['main_balance']:>12,} NGN  {c['note']}")
    return "\n".join(lines)


def granian(target: str, host: str, port: int, threads: int, factory: bool = True, workers: int = 1):
    """The production server: granian, WSGI, `workers` processes (1 unless the state is in Redis),
    each with `threads` blocking threads. (bench/ starts its bare-Flask ceiling through this too,
    so both share one configuration; `serve` adds the sandbox's own request runner.)"""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    return Granian(target, address=host, port=port, interface=Interfaces.WSGI, workers=workers,
                   blocking_threads=threads, factory=factory, log_level=LogLevels.warning)


def serve(config: Config) -> None:
    """Run the sandbox app on granian with the settings in `config`, each worker's requests run
    by sandbox/serving.py's `ParkingRunner` (a request waiting in a fault holds no thread)."""
    os.environ.update(config.to_env())
    spawner = granian_spawner()
    if spawner is None:
        print(f"payluk-sandbox: warning: granian {granian_version()} is not the one sandbox/serving.py was written "
              "against; a request waiting in a latency fault holds a request thread", file=sys.stderr)
    granian("sandbox.app:create_app_from_env", config.host, config.port, config.threads,
            workers=config.workers).serve(spawn_target=spawner)


def granian_version() -> str:
    from importlib.metadata import version

    return version("granian")


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        config = Config.from_env().with_overrides(
            host=args.host, port=args.port, fixtures=args.fixtures, seed=args.seed,
            clock_start=args.clock_start, threads=args.threads, controls=args.controls,
            control_token=args.control_token, webhook_url=args.webhook_url, store=args.store,
            workers=args.workers, namespace_ttl=args.namespace_ttl,
        ).validate()
        fixture = load_fixture(config.fixtures)
    except (ConfigError, FixtureError) as err:
        print(f"payluk-sandbox: {err}", file=sys.stderr)
        return 2
    problem = check_store(config)
    if problem is not None:
        print(f"payluk-sandbox: cannot reach the Redis store at {display_url(config.store)}: {problem}", file=sys.stderr)
        return 2
    if config.port == 0:
        config = config.with_overrides(port=free_port(config.host))
    print(banner(config, fixture), flush=True)
    serve(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
