"""What one API request costs Redis: the milestone flow (create, pay, three confirms, verify) run
in-process (Flask's test client) on the Redis store, one operation at a time, with Redis's own
accounting (`INFO commandstats`: calls and usec per command, the commands scripts run included)
and this client's round trips (every packed send to Redis counted) per operation.

    python bench/redis_cost.py [--flows 200] [--redis redis://…]   # a private redis-server by default

Answers (and prints) per operation: round trips, Redis commands, Redis µs; and the flow's
averages per request. Then the same flows again without per-request INFO, for real CPU: the
redis-server's (INFO cpu, user + sys: what commandstats leaves out — parsing, replies, system
calls) and this process's (the sandbox in-process, its round trips' system calls included) per
request; the memory store's CPU for the same flows in-process; and the round trip's own cost
(a script that does nothing, sent as the store's runner sends one: the client's and the
redis-server's CPU). From those, the floor: what the Redis store would cost if its only work
beyond the memory store's were its round trips — so what a CPU target leaves for the rest.
`make bench` runs it as the `redis-cost` phase (bench/run.py).
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


def _client(store: str):
    """The sandbox in-process on `store`, its buyer funded: (app, test client, auth headers)."""
    from sandbox import create_app
    from sandbox.server.config import Config

    app = create_app(Config(seed=7, store=store))
    client = app.test_client()
    auth = {"Authorization": f"Bearer {KEY}"}
    reply = client.post("/_sandbox/helpers/fund-customer", json={"customerId": BUYER, "amount": 10 ** 11}, headers=auth)
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return app, client, auth


def _data(client, auth: dict, op: str, method: str, path: str, body=None, customer=None):
    """One request through the test client; its answer's `data` (an error answer raises)."""
    reply = client.open(path, method=method, json=body, headers=dict(auth, **({"customer-id": customer} if customer else {})))
    if reply.status_code >= 300:
        raise RuntimeError(f"{op}: {reply.status_code} {reply.get_data(as_text=True)[:200]}")
    return reply.get_json()["data"]


def measure(url: str, flows: int = 200) -> dict:
    """Run `flows` milestone flows; answer per operation {trips, commands, usec} (means)."""
    import redis

    app, client, auth = _client(url)
    admin = redis.Redis.from_url(url)
    totals = {op: [0, 0, 0, 0] for op in dict.fromkeys(OPERATIONS)}  # trips, commands, usec, times
    trips = Trips()
    counting = [True]  # the real-CPU pass asks Redis nothing per request

    def call(op, method, path, body=None, customer=None):
        if not counting[0]:
            return _data(client, auth, op, method, path, body, customer)
        before_calls, before_usec = _commandstats(admin)
        start = trips.count
        with trips.counting():
            data = _data(client, auth, op, method, path, body, customer)
        spent = trips.count - start
        after_calls, after_usec = _commandstats(admin)
        row = totals[op]
        row[0] += spent
        row[1] += after_calls - before_calls  # INFO is left out of the sums
        row[2] += after_usec - before_usec
        row[3] += 1
        return data

    def flow(n):
        milestone_flow(call, n)

    for n in range(flows + 5):
        if n == 5:  # warm: scripts loaded, the namespace built
            totals = {op: [0, 0, 0, 0] for op in dict.fromkeys(OPERATIONS)}
        flow(n)
    counting[0] = False
    cpu_before, own_before = redis_cpu(admin), time.process_time()
    for n in range(flows + 5, 2 * flows + 5):
        flow(n)
    redis_spent, own_spent = redis_cpu(admin) - cpu_before, time.process_time() - own_before
    trip = round_trip(admin)
    admin.close()
    app.extensions["sandbox"].store.close()
    memory_spent = on_memory(flows)
    per_op = {op: {"trips": t / n, "commands": c / n, "usec": u / n} for op, (t, c, u, n) in totals.items()}
    requests = sum(row[3] for row in totals.values())
    flow = {"trips": sum(r[0] for r in totals.values()) / requests,
            "commands": sum(r[1] for r in totals.values()) / requests,
            "usec": sum(r[2] for r in totals.values()) / requests}
    flow["redis_cpu_us"] = redis_spent / (flows * len(OPERATIONS)) * 1e6
    flow["worker_cpu_us"] = own_spent / (flows * len(OPERATIONS)) * 1e6
    flow["memory_cpu_us"] = memory_spent / (flows * len(OPERATIONS)) * 1e6
    flow.update(trip)
    flow.update(floor(flow))
    return {"operations": per_op, "per_request": flow, "flows": flows}


