"""Profile the hot path in-process: the flow mix (create, pay, confirm x2, verify) called
straight into the WSGI app, no server or socket, so only the sandbox's own Python is timed.

Prints µs per request for the sandbox and for the bare-Flask ceiling app (bench/bare_app.py)
measured in the same run, then cProfile's heaviest functions. `--source DIR` profiles another
checkout of the sandbox (e.g. a `git worktree` of an older commit) for a before/after.

    python bench/profile_hot_path.py                    # this checkout
    python bench/profile_hot_path.py --top 30 --flows 2000
    git worktree add /tmp/before <commit> && python bench/profile_hot_path.py --source /tmp/before
"""

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import BUYER, CREATE_BODY, SELLER  # noqa: E402

KEY = "sk_test_profile"
CREATE = json.dumps(CREATE_BODY).encode()


def caller(app):
    """`call(method, path, body, customer)` -> (status, parsed body), through WSGI directly."""

    def call(method: str, path: str, body: bytes = b"", customer: str | None = None):
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False, "REMOTE_ADDR": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {KEY}", "HTTP_HOST": "127.0.0.1:8080",
        }
        if body:
            environ.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)))
        if customer:
            environ["HTTP_CUSTOMER_ID"] = customer
        status = []
        raw = b"".join(app(environ, lambda s, h, e=None: status.append(int(s[:3]))))
        return status[0], json.loads(raw)

    return call


def flow(call) -> None:
    """One escrow end to end: five requests, each checked."""
    status, created = call("POST", "/v1/escrow/milestone/create", CREATE, SELLER)
    escrow = created["data"]
    assert status == 201, created
    pay = {"gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow["id"]}}
    status, paid = call("POST", "/v1/payment/escrow", json.dumps(pay).encode(), BUYER)
    assert status == 200, paid
    for milestone in escrow["milestones"]:
        status, confirmed = call("POST", f"/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}", b"", BUYER)
        assert status == 200, confirmed
    status, verified = call("GET", f"/v1/escrow/verify/{escrow['paymentToken']}")
    assert status == 200, verified


def bare_flow(call) -> None:
    call("POST", "/v1/escrow/milestone/create", CREATE, SELLER)
    call("POST", "/v1/payment/escrow", b'{"escrowDetails": {"escrowId": "x"}}', BUYER)
    call("POST", "/v1/escrow/milestone/confirm/a/b", b"", BUYER)
    call("POST", "/v1/escrow/milestone/confirm/a/b", b"", BUYER)
    call("GET", "/v1/escrow/verify/PY_benchtoken1")


def per_request_us(run, flows: int) -> float:
    for _ in range(min(100, flows)):
        run()
    started = time.perf_counter()
    for _ in range(flows):
        run()
    return (time.perf_counter() - started) / flows / 5 * 1e6


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25, help="functions to list (by own time)")
    parser.add_argument("--source", default=str(ROOT), help="the sandbox checkout to profile")
    args = parser.parse_args(argv)
    sys.path.insert(0, args.source)
    from bench.bare_app import create_app as bare_app
    from sandbox import create_app
    from sandbox.server.config import Config

    app = create_app(Config.from_env())
    call = caller(app)
    status, _ = call("POST", "/_sandbox/helpers/fund-customer", json.dumps({"customerId": BUYER, "amount": 10**11}).encode())
    assert status == 200
    sandbox_us = per_request_us(lambda: flow(call), args.flows)
    bare = caller(bare_app())
    bare_us = per_request_us(lambda: bare_flow(bare), args.flows)
    print(f"source: {args.source}")
    print(f"in-process flow mix: sandbox {sandbox_us:.0f} µs/request, bare Flask {bare_us:.0f} µs/request "
          f"(sandbox costs {sandbox_us / bare_us:.2f}× the bare app)")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.flows // 2):
        flow(call)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
