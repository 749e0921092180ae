"""What one API request costs Redis: the milestone flow (create, pay, three confirms, verify) run
in-process (Flask's test client) on the Redis store, one operation at a time, with Redis's own
accounting (`INFO commandstats`: calls and usec per command, the commands scripts run included)
and this client's round trips (every packed send to Redis counted) per operation.

    python bench/redis_cost.py [--flows 200] [--redis redis://…]   # a private redis-server by default

Answers (and prints) per operation: round trips, Redis commands, Redis µs; and the flow's
averages per request. Then the same flows again without per-request INFO, for real CPU: the
redis-server's (INFO cpu, user + sys: what commandstats leaves out — parsing, replies, system
calls) and this process's (the sandbox in-process, its round trips' system calls included) per
request. `make bench` runs it as the `redis-cost` phase (bench/run.py).
"""

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after PYTHONPATH: a --source checkout wins

SELLER, BUYER = "665f1b2c9a1e4d0012ab3c30", "665f1b2c9a1e4d0012ab3c31"
KEY = "sk_test_bench_cost"
OPERATIONS = ("create", "pay", "confirm", "confirm", "confirm", "verify")
THREE = {"amount": 3000, "purpose": "bench", "whoPays": "buyer",
         "milestones": [{"title": t, "amount": 1000} for t in "abc"]}


class Trips:
    """Counts the round trips of every redis-py connection (a pipeline or a script is one)."""

    def __init__(self):
        self.count = 0

    @contextlib.contextmanager
    def counting(self):
        from redis.connection import AbstractConnection

        original = AbstractConnection.send_packed_command

        def send(conn, command, check_health=True):
            self.count += 1
            return original(conn, command, check_health)

        AbstractConnection.send_packed_command = send
        try:
            yield self
        finally:
            AbstractConnection.send_packed_command = original


def _commandstats(client) -> tuple[int, int]:
    """(calls, usec) summed over every command Redis ran, INFO itself excluded."""
    stats = client.info("commandstats")
    calls = sum(v["calls"] for k, v in stats.items() if k != "cmdstat_info")
    usec = sum(v["usec"] for k, v in stats.items() if k != "cmdstat_info")
    return calls, usec


def measure(url: str, flows: int = 200) -> dict:
    """Run `flows` milestone flows; answer per operation {trips, commands, usec} (means)."""
    import redis

    from sandbox import create_app
    from sandbox.server.config import Config

    app = create_app(Config(seed=7, store=url))
    client = app.test_client()
    admin = redis.Redis.from_url(url)
    auth = {"Authorization": f"Bearer {KEY}"}
    reply = client.post("/_sandbox/helpers/fund-customer", json={"customerId": BUYER, "amount": 10 ** 11}, headers=auth)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    totals = {op: [0, 0, 0, 0] for op in dict.fromkeys(OPERATIONS)}  # trips, commands, usec, times
    trips = Trips()
    counting = [True]  # the real-CPU pass asks Redis nothing per request

    def call(op, method, path, body=None, customer=None):
        headers = dict(auth, **({"customer-id": customer} if customer else {}))
        if not counting[0]:
            reply = client.open(path, method=method, json=body, headers=headers)
            if reply.status_code >= 300:
                raise RuntimeError(f"{op}: {reply.status_code} {reply.get_data(as_text=True)[:200]}")
            return reply.get_json()["data"]
        before_calls, before_usec = _commandstats(admin)
        start = trips.count
        with trips.counting():
            reply = client.open(path, method=method, json=body, headers=headers)
        spent = trips.count - start
        after_calls, after_usec = _commandstats(admin)
        if reply.status_code >= 300:
            raise RuntimeError(f"{op}: {reply.status_code} {reply.get_data(as_text=True)[:200]}")
        row = totals[op]
        row[0] += spent
        row[1] += after_calls - before_calls  # INFO is left out of the sums
        row[2] += after_usec - before_usec
        row[3] += 1
        return reply.get_json()["data"]

    def flow(n):
        escrow = call("create", "POST", "/v1/escrow/milestone/create", THREE, SELLER)
        call("pay", "POST", "/v1/payment/escrow", {"gateway": "WALLET", "transactionType": "ESCROW",
             "reference": f"cost{n}", "escrowDetails": {"escrowId": escrow["id"]}}, BUYER)
        for milestone in escrow["milestones"]:
            call("confirm", "POST", f"/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}", None, BUYER)
        call("verify", "GET", f"/v1/escrow/verify/{escrow['paymentToken']}")

    for n in range(flows + 5):
        if n == 5:  # warm: scripts loaded, the namespace built
            totals = {op: [0, 0, 0, 0] for op in dict.fromkeys(OPERATIONS)}
        flow(n)
    counting[0] = False
    cpu_before, own_before = redis_cpu(admin), time.process_time()
    for n in range(flows + 5, 2 * flows + 5):
        flow(n)
    redis_spent, own_spent = redis_cpu(admin) - cpu_before, time.process_time() - own_before
    admin.close()
    app.extensions["sandbox"].store.close()
    per_op = {op: {"trips": t / n, "commands": c / n, "usec": u / n} for op, (t, c, u, n) in totals.items()}
    requests = sum(row[3] for row in totals.values())
    flow = {"trips": sum(r[0] for r in totals.values()) / requests,
            "commands": sum(r[1] for r in totals.values()) / requests,
            "usec": sum(r[2] for r in totals.values()) / requests}
    flow["redis_cpu_us"] = redis_spent / (flows * len(OPERATIONS)) * 1e6
    flow["worker_cpu_us"] = own_spent / (flows * len(OPERATIONS)) * 1e6
    return {"operations": per_op, "per_request": flow, "flows": flows}


def redis_cpu(client) -> float:
    """The redis-server's CPU seconds so far (user + sys)."""
    cpu = client.info("cpu")
    return cpu["used_cpu_user"] + cpu["used_cpu_sys"]


def render(result: dict) -> list[str]:
    lines = ["| operation | round trips | Redis commands | Redis µs |", "|---|---|---|---|"]
    for op, row in result["operations"].items():
        lines.append(f"| {op} | {row['trips']:.1f} | {row['commands']:.1f} | {row['usec']:.0f} |")
    flow = result["per_request"]
    lines.append(f"| per flow request | {flow['trips']:.1f} | {flow['commands']:.1f} | {flow['usec']:.0f} |")
    if "redis_cpu_us" in flow:
        lines.append(f"\nreal CPU per flow request: redis-server {flow['redis_cpu_us']:.0f} µs (INFO cpu), "
                     f"the sandbox in-process {flow['worker_cpu_us']:.0f} µs")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--redis", help="a Redis URL (its database is used as is); default: a private redis-server")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.redis, args.flows) if args.redis else on_private_redis(lambda url: measure(url, args.flows))
    if result is not None:
        print(json.dumps(result, indent=1) if args.json else "\n".join(render(result)))
    return 0


def on_private_redis(run):
    """`run(url)` on a redis-server of its own (tests/redis_server.py), stopped after; None, with
    the reason printed, when none can start here."""
    from tests import redis_server as rs

    why = rs.unavailable()
    if why:
        print(f"skipped: {why}")
        return None
    server = rs.RedisProcess().start()
    try:
        return run(server.url)
    finally:
        server.cleanup()


if __name__ == "__main__":
    sys.exit(main())
