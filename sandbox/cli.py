"""The `payluk-sandbox` command: validate settings and fixtures, print how to use the
sandbox, then serve it with granian (one process, in-memory state, a few threads)."""

import argparse
import os
import socket
import sys

from sandbox import __version__
from sandbox.config import Config, ConfigError
from sandbox.fixtures import FixtureError, load_fixture


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
    parser.add_argument("--threads", type=int, help="request threads; they take turns, and a request sleeping in a latency fault lets "
                        "the others run (default 2; SANDBOX_THREADS)")
    parser.add_argument("--no-controls", dest="controls", action="store_false", default=None,
                        help="switch the /_sandbox controls off (SANDBOX_CONTROLS=off)")
    parser.add_argument("--control-token", help="require X-Sandbox-Token on the controls (SANDBOX_CONTROL_TOKEN)")
    parser.add_argument("--webhook-url", help="callback URL new namespaces start with (SANDBOX_WEBHOOK_URL)")
    parser.add_argument("--version", action="version", version=f"payluk-sandbox {__version__}")
    return parser.parse_args(argv)


def free_port(host: str) -> int:
    """A port the OS reports free on `host` (for `--port 0`)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def banner(config: Config, fixture: dict) -> str:
    """What a newcomer needs: the base URL, a key to use and the parties to act as."""
    host = "127.0.0.1" if config.host in ("0.0.0.0", "::") else config.host
    url = f"http://{host}:{config.port}"
    lines = [
        f"payluk-sandbox {__version__} listening on {url}",
        f"  base URL: {url}/v1   (Authorization: Bearer sk_test_<anything>; each key is its own namespace)",
        f"  seed: {config.seed if config.seed is not None else 'random'}   fixtures: {config.fixtures or 'fixtures/default.json'}",
        "  customers (send as the customer-id header):",
    ]
    for c in fixture["customers"]:
        name = f"{c['firstname']} {c['lastname']}"
        lines.append(f"    {c['id']}  {name:<16} {c['main_balance']:>12,} NGN  {c['note']}")
    return "\n".join(lines)


def granian(target: str, host: str, port: int, threads: int, factory: bool = True):
    """The production server: granian, WSGI, 1 worker process, `threads` blocking threads.
    (bench/ starts its bare-Flask ceiling through this too, so both share one configuration.)"""
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    return Granian(target, address=host, port=port, interface=Interfaces.WSGI, workers=1,
                   blocking_threads=threads, factory=factory, log_level=LogLevels.warning)


def serve(config: Config) -> None:
    """Run the sandbox app on granian with the settings in `config`."""
    os.environ.update(config.to_env())
    granian("sandbox.app:create_app_from_env", config.host, config.port, config.threads).serve()


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        config = Config.from_env().with_overrides(
            host=args.host, port=args.port, fixtures=args.fixtures, seed=args.seed,
            clock_start=args.clock_start, threads=args.threads, controls=args.controls,
            control_token=args.control_token, webhook_url=args.webhook_url,
        ).validate()
        fixture = load_fixture(config.fixtures)
    except (ConfigError, FixtureError) as err:
        print(f"payluk-sandbox: {err}", file=sys.stderr)
        return 2
    if config.port == 0:
        config = config.with_overrides(port=free_port(config.host))
    print(banner(config, fixture), flush=True)
    serve(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
