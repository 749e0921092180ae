"""`make bench`: the sandbox against its ceiling and its peers, in one run, on this machine.

In one run, with the same load generator and settings, every row the median of `--runs` (3)
measurements of `--seconds` (5) each, with its p50, p99 and max latency:
  * the load generator's own ceiling (a raw WSGI app answering "ok");
  * the stack's ceiling: bare Flask on the same granian configuration, Payluk-sized answers;
  * the sandbox as `make run` serves it: verify, milestone create, pay, confirm (those two on
    escrows made before the measured window) and the flow mix (fresh escrows created, paid, both
    milestones confirmed, read back) — on a fresh namespace and with 100,000 escrows held, each
    also while another client sits in 1-second `latency` faults (issue 16's targets);
  * its request threads: `--threads 2` and `4`, and the app on granian's own per-request
    callback with one thread (the server before issue 16: a fault's wait held its only thread);
  * the sandbox on waitress (why granian is the production server);
  * Prism mocking the sandbox's own openapi.json, `-v silent` and defaults (when npm is here);
  * cold start, namespace reset, snapshot restore of 1,000 escrows, resident memory per escrow;
  * scale-out on Redis: the flow mix spread over 16 keys (many CI jobs' namespaces) on the
    memory store (1 worker, the default) and on a private redis-server with 1 and 2 workers, one
    key too (informative), the Redis store's request threads, and its default servers' rows as
    above (fresh, and beside latency faults); with each spread row, what a request cost (the
    servers' CPU, the redis-server's, INFO commandstats) against issue 21's targets;
  * redis-cost: the milestone flow in-process on Redis, per operation: round trips, commands,
    Redis µs, real CPU against the memory store's and the round trips' floor (bench/redis_cost.py);
Ratios, not absolute numbers, are the point. Targets are printed with the figures; the exit
code reflects only errors (a failed request, a crashed server), never speed.

    python bench/run.py                 # the full run (about 25 minutes), writes bench/results.*
    python bench/run.py --smoke         # ~1 min: every phase briefly, one run each; fails on any error (CI)
    python bench/run.py --only scale-out  # some phases (PHASES); results.* go to a temporary directory
"""

import argparse
import contextlib
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load, mock_calls, redis_cost, servers  # noqa: E402

ROOT = servers.ROOT
SELLER, BUYER = load.SELLER, load.BUYER
TEN_MILESTONES = {"amount": 10_000, "purpose": "bench", "whoPays": "buyer",
                  "milestones": [{"title": f"m{i}", "amount": 1000} for i in range(10)]}
TARGETS = {
    "flow_vs_prism": 2.0, "cold_start_s": 0.5, "reset_ms": 5.0, "restore_1000_ms": 10.0, "bytes_per_escrow": 2048,
    "redis_2_vs_1_workers": 1.6, "redis_usec_per_request": 100.0, "redis_cpu_vs_memory": 1.7,
    "redis_p99_vs_memory": 2.0, "round_trips_per_by_id_op": 3, "p99_ms": 10.0, "max_ms": 50.0, "flow_vs_one_thread": 0.95,
}
PHASES = ("loadgen", "bare", "cold-start", "routes", "controls", "scaling", "threads", "waitress", "prism",
          "scale-out", "redis-cost", "mock")
ROUTES = ("verify", "create", "pay", "confirm", "flow mix")
FAULTS = ", beside latency faults"
SANDBOX = "sandbox"  # the server as `make run` starts it
GRANIAN_RUNNER = "sandbox on granian's own runner, 1 thread"  # the server before issue 16
DEFAULT_FRESH = "sandbox, --threads 1 (the default)"  # the default again, a fresh server beside the others
THREAD_SERVERS = (DEFAULT_FRESH, "sandbox, --threads 2", "sandbox, --threads 4", GRANIAN_RUNNER)
# Scale-out: the servers compared (name, Redis store?, workers), each as `payluk-sandbox` starts it.
MEMORY_1, REDIS_1, REDIS_2 = "sandbox (memory, 1 worker)", "sandbox (Redis, 1 worker)", "sandbox (Redis, 2 workers)"
SCALE_OUT = ((MEMORY_1, False, 1), (REDIS_1, True, 1), (REDIS_2, True, 2))
REDIS_SERVING = tuple((w, t) for w in (1, 2) for t in (1, 2, 4))  # the Redis store's workers x threads tried
REDIS_DEFAULTS = ("sandbox on Redis (defaults: 1 worker)", "sandbox on Redis, --workers 2")