def on_memory(flows: int) -> float:
    """CPU seconds `flows` milestone flows take in-process on the memory store (after 5 to warm)."""
    app, client, auth = _client("memory")

    def call(op, method, path, body=None, customer=None):
        return _data(client, auth, f"memory, {op}", method, path, body, customer)

    for n in range(5):
        milestone_flow(call, n)
    before = time.process_time()
    for n in range(5, flows + 5):
        milestone_flow(call, n)
    return time.process_time() - before


def milestone_flow(call, n: int) -> None:
    """One flow: `call(operation, method, path, body, customer)` per request."""
    escrow = call("create", "POST", "/v1/escrow/milestone/create", THREE, SELLER)
    call("pay", "POST", "/v1/payment/escrow", {"gateway": "WALLET", "transactionType": "ESCROW",
         "reference": f"cost{n}", "escrowDetails": {"escrowId": escrow["id"]}}, BUYER)
    for milestone in escrow["milestones"]:
        call("confirm", "POST", f"/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}", None, BUYER)
    call("verify", "GET", f"/v1/escrow/verify/{escrow['paymentToken']}")


NOTHING = "return 1"  # the script of the round-trip floor


def round_trip(client, rounds: int = 4000) -> dict:
    """What a round trip costs by itself: a script that does nothing, sent on a connection of
    its own as the store's runner sends its scripts (sandbox/store/redis/runner.py: packed once,
    EVALSHA, the reply read by hiredis); CPU µs of this client and of the redis-server, per trip."""
    from hiredis import pack_command as pack

    conn = client.connection_pool.make_connection()
    conn.connect()
    packed = [pack(("EVALSHA", client.script_load(NOTHING), 0))]
    try:
        def once():
            conn.send_packed_command(packed)
            conn.read_response()

        spent = cpu_per_round(client, once, rounds)
        return {"trip_redis_us": spent["redis_us"], "trip_client_us": spent["client_us"]}
    finally:
        conn.disconnect()


def cpu_per_round(client, once, rounds: int) -> dict:
    """`once()` 200 times to warm, then `rounds` times: µs of the redis-server's CPU and of this
    process's per round."""
    for _ in range(200):
        once()
    redis_before, own_before = redis_cpu(client), time.process_time()
    for _ in range(rounds):
        once()
    return {"redis_us": (redis_cpu(client) - redis_before) / rounds * 1e6,
            "client_us": (time.process_time() - own_before) / rounds * 1e6}


def floor(flow: dict, target: float = 1.7) -> dict:
    """Per request: the Redis store's CPU (sandbox + redis-server) ÷ the memory store's; the
    floor — the memory store's CPU plus the round trips' own cost, as if the store did nothing
    else — and its ratio; the store's work beyond both (its bookkeeping in Python, the scripts'
    work in Redis); and what a `target`× ratio would leave for that work."""
    memory = flow["memory_cpu_us"]
    trips = flow["trips"] * (flow["trip_client_us"] + flow["trip_redis_us"])
    total = flow["worker_cpu_us"] + flow["redis_cpu_us"]
    return {"cpu_ratio": total / memory, "floor_us": memory + trips, "floor_ratio": (memory + trips) / memory,
            "store_work_us": total - memory - trips, "target_leaves_us": target * memory - memory - trips}


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
    if "floor_us" in flow:
        lines += ["", *floor_lines(flow)]
    return lines


def floor_lines(flow: dict) -> list[str]:
    """The floor (see `floor`) in words, for this script's output and bench/results.md."""
    return [f"The memory store, same flows in-process: {flow['memory_cpu_us']:.0f} µs a request; the Redis store: "
            f"{flow['worker_cpu_us'] + flow['redis_cpu_us']:.0f} µs (sandbox + redis-server), "
            f"{flow['cpu_ratio']:.2f}× it.",
            f"A round trip by itself (a script that does nothing): {flow['trip_client_us']:.0f} µs of the client's "
            f"CPU + {flow['trip_redis_us']:.0f} µs of the redis-server's; × {flow['trips']:.2f} round trips a "
            f"request = a floor of {flow['floor_us']:.0f} µs, {flow['floor_ratio']:.2f}× the memory store's, "
            "were the store's work nothing but its round trips.",
            f"The store's work beyond the floor (its Python bookkeeping, the scripts' work in Redis): "
            f"{flow['store_work_us']:.0f} µs; a 1.7× target leaves {flow['target_leaves_us']:.0f} µs for it."]


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
