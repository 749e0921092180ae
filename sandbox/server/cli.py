"""The `payluk-sandbox` command: validate settings and fixtures, check the Redis store answers
(when there is one), print how to use the sandbox, then serve it with granian: by default one
process with in-memory state and a few threads; with `--store redis://...` state shared in Redis
and `--workers N` processes. `payluk-sandbox conformance …` is the drift check instead
(sandbox/conformance/command.py)."""

import argparse
import errno
import os
import socket
import sys

from sandbox import __version__
from sandbox.controlplane.fixture_sets import DEFAULT_SET, FixtureError
from sandbox.domain.profiles import DEFAULT as DEFAULT_PROFILE, DOCS as PROFILE_DOCS, PROFILES
from sandbox.server.config import Config, ConfigError, MEMORY_STORE
from sandbox.server.serving import granian_spawner


CONFORMANCE = "conformance"


class OneLineParser(argparse.ArgumentParser):
    """argparse with its errors on one line, as every other refusal at start-up (exit code 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def parse_args(argv=None) -> argparse.Namespace:
    parser = OneLineParser(
        prog="payluk-sandbox",
        usage="payluk-sandbox [flags]  (serve the sandbox)\n       payluk-sandbox conformance --target URL --key KEY "
        "[flags]  (the drift check)",
        description="A stateful sandbox of the Payluk escrow API. Flags override the "
        "HOST/PORT/SANDBOX_* environment variables.",
        epilog="`payluk-sandbox conformance --help`: run one scripted tour of the API against another host (Payluk's "
        "staging, another sandbox) and this sandbox, and report where their answers differ.",
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
    parser.add_argument("--profile", help=f"the API profile namespaces answer by unless they choose one: "
                        f"{' or '.join(PROFILES)} (default {DEFAULT_PROFILE}; SANDBOX_PROFILE)")
    parser.add_argument("--webhook-url", help="callback URL new namespaces start with (SANDBOX_WEBHOOK_URL)")
    parser.add_argument("--store", metavar="URL", help="where the state lives: memory (default, this process) or a Redis URL, "
                        "redis://host:port/db, or a Redis Cluster's, redis+cluster://host:port[,host:port...], shared "
                        "by every worker and replica (SANDBOX_STORE)")
    parser.add_argument("--workers", type=int, metavar="N", help="server worker processes (default 1; more need a Redis "
                        "--store; SANDBOX_WORKERS)")
    parser.add_argument("--namespace-ttl", type=int, metavar="SECONDS", help="seconds an idle namespace lives in the Redis "
                        "store (default 86400; SANDBOX_NAMESPACE_TTL)")
    parser.add_argument("--console-secret", metavar="SECRET", help="the key the console's cookies are signed with, the "
                        "same for every worker and replica; at least 16 characters (default: one made once and kept in "
                        "the store; SANDBOX_CONSOLE_SECRET, which `ps` does not show)")
    parser.add_argument("--version", action="version", version=f"payluk-sandbox {__version__}")
    return parser.parse_args(argv)


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
    """None when the store answers (the memory store always does); else why the Redis one (or
    Redis Cluster) does not, in one line (sandbox/store/redis/connect.py)."""
    if config.store == MEMORY_STORE:
        return None
    try:
        from sandbox.store.redis import connect
    except ImportError as err:  # a dependency, but say so plainly if it is missing
        return f"redis-py is not installed ({err})"
    return connect.problem(config.store)


def banner(config: Config, fixture_sets: dict) -> str:
    """What a newcomer needs: where the API, the docs and the console are, a key to use, the
    parties to act as, and how to stop."""
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::") else config.host
    url = f"http://{host}:{config.port}"
    default = fixture_sets[DEFAULT_SET]
    sets = ", ".join(sorted(fixture_sets))
    source = "built in" if config.fixtures is None else default["file"]
    lines = [
        f"payluk-sandbox {__version__} listening on {url}",
        f"  API:      {url}  (paths under /v1; Authorization: Bearer sk_test_<anything>, each key its own namespace)",
        f"  docs:     {url}/docs    console: {url}/_sandbox/console",
        f"  seed: {config.seed if config.seed is not None else 'random'}   fixtures: {source} ({sets})"
        f"   store: {describe_store(config)}",
        f"  profile: {config.profile} ({PROFILE_DOCS[config.profile]}; per namespace: PUT /_sandbox/profile)",
        "  customers (send as the customer-id header):",
    ]
    for c in default["customers"]:
        name = f"{c['firstname']} {c['lastname']}"
        lines.append(f"    {c['id']}  {name:<16} {c['main_balance']:>12,} NGN  {c['note']}")
    lines.append("  stop: Ctrl+C (SIGINT) or SIGTERM")
    return "\n".join(lines)


def check_fixture_sets(config: Config) -> dict:
    """Every fixture set checked before the banner (a bad one stops start-up here, with its file
    and step named: FixtureError), as the app checks them again in each worker."""
    from sandbox.app import checked_fixture_sets  # the app's modules: imported once, inherited by the workers

    return checked_fixture_sets(config)[0]


def check_address(host: str, port: int) -> tuple[int, str | None]:
    """(the port to serve on, None) when `host:port` can be listened on — port 0 picks a free
    one — else (port, why not). A port another server already listens on is refused: granian
    shares a port between its own workers, so a second sandbox there would start silently
    and requests would alternate between two processes with different state."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as err:
        return port, f"cannot listen on {host}:{port}: the address does not resolve ({err.strerror})"
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT is free
        try:
            sock.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return port, (f"{host}:{port} is already in use (another server listens there; stop it or "
                              "choose another --port)")
            return port, f"cannot listen on {host}:{port}: {err.strerror or err}"
        return sock.getsockname()[1], None