class Bench:
    def __init__(self, args):
        self.args = args
        self.results: dict = {"settings": {}, "runs": {}, "controls": {}, "scaling": [], "scale_out": {},
                              "faults": {}, "notes": []}
        self.failures: list[str] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="payluk-bench-"))

    # -- measuring -------------------------------------------------------------------------
    def measure(self, server: servers.Server, label: str, mode: str, key, items=None, strict: bool = True,
                faults: bool = False) -> dict:
        """One row: `--runs` runs of `mode`, each statistic the median over the runs. `items` is
        one file, or one per run (pay and confirm: fresh escrows each time). With `faults`,
        another client sits in 1-second latency faults during every run."""
        runs = []
        for i in range(self.args.runs):
            item_file = items[i] if isinstance(items, list) else items
            with (load.LatencyFaults(server.url) if faults else contextlib.nullcontext()) as fault_client:
                runs.append(load.run(server.url, mode, self.args.seconds, self.args.connections, key, item_file))
            if fault_client is not None:
                self._check_faults(server, label, fault_client)
        result = {name: statistics.median(r[name] for r in runs)
                  for name in ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms")}
        result.update(requests=sum(r["requests"] for r in runs), errors=sum(r["errors"] for r in runs),
                      non2xx=sum(r["non2xx"] for r in runs), runs=runs)
        if server.proc.poll() is not None:
            self.failures.append(f"{server.name} died during {label}")
        if strict and (result["errors"] or result["non2xx"]):
            self.failures.append(f"{server.name} {label}: {result['errors']} errors, {result['non2xx']} non-2xx")
        self.results["runs"].setdefault(server.name, {})[label] = result
        print(f"  {server.name:<28} {label:<34} {result['rps']:>8,.0f} req/s   p50 {result['p50_ms']:6.2f}   "
              f"p99 {result['p99_ms']:7.2f}   max {result['max_ms']:7.1f} ms   non-2xx {result['non2xx']}", flush=True)
        return result

    def _check_faults(self, server, label, fault_client) -> None:
        summary = fault_client.summary()
        seen = self.results["faults"].setdefault(server.name, {"requests": 0, "failures": 0, "max_wait_ms": 0.0})
        seen["requests"] += summary["requests"]
        seen["failures"] += summary["failures"]
        seen["max_wait_ms"] = max(seen["max_wait_ms"], summary["max_wait_ms"])
        if summary["failures"] or not summary["requests"]:
            self.failures.append(f"{server.name} {label}: latency-fault client {fault_client.failures[:3]}, "
                                 f"{summary['requests']} requests back")

    def expect(self, status_body: tuple, status: int, what: str) -> dict:
        code, body = status_body
        if code != status:
            self.failures.append(f"{what}: HTTP {code} {body.get('message')}")
            raise RuntimeError(f"{what}: HTTP {code} {body}")
        return body.get("data", {})

    # -- set-up through the sandbox's own API -------------------------------------------------
    def create_many(self, url: str, key: str, count: int, body=None, pay: bool = False) -> list[dict]:
        """`count` milestone escrows (paid when `pay`), made over 4 keep-alive connections."""
        made: list[dict] = []
        lock = threading.Lock()
        chunks = [count // 4 + (1 if i < count % 4 else 0) for i in range(4)]

        def worker(n):
            client = load.Client(url, key)
            for _ in range(n):
                created = client.send("POST", "/v1/escrow/milestone/create", body or load.CREATE_BODY, SELLER)
                if created is None:
                    continue
                escrow = created["data"]
                if pay and client.send("POST", "/v1/payment/escrow", {
                        "gateway": "WALLET", "transactionType": "ESCROW",
                        "escrowDetails": {"escrowId": escrow["id"]}}, BUYER) is None:
                    continue
                with lock:
                    made.append(escrow)

        threads = [threading.Thread(target=worker, args=(n,)) for n in chunks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if len(made) != count:
            self.failures.append(f"set-up made {len(made)} of {count} escrows")
        return made

    def fund(self, url: str, key: str) -> None:
        self.expect(servers.call(url, "POST", "/_sandbox/helpers/fund-customer",
                                 {"customerId": BUYER, "amount": 10**11}, key=key), 200, "fund buyer")

    def escrow_count(self, url: str, key: str) -> int:
        data = self.expect(servers.call(url, "GET", "/v1/escrow/feeds?limit=1", key=key), 200, "count escrows")
        return data["pagination"]["count"]

    def write_items(self, name: str, lines: list[str]) -> Path:
        path = self.tmp / name
        path.write_text("\n".join(lines) + "\n")
        return path

    # -- phases ------------------------------------------------------------------------------
    def loadgen_ceiling(self) -> None:
        server = servers.trivial()
        try:
            self.measure(server, "trivial", "trivial", "sk_test_x")
        finally:
            server.stop()

    def bare(self) -> None:
        server = servers.bare_flask()
        try:
            for mode in ("verify", "create", "mix"):
                self.measure(server, mode, mode, "sk_test_x")
        finally:
            server.stop()

    def cold_start(self) -> None:
        times = []
        for _ in range(1 if self.args.smoke else 5):
            server = servers.sandbox()
            times.append(server.cold_start_s)
            server.stop()
        self.results["controls"]["cold_start_s"] = statistics.median(times)
        print(f"  sandbox cold start to first 200: {statistics.median(times) * 1000:.0f} ms (median of {len(times)})")

    def route_rows(self, server: servers.Server, key_for, suffix: str = "", faults: bool = False) -> None:
        """Issue 16's rows, each on namespace `key_for(route)`: verify, milestone create, pay,
        confirm (on escrows created — and paid — before the measured window, fresh ones for every
        run) and the flow mix, labelled with `suffix`; with `faults`, beside another client
        sitting in latency faults."""
        url, runs = server.url, self.args.runs
        label = (lambda route: route + suffix + (FAULTS if faults else ""))  # noqa: E731
        for route in ROUTES:
            self.fund(url, key_for(route))
        key = key_for("verify")
        token = self.create_many(url, key, 1)[0]["paymentToken"]
        self.measure(server, label("verify"), "verify", key, self.write_items("token", [token]), faults=faults)
        created = self.measure(server, label("create"), "create", key_for("create"), faults=faults)
        pool = max(200, int(created["rps"] * self.args.seconds * 2))  # per run: pay and confirm run faster than create
        escrows = self.create_many(url, key_for("pay"), pool * runs)
        self.measure(server, label("pay"), "pay", key_for("pay"), faults=faults, items=[
            self.write_items(f"pay{i}", [e["id"] for e in escrows[i::runs]]) for i in range(runs)])
        paid = self.create_many(url, key_for("confirm"), (pool // 10 + 20) * runs, TEN_MILESTONES, pay=True)
        self.measure(server, label("confirm"), "confirm", key_for("confirm"), faults=faults, items=[
            self.write_items(f"confirm{i}", [f"{e['id']} {m['id']}" for e in paid[i::runs] for m in e["milestones"]])
            for i in range(runs)])
        self.measure(server, label("flow mix"), "flow", key_for("flow mix"), faults=faults)

    def sandbox_routes(self, server: servers.Server) -> None:
        """The default server's rows, each route on a fresh namespace of its own (anew beside
        the faults)."""
        for faults in (False, True):
            self.route_rows(server, lambda route: _fresh_key(route, faults), faults=faults)

    def controls(self, server: servers.Server) -> None:
        url = server.url
        reset = []
        for _ in range(20):
            started = time.perf_counter()
            self.expect(servers.call(url, "POST", "/_sandbox/reset", {}, key="sk_test_bench_reset"), 200, "reset")
            reset.append((time.perf_counter() - started) * 1000)
        key = "sk_test_bench_snapshot"
        self.fund(url, key)
        self.create_many(url, key, 1000 if not self.args.smoke else 100, pay=True)
        count = self.escrow_count(url, key)
        self.expect(servers.call(url, "POST", "/_sandbox/snapshots", {"name": "bench"}, key=key), 201, "snapshot")
        restore = []
        for _ in range(20):
            started = time.perf_counter()
            self.expect(servers.call(url, "POST", "/_sandbox/snapshots/bench/restore", {}, key=key), 200, "restore")
            restore.append((time.perf_counter() - started) * 1000)
        self.results["controls"].update({"reset_ms": statistics.median(reset), "restore_escrows": count,
                                         "restore_ms": statistics.median(restore)})
        print(f"  reset {statistics.median(reset):.2f} ms; restore of a snapshot with {count:,} escrows "
              f"{statistics.median(restore):.2f} ms (medians of 20, HTTP round trip included)")

    def scaling(self, server: servers.Server) -> None:
        """One namespace grown by the flow mix: its latency and the server's memory at each size;
        at the largest, issue 16's rows again (fresh and beside faults)."""
        key = "sk_test_bench_scale"
        url = server.url
        self.fund(url, key)
        targets = (500, 2_000) if self.args.smoke else (10_000, 100_000)
        steps = [("fresh", 0), *((f"{t:,} held", t) for t in targets)]
        for label, target in steps:
            while (count := self.escrow_count(url, key)) < target:
                needed = target - count
                fill_rps = max(200.0, self.results["runs"].get(SANDBOX, {}).get("flow mix", {}).get("rps", 0) / 5)
                load.run(url, "flow", min(120, max(1, needed / fill_rps * 1.05)), self.args.connections, key)
            held = self.escrow_count(url, key)
            rss = server.rss_bytes()
            result = self.measure(server, f"flow at {label}", "flow", key)
            self.results["scaling"].append({"held": held, "rss_bytes": rss, **result})
        self.results["controls"]["held"] = held = self.escrow_count(url, key)
        for faults in (False,) if self.args.smoke else (False, True):
            # Each route on its own fork of the grown namespace (a fork copies references), so
            # one route's set-up (pay and confirm need fresh escrows) does not grow another's.
            forks = {route: f"{key}_{_fresh_key(route, faults).removeprefix('sk_test_bench_')}" for route in ROUTES}
            for fork in forks.values():
                self.expect(servers.call(url, "POST", "/_sandbox/fork", {"key": fork, "replace": True}, key=key),
                            201, "fork the grown namespace")
            self.route_rows(server, forks.__getitem__, f" at {held:,} held", faults=faults)

    def threads(self) -> None:
        """Verify (where a stall shows) and the flow mix, each on a fresh server: the default
        (1 request thread), 2 and 4 threads at once, and the app on granian's own per-request
        callback with one thread; and how long a plain verify waits while another request sits
        in a 1 s latency fault."""
        for name in THREAD_SERVERS:
            server = servers.sandbox_on_granian_runner() if name == GRANIAN_RUNNER else \
                servers.sandbox(threads=int(name.split("--threads ")[1][0]))
            server.name = name
            try:
                self.route_subset(server)
            finally:
                server.stop()

    def route_subset(self, server: servers.Server) -> None:
        key = "sk_test_bench_flow"
        self.fund(server.url, key)
        token = self.create_many(server.url, key, 1)[0]["paymentToken"]
        self.measure(server, "verify", "verify", key, self.write_items("token", [token]))
        self.measure(server, "flow mix", "flow", key)
        self.results["controls"][f"verify_during_latency_ms_{server.name}"] = _wait_behind_latency(server.url)

    def scale_out(self) -> None:
        """Issue 11: the flow mix spread over `--keys` namespaces (a shared sandbox serves many CI
        jobs, each with its own key; one namespace's operations take turns on its lock, across
        workers too) on the memory store and on Redis with 1 and 2 workers; then one key
        (informative); then the Redis store's workers x threads; then its default servers' rows
        (issue 16: fresh, and beside latency faults). Each server starts on an emptied Redis
        database and gets a 1 s warm-up (full runs only)."""
        if not any((servers.SOURCE / "sandbox" / where).exists() for where in ("store/redis", "redis_store.py")):
            return self._skip(f"Scale-out on Redis skipped: {servers.SOURCE} has no Redis store")
        redis, why = servers.redis_server()
        if redis is None:
            return self._skip(f"Scale-out on Redis skipped: {why}")
        keys = load.keys_for("sk_test_bench_", self.args.keys)
        spread = f"flow mix, {len(keys)} keys"
        self.results["scale_out"] = {"keys": len(keys), "redis": _redis_version(redis.url), "serving": []}
        try:
            for name, on_redis, workers in SCALE_OUT:
                server = self._scale_out_server(name, redis.url if on_redis else None, workers, None, keys)
                try:
                    self.measure_costs(server, redis.url if on_redis else None, spread, keys)
                    if on_redis and not self.args.smoke:
                        self.measure(server, "flow mix, 1 key", "flow", "sk_test_bench_flow")
                finally:
                    server.stop()
            for name, workers in list(zip(REDIS_DEFAULTS, (None, 2)))[:1 if self.args.smoke else 2]:
                server = self._scale_out_server(name, redis.url, workers, None, keys)
                try:
                    for faults in (False, True):
                        self.route_rows(server, lambda route: _fresh_key(route, faults), faults=faults)
                finally:
                    server.stop()
            if self.args.smoke:
                return
            for workers, threads in REDIS_SERVING:
                name = (f"sandbox (Redis, {workers} worker{'s' if workers > 1 else ''}, {threads} "
                        f"thread{'s' if threads > 1 else ''})")
                server = self._scale_out_server(name, redis.url, workers, threads, keys)
                try:
                    result = self.measure(server, spread, "flow", keys)
                finally:
                    server.stop()
                self.results["scale_out"]["serving"].append(
                    {"server": name, "workers": workers, "threads": threads, **result})
        finally:
            redis.cleanup()

    def measure_costs(self, server: servers.Server, redis_url: str | None, label: str, keys) -> dict:
        """`measure`, with what each request cost: the server's CPU (every worker), and on Redis
        the redis-server's CPU and its commands and their microseconds (INFO commandstats)."""
        before_cpu = server.cpu_seconds()
        before = servers.redis_costs(redis_url) if redis_url else None
        result = self.measure(server, label, "flow", keys)
        after_cpu, after = server.cpu_seconds(), (servers.redis_costs(redis_url) if redis_url else None)
        requests = max(1, result["requests"])
        cost = {"server_cpu_us": (after_cpu - before_cpu) * 1e6 / requests}
        if before is not None:
            cost.update(redis_cpu_us=(after["cpu_s"] - before["cpu_s"]) * 1e6 / requests,
                        redis_commands=(after["calls"] - before["calls"]) / requests,
                        redis_usec=(after["usec"] - before["usec"]) / requests,
                        redis_script_usec=(after["script_usec"] - before["script_usec"]) / requests)
        cost["cpu_us"] = cost["server_cpu_us"] + cost.get("redis_cpu_us", 0.0)
        result["cost"] = cost
        print(f"  {'':<28} {'cost per request':<34} CPU {cost['cpu_us']:6.0f} µs"
              + (f" (Redis {cost['redis_cpu_us']:.0f} µs; {cost['redis_commands']:.1f} commands, "
                 f"{cost['redis_usec']:.0f} µs in commandstats)" if before is not None else ""), flush=True)
        return result

    def redis_cost(self) -> None:
        """Issue 21: the milestone flow in-process on Redis, one operation at a time: round trips,
        commands and Redis microseconds per operation, and real CPU per request (bench/redis_cost.py)."""
        if not (servers.SOURCE / "sandbox" / "store" / "redis").exists():
            return self._skip(f"Redis cost per operation skipped: {servers.SOURCE} has no Redis store")
        redis, why = servers.redis_server()
        if redis is None:
            return self._skip(f"Redis cost per operation skipped: {why}")
        try:
            self.results["redis_cost"] = servers.redis_cost(redis.url, 20 if self.args.smoke else 300)
        finally:
            redis.cleanup()
        for op, row in self.results["redis_cost"]["operations"].items():
            print(f"  redis cost: {op:<8} {row['trips']:4.1f} round trips, {row['commands']:5.1f} commands, "
                  f"{row['usec']:5.0f} µs", flush=True)
        flow = self.results["redis_cost"]["per_request"]
        if "floor_us" in flow:
            print(f"  redis cost: CPU ÷ memory {flow['cpu_ratio']:.2f}×, the round trips' floor "
                  f"{flow['floor_ratio']:.2f}×", flush=True)

    def _scale_out_server(self, name, store, workers, threads, keys) -> servers.Server:
        if store:
            servers.flush_redis(store)
        server = servers.sandbox(threads=threads, store=store, workers=workers)
        server.name = name
        try:
            for key in [*keys, "sk_test_bench_flow"]:
                self.fund(server.url, key)
            if not self.args.smoke:  # every worker up and its caches warm before the figures
                load.run(server.url, "flow", 1, self.args.connections, keys)
        except BaseException:
            server.stop()
            raise
        return server

    def _skip(self, why: str) -> None:
        self.results["notes"].append(why)
        print(f"  {why}")

    def waitress(self) -> None:
        server = servers.sandbox_on_waitress()
        try:
            self.fund(server.url, "sk_test_bench_flow")
            self.measure(server, "flow mix", "flow", "sk_test_bench_flow")
        finally:
            server.stop()

    def prism(self) -> None:
        binary, why = servers.prism_binary()
        if binary is None:
            self.results["notes"].append(f"Prism skipped: {why}")
            print(f"  Prism skipped: {why}")
            return
        for level in ("silent", "info"):
            server = servers.prism(binary, level)
            try:
                self.results["controls"][f"prism_{level}_cold_start_s"] = server.cold_start_s
                for mode in ("verify", "create", "mix"):
                    self.measure(server, mode, mode, "sk_test_x", strict=False)
            finally:
                server.stop()

    # -- the run ---------------------------------------------------------------------------
    def run(self) -> int:
        args = self.args
        self.results["settings"] = {"generator": load.parse_wrk_version(), "connections": args.connections,
                                    "seconds": args.seconds, "runs": args.runs, "cores": os.cpu_count(),
                                    "smoke": args.smoke, "source": str(servers.SOURCE), "only": args.only}
        print(f"load generator: {self.results['settings']['generator']}; {args.connections} connections, "
              f"{args.seconds:g} s per measurement, median of {args.runs}, {os.cpu_count()} cores", flush=True)
        wants = lambda phase: args.only is None or phase in args.only  # noqa: E731
        if wants("loadgen"):
            self.loadgen_ceiling()
        if wants("bare"):
            self.bare()
        if wants("cold-start"):
            self.cold_start()
        if wants("routes") or wants("controls") or (wants("scaling") and not args.no_scaling):
            server = servers.sandbox()
            try:
                if wants("routes"):
                    self.sandbox_routes(server)
                if wants("controls"):
                    self.controls(server)
                if wants("scaling") and not args.no_scaling:
                    self.scaling(server)
            finally:
                server.stop()
        if wants("threads"):
            self.threads()
        if not args.smoke and wants("waitress"):
            self.waitress()
        if not (args.smoke or args.no_prism) and wants("prism"):
            self.prism()
        if wants("scale-out"):
            self.scale_out()
        if wants("redis-cost"):
            self.redis_cost()
        if wants("mock"):  # issue 23: the in-process mock ÷ a live sandbox on loopback, per call
            self.results["mock"] = mock_calls.measure(smoke=args.smoke)
        report = render(self.results, self.failures)
        print("\n" + report)
        if not args.smoke:
            # Some phases only: not over the full run's bench/results.* unless --out says so.
            out = args.out or (self.tmp if args.only else ROOT / "bench")
            out.mkdir(parents=True, exist_ok=True)
            (out / "results.md").write_text(report)
            (out / "results.json").write_text(json.dumps(self.results, indent=2) + "\n")
            print(f"wrote {out / 'results.md'} and results.json")
        for failure in self.failures:
            print(f"ERROR: {failure}", file=sys.stderr)
        return 1 if self.failures else 0


def _wait_behind_latency(url: str) -> float:
    """ms a verify takes while another request sleeps 1 s in the `latency` scenario."""
    key = "sk_test_bench_latency"
    _, created = servers.call(url, "POST", "/v1/escrow/milestone/create", load.CREATE_BODY, SELLER, key=key)
    token = created["data"]["paymentToken"]
    host, port = url.removeprefix("http://").split(":")

    def sleeper():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", f"/v1/escrow/verify/{token}", headers={
            "Authorization": f"Bearer {key}", "X-Sandbox-Scenario": "latency; ms=1000"})
        conn.getresponse().read()

    slow = threading.Thread(target=sleeper)
    slow.start()
    time.sleep(0.2)
    started = time.perf_counter()
    servers.call(url, "GET", f"/v1/escrow/verify/{token}", key=key)
    waited = (time.perf_counter() - started) * 1000
    slow.join()
    return waited


def _redis_version(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return client.info("server")["redis_version"]
    finally:
        client.close()


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "n/a"


def _value(value: float | None, scale: float, form: str) -> str:
    return "n/a" if value is None else form.format(value * scale)


def _fresh_key(route: str, faults: bool) -> str:
    """A namespace of its own for one route's row (another beside the faults)."""
    return f"sk_test_bench_{route.replace(' ', '_')}{'_faults' if faults else ''}"


def _check(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def _latency_ok(row: dict | None) -> bool | None:
    return None if row is None else row["p99_ms"] < TARGETS["p99_ms"] and row["max_ms"] < TARGETS["max_ms"]


def render(results: dict, failures: list[str]) -> str:
    runs, controls, settings = results["runs"], results["controls"], results["settings"]
    rps = lambda server, label: runs.get(server, {}).get(label, {}).get("rps")  # noqa: E731
    lines = ["# Benchmark results", "",
             f"Load generator: {settings['generator']}, {settings['connections']} connections, "
             f"{settings['seconds']:g} s per measurement; every row the median of {settings['runs']} measurements "
             f"(each statistic on its own); {settings['cores']} cores; all servers measured in one run by `make bench` "
             "(bench/run.py). Latencies in ms. \"Beside latency faults\": another client (4 connections, its "
             "requests not in the row) sits in 1-second `latency` faults the whole time.", "",
             "| server | measurement | req/s | p50 | p90 | p99 | max | non-2xx |", "|---|---|---|---|---|---|---|---|"]
    swept = {s["server"] for s in results.get("scale_out", {}).get("serving", [])}  # in their own table below
    for server, measured in runs.items():
        if server in swept:
            continue
        for label, r in measured.items():
            lines.append(f"| {server} | {label} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | "
                         f"{r['p99_ms']:.2f} | {r['max_ms']:.1f} | {r['non2xx']} |")
    flow = rps(SANDBOX, "flow mix")
    lines += ["", "## Ratios", "",
              "| ratio | value |", "|---|---|",
              f"| load generator ceiling (trivial WSGI) | {rps('trivial WSGI', 'trivial') or 0:,.0f} req/s |",
              f"| sandbox verify ÷ bare Flask verify | {_ratio(rps(SANDBOX, 'verify'), rps('bare Flask', 'verify'))} |",
              f"| sandbox create ÷ bare Flask create | {_ratio(rps(SANDBOX, 'create'), rps('bare Flask', 'create'))} |",
              f"| sandbox flow mix ÷ bare Flask mix (the ceiling) | {_ratio(flow, rps('bare Flask', 'mix'))} |",
              f"| sandbox flow mix ÷ Prism -v silent mix | {_ratio(flow, rps('Prism (silent)', 'mix'))} |",
              f"| sandbox flow mix ÷ Prism defaults mix | {_ratio(flow, rps('Prism (info)', 'mix'))} |",
              f"| sandbox flow mix: granian ÷ waitress | {_ratio(flow, rps('sandbox on waitress', 'flow mix'))} |"]
    for name in THREAD_SERVERS:
        waited = controls.get(f"verify_during_latency_ms_{name}")
        if waited is not None:
            lines.append(f"| {name}: flow mix ÷ the default's (fresh servers); a verify behind a 1 s latency "
                         f"fault | {_ratio(rps(name, 'flow mix'), rps(DEFAULT_FRESH, 'flow mix'))}; {waited:,.0f} ms |")
    lines += ["", "## Scaling: the flow mix as one namespace grows", "",
              "| escrows held | req/s | p50 | p99 | max | server RSS MiB |", "|---|---|---|---|---|---|"]
    for s in results["scaling"]:
        lines.append(f"| {s['held']:,} | {s['rps']:,.0f} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | "
                     f"{s['max_ms']:.1f} | {s['rss_bytes'] / 2**20:.0f} |")
    lines += _render_stalls(results, rps)
    lines += _render_issue_9(results, rps)
    lines += _render_scale_out(results, rps)
    lines += mock_calls.render(results.get("mock"))
    if results["notes"]:
        lines += ["", *[f"- {note}" for note in results["notes"]]]
    if failures:
        lines += ["", "## Errors", "", *[f"- {f}" for f in failures]]
    history = ROOT / "bench" / "history.md"
    if history.exists() and not settings.get("smoke"):
        lines += ["", history.read_text().rstrip()]
    return "\n".join(lines) + "\n"


def _render_stalls(results: dict, rps) -> list[str]:
    """Issue 16: every row of the server as `make run` starts it, against p99 < 10 ms and
    max < 50 ms; its flow mix against granian's own runner with one thread."""
    runs, faults = results["runs"], results.get("faults", {})
    measured = runs.get(SANDBOX, {})
    held = results["controls"].get("held")
    conditions = ["", FAULTS] + ([f" at {held:,} held", f" at {held:,} held{FAULTS}"] if held else [])
    lines = ["", "## Targets (issue 16): no stalls, with the default server settings", "",
             f"`payluk-sandbox` as `make run` starts it (memory store, 1 worker, 1 request thread); "
             f"target p99 < {TARGETS['p99_ms']:g} ms and max < {TARGETS['max_ms']:g} ms at "
             f"{results['settings']['connections']} connections.", "",
             "| measurement | req/s | p50 | p99 | max | |", "|---|---|---|---|---|---|"]
    for condition in conditions:
        for route in ROUTES:
            row = measured.get(route + condition)
            if row is None:
                continue
            lines.append(f"| {route}{condition} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | "
                         f"{row['max_ms']:.1f} | {_check(_latency_ok(row))} |")
    one, flow = rps(GRANIAN_RUNNER, "flow mix"), rps(DEFAULT_FRESH, "flow mix")
    lines += ["", "| target | measured | |", "|---|---|---|",
              f"| flow mix ≥ {TARGETS['flow_vs_one_thread']:g}× the same app on granian's own runner with one "
              f"thread (the server before issue 16 with `--threads 1`; fresh servers, same run) | {_ratio(flow, one)} | "
              f"{_check(None if not (flow and one) else flow / one >= TARGETS['flow_vs_one_thread'])} |"]
    for name, seen in faults.items():
        lines.append(f"| {name}: the latency-fault client's own requests (each must wait ≥ 1 s, answer 200) | "
                     f"{seen['requests']:,} back, {seen['failures']} wrong, longest {seen['max_wait_ms']:,.0f} ms | "
                     f"{_check(seen['requests'] > 0 and seen['failures'] == 0)} |")
    for name in (*THREAD_SERVERS[1:], *REDIS_DEFAULTS):
        rows = runs.get(name, {})
        worst = [r for r in rows.values() if r.get("runs")]
        if worst:
            p99, top = max(r["p99_ms"] for r in worst), max(r["max_ms"] for r in worst)
            lines.append(f"| {name}: worst p99 / max of its rows (informative) | {p99:,.2f} / {top:,.1f} ms | |")
    return lines


def _render_issue_9(results: dict, rps) -> list[str]:
    controls = results["controls"]
    scaling = results["scaling"]
    per_escrow = None
    if len(scaling) >= 2 and scaling[-1]["held"] > scaling[0]["held"]:
        per_escrow = (scaling[-1]["rss_bytes"] - scaling[0]["rss_bytes"]) / (scaling[-1]["held"] - scaling[0]["held"])
    flow, mix_prism = rps(SANDBOX, "flow mix"), rps("Prism (silent)", "mix")
    target_rows = [
        ("flow mix ≥ 0.7× bare-Flask ceiling", _ratio(flow, rps("bare Flask", "mix")),
         "withdrawn (issue 16); the ratio is printed above"),
        ("flow mix ≥ 2× Prism -v silent", _ratio(flow, mix_prism),
         _check(None if not (flow and mix_prism) else flow / mix_prism >= TARGETS["flow_vs_prism"])),
        ("p99 < 10 ms at 16 connections, 100,000 escrows held", "see issue 16's table", "superseded"),
        ("cold start to first 200 < 0.5 s", _value(controls.get("cold_start_s"), 1000, "{:.0f} ms"),
         _check(None if "cold_start_s" not in controls else controls["cold_start_s"] < TARGETS["cold_start_s"])),
        ("namespace reset < 5 ms", _value(controls.get("reset_ms"), 1, "{:.2f} ms"),
         _check(None if "reset_ms" not in controls else controls["reset_ms"] < TARGETS["reset_ms"])),
        (f"snapshot restore of {controls.get('restore_escrows', 0):,} escrows < 10 ms",
         _value(controls.get("restore_ms"), 1, "{:.2f} ms"),
         _check(None if "restore_ms" not in controls else controls["restore_ms"] < TARGETS["restore_1000_ms"])),
        ("resident memory < 2 KiB per escrow", "n/a" if per_escrow is None else f"{per_escrow:,.0f} B",
         _check(None if per_escrow is None else per_escrow < TARGETS["bytes_per_escrow"])),
    ]
    lines = ["", "## Targets (issue 9)", "", "| target | measured | |", "|---|---|---|"]
    return lines + [f"| {name} | {value} | {verdict} |" for name, value, verdict in target_rows]


def _render_scale_out(results: dict, rps) -> list[str]:
    scale = results.get("scale_out") or {}
    if not scale:
        return []
    runs, settings = results["runs"], results["settings"]
    spread = f"flow mix, {scale['keys']} keys"
    lines = ["", "## Scale-out on Redis (issue 11)", "",
             f"The flow mix spread over {scale['keys']} secret keys (a shared sandbox serves many CI jobs, each with "
             f"its own namespace; one namespace's operations take turns on its lock, across workers too), "
             f"{settings['connections']} connections; each server as `payluk-sandbox [--store redis://… --workers N]` "
             f"starts it (default threads), a private redis-server {scale['redis']} on this machine (no persistence), "
             "emptied before each server. One key: every request on one namespace (informative). The Redis "
             "defaults' own rows (fresh, and beside latency faults) are in the table at the top.", "",
             f"| server | {spread} req/s | p50 | p99 | max | flow mix, 1 key req/s | p50 | p99 | max |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, _, _ in SCALE_OUT:
        many, one = runs.get(name, {}).get(spread), runs.get(name, {}).get("flow mix, 1 key")
        cells = [f"{r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f}" if r
                 else "n/a | n/a | n/a | n/a" for r in (many, one)]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    two, one, memory = rps(REDIS_2, spread), rps(REDIS_1, spread), rps(MEMORY_1, spread)
    p99 = lambda name: runs.get(name, {}).get(spread, {}).get("p99_ms")  # noqa: E731
    cost = lambda name, field: runs.get(name, {}).get(spread, {}).get("cost", {}).get(field)  # noqa: E731
    cpu_ratio = _ratio(cost(REDIS_2, "cpu_us"), cost(MEMORY_1, "cpu_us"))
    lines += ["", f"What one request of the flow mix ({spread}) costs: the server's CPU (every worker), the "
              "redis-server's CPU, and Redis's own accounting (INFO commandstats: commands, the commands scripts "
              "run included, and their microseconds — a script's own µs include its commands', so this sum "
              "counts those twice, as the targets of issue 21 do).", "",
              "| server | CPU µs per request (server + Redis) | server | redis-server | Redis commands | "
              "commandstats µs | of which scripts |", "|---|---|---|---|---|---|---|"]
    for name, _, _ in SCALE_OUT:
        if cost(name, "cpu_us") is None:
            continue
        cells = [_value(cost(name, f), 1, "{:,.0f}") for f in ("cpu_us", "server_cpu_us", "redis_cpu_us")]
        cells += [_value(cost(name, "redis_commands"), 1, "{:.1f}"), _value(cost(name, "redis_usec"), 1, "{:.0f}"),
                  _value(cost(name, "redis_script_usec"), 1, "{:.0f}")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    usec = cost(REDIS_2, "redis_usec")
    lines += ["", "| target (issue 21) | value | |", "|---|---|---|",
              f"| Redis µs per flow request, 2 workers (commandstats, ≤ {TARGETS['redis_usec_per_request']:.0f}) | "
              f"{_value(usec, 1, '{:.0f} µs')} | {_check(None if usec is None else usec <= TARGETS['redis_usec_per_request'])} |",
              f"| CPU per request, Redis 2 workers ÷ memory (≤ {TARGETS['redis_cpu_vs_memory']}×) | {cpu_ratio} | "
              f"{_check(None if cost(REDIS_2, 'cpu_us') is None or not cost(MEMORY_1, 'cpu_us') else cost(REDIS_2, 'cpu_us') / cost(MEMORY_1, 'cpu_us') <= TARGETS['redis_cpu_vs_memory'])} |",
              f"| Redis: 2 workers ÷ 1 worker, {scale['keys']} keys (≥ {TARGETS['redis_2_vs_1_workers']}×) | "
              f"{_ratio(two, one)} | "
              f"{_check(None if not (two and one) else two / one >= TARGETS['redis_2_vs_1_workers'])} |",
              f"| p99, Redis 2 workers ÷ memory (≤ {TARGETS['redis_p99_vs_memory']}×) | "
              f"{_ratio(p99(REDIS_2), p99(MEMORY_1))} | "
              f"{_check(None if not (p99(REDIS_2) and p99(MEMORY_1)) else p99(REDIS_2) / p99(MEMORY_1) <= TARGETS['redis_p99_vs_memory'])} |"]
    per_op = (results.get("redis_cost") or {}).get("operations")
    if per_op:
        most = max(row["trips"] for row in per_op.values())
        lines.append(f"| round trips per by-id operation, at most (≤ {TARGETS['round_trips_per_by_id_op']}) | "
                     f"{most:.1f} | {_check(most <= TARGETS['round_trips_per_by_id_op'])} |")
        lines += ["", "Per operation (bench/redis_cost.py: the milestone flow in-process, one request at a time, "
                  f"{results['redis_cost']['flows']} flows; round trips counted in redis-py):", "",
                  "| operation | round trips | Redis commands | commandstats µs |", "|---|---|---|---|"]
        for op, row in per_op.items():
            lines.append(f"| {op} | {row['trips']:.1f} | {row['commands']:.1f} | {row['usec']:.0f} |")
        flow = results["redis_cost"]["per_request"]
        lines.append(f"| per flow request | {flow['trips']:.1f} | {flow['commands']:.1f} | {flow['usec']:.0f} |")
        if "redis_cpu_us" in flow:
            lines += ["", f"Real CPU per flow request, in-process (the same flows again, no INFO between requests): "
                      f"redis-server {flow['redis_cpu_us']:.0f} µs (INFO cpu: parsing, replies and system calls "
                      f"included, a script's commands once), the sandbox {flow['worker_cpu_us']:.0f} µs."]
        if "floor_us" in flow:  # what a CPU target leaves for the store's work (bench/redis_cost.py `floor`)
            lines += ["", *redis_cost.floor_lines(flow)]
    lines += ["", "| ratio | value | |", "|---|---|---|",
              f"| Redis: 2 workers ÷ 1 worker, 1 key | "
              f"{_ratio(rps(REDIS_2, 'flow mix, 1 key'), rps(REDIS_1, 'flow mix, 1 key'))} | informative |",
              f"| Redis 1 worker ÷ memory 1 worker, {scale['keys']} keys | {_ratio(one, memory)} | informative |",
              f"| Redis 2 workers ÷ memory 1 worker, {scale['keys']} keys | {_ratio(two, memory)} | informative |",
              "| p99, memory 1 worker / Redis 1 worker / Redis 2 workers | "
              + " / ".join("n/a" if p99(n) is None else f"{p99(n):.2f} ms" for n in (MEMORY_1, REDIS_1, REDIS_2))
              + " | |"]
    serving = scale.get("serving") or []
    if serving:
        lines += ["", f"Redis store, workers × request threads ({spread}; each a fresh server; the default is 1 "
                  "thread):", "",
                  "| workers | threads | req/s | p50 | p99 | max | ÷ 1 thread, same workers |",
                  "|---|---|---|---|---|---|---|"]
        for s in serving:
            default = next((d["rps"] for d in serving if d["workers"] == s["workers"] and d["threads"] == 1), None)
            lines.append(f"| {s['workers']} | {s['threads']} | {s['rps']:,.0f} | {s['p50_ms']:.2f} | "
                         f"{s['p99_ms']:.2f} | {s['max_ms']:.1f} | {_ratio(s['rps'], default)} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5, help="length of each measurement")
    parser.add_argument("--runs", type=int, default=3, help="measurements per row (each statistic the median)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--smoke", action="store_true", help="1 s per measurement, one each, small fills, no Prism")
    parser.add_argument("--no-prism", action="store_true")
    parser.add_argument("--no-scaling", action="store_true", help="skip the fill to 100,000 escrows")
    parser.add_argument("--keys", type=int, default=16, help="scale-out: secret keys (namespaces) the flow mix "
                        "is spread over")
    parser.add_argument("--only", type=lambda text: text.split(","), metavar="PHASE[,PHASE]",
                        help=f"run only these phases, of: {', '.join(PHASES)}")
    parser.add_argument("--source", type=Path, help="serve another checkout of the sandbox, e.g. a git worktree "
                        "of an older commit (a before/after; give --out too)")
    parser.add_argument("--out", type=Path, help="where results.md/json go (default bench/; with --only a "
                        "temporary directory)")
    args = parser.parse_args(argv)
    if args.only and set(args.only) - set(PHASES):
        parser.error(f"--only: unknown phase {', '.join(sorted(set(args.only) - set(PHASES)))}; "
                     f"phases: {', '.join(PHASES)}")
    if args.source:
        servers.SOURCE = args.source.resolve()
    if args.smoke:
        args.seconds, args.runs = 1, 1
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