# On SIGTERM/SIGINT granian asks its workers to stop; one still holding a keep-alive connection
# (or a parked request) may wait for it indefinitely (seen: > 30 s with 2 workers), so workers
# that have not stopped after this long are killed. A request cut off then is lost, as it would
# be on any server that stops.
STOP_SECONDS = 3


def granian(target: str, host: str, port: int, threads: int, factory: bool = True, workers: int = 1):
    """The production server: granian, WSGI, `workers` processes (1 unless the state is in Redis),
    each with `threads` blocking threads. (bench/ starts its bare-Flask ceiling through this too,
    so both share one configuration; `serve` adds the sandbox's own request runner.)"""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    return Granian(target, address=host, port=port, interface=Interfaces.WSGI, workers=workers,
                   blocking_threads=threads, factory=factory, log_level=LogLevels.warning,
                   workers_kill_timeout=STOP_SECONDS)


def serve(config: Config) -> None:
    """Run the sandbox app on granian with the settings in `config`, each worker's requests run
    by sandbox/server/serving.py's `ParkingRunner` (a request waiting in a fault holds no thread)."""
    os.environ.update(config.to_env())
    spawner = granian_spawner()
    if spawner is None:
        print(f"payluk-sandbox: warning: granian {granian_version()} is not the one sandbox/server/serving.py was written "
              "against; a request waiting in a latency fault holds a request thread", file=sys.stderr)
    granian("sandbox.app:create_app_from_env", config.host, config.port, config.threads,
            workers=config.workers).serve(spawn_target=spawner)


def granian_version() -> str:
    from importlib.metadata import version

    return version("granian")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == [CONFORMANCE]:
        from sandbox.conformance.command import main as conformance

        return conformance(argv[1:])
    args = parse_args(argv)
    try:
        config = Config.from_env().with_overrides(
            host=args.host, port=args.port, fixtures=args.fixtures, seed=args.seed,
            clock_start=args.clock_start, threads=args.threads, controls=args.controls,
            control_token=args.control_token, webhook_url=args.webhook_url, store=args.store,
            workers=args.workers, namespace_ttl=args.namespace_ttl, profile=args.profile,
            console_secret=args.console_secret,
        ).validate()
        fixture_sets = check_fixture_sets(config)
    except (ConfigError, FixtureError) as err:
        return refuse(str(err))
    problem = check_store(config)
    if problem is not None:
        return refuse(f"cannot reach the Redis store at {display_url(config.store)}: {problem}")
    port, problem = check_address(config.host, config.port)
    if problem is not None:
        return refuse(problem)
    config = config.with_overrides(port=port)
    print(banner(config, fixture_sets), flush=True)
    serve(config)
    return 0


def refuse(why: str) -> int:
    """Start-up stops: one line on stderr, exit code 2, nothing served."""
    print(f"payluk-sandbox: {why}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
