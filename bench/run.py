"""`make bench`: the sandbox against its ceiling and its peers, in one run, on this machine.

In one run, with the same load generator and settings:
  * the load generator's own ceiling (a raw WSGI app answering "ok");
  * the stack's ceiling: bare Flask on the same granian configuration, Payluk-sized answers;
  * the sandbox as `make run` serves it: verify, milestone create, pay, confirm, and the flow
    mix (fresh escrows created, paid, both milestones confirmed, read back);
  * the sandbox on waitress (why granian is the production server);
  * Prism mocking the sandbox's own openapi.json, `-v silent` and defaults (when npm is here);
  * cold start, namespace reset, snapshot restore of 1,000 escrows;
  * the flow mix as a namespace grows to 100,000 escrows: latency, resident memory per escrow;
  * scale-out on Redis: the flow mix spread over 16 keys (many CI jobs' namespaces) on the
    memory store (1 worker, the default) and on a private redis-server with 1 and 2 workers,
    one key too (informative), and the Redis store's request threads and SANDBOX_SERIAL.
Ratios, not absolute numbers, are the point. Targets are printed with the figures; the exit
code reflects only errors (a failed request, a crashed server), never speed.

    python bench/run.py                 # the full run (about 9 minutes), writes bench/results.*
    python bench/run.py --smoke         # ~25 s: every phase briefly, fails on any error (CI)
    python bench/run.py --only scale-out  # some phases (PHASES); results.* go to a temporary directory
"""

import argparse
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

from bench import load, servers  # noqa: E402
from sandbox.config import Config  # noqa: E402

ROOT = servers.ROOT
SELLER, BUYER = load.SELLER, load.BUYER
TEN_MILESTONES = {"amount": 10_000, "purpose": "bench", "whoPays": "buyer",
                  "milestones": [{"title": f"m{i}", "amount": 1000} for i in range(10)]}
TARGETS = {
    "flow_vs_ceiling": 0.7, "flow_vs_prism": 2.0, "p99_at_100k_ms": 10.0, "cold_start_s": 0.5,
    "reset_ms": 5.0, "restore_1000_ms": 10.0, "bytes_per_escrow": 2048, "redis_2_vs_1_workers": 1.3,
}
PHASES = ("loadgen", "bare", "cold-start", "routes", "controls", "scaling", "threads", "waitress", "prism",
          "scale-out")
# Scale-out: the servers compared (name, Redis store?, workers), each as `payluk-sandbox` starts it
# (its default threads), and the Redis store's serving settings tried (workers, threads, serial).
MEMORY_1, REDIS_1, REDIS_2 = "sandbox (memory, 1 worker)", "sandbox (Redis, 1 worker)", "sandbox (Redis, 2 workers)"
SCALE_OUT = ((MEMORY_1, False, 1), (REDIS_1, True, 1), (REDIS_2, True, 2))
# What `payluk-sandbox --store redis://…` runs with (sandbox/config.py: Config.threads, Config.in_turns).
DEFAULT_THREADS = Config().threads
REDIS_DEFAULT_SERIAL = "on" if Config(store="redis://127.0.0.1:6379/0").in_turns else "off"
REDIS_SERVING = tuple((w, t, serial) for w in (1, 2) for t, serial in
                      ((1, "on"), (2, "on"), (2, "off"), (4, "on"), (4, "off")))


class Bench:
    def __init__(self, args):
        self.args = args
        self.results: dict = {"settings": {}, "runs": {}, "controls": {}, "scaling": [], "scale_out": {},
                              "notes": []}
        self.failures: list[str] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="payluk-bench-"))

    # -- measuring -------------------------------------------------------------------------
    def measure(self, server: servers.Server, label: str, mode: str, key, items: Path | None = None,
                strict: bool = True, seconds: float | None = None) -> dict:
        result = load.run(server.url, mode, seconds or self.args.seconds, self.args.connections, key, items)
        if server.proc.poll() is not None:
            self.failures.append(f"{server.name} died during {label}")
        if strict and (result["errors"] or result["non2xx"]):
            self.failures.append(f"{server.name} {label}: {result['errors']} errors, {result['non2xx']} non-2xx")
        self.results["runs"].setdefault(server.name, {})[label] = result
        print(f"  {server.name:<22} {label:<18} {result['rps']:>8,.0f} req/s   p50 {result['p50_ms']:6.2f} ms"
              f"   p99 {result['p99_ms']:6.2f} ms   non-2xx {result['non2xx']}", flush=True)
        return result

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

    def sandbox_routes(self, server: servers.Server) -> None:
        key = "sk_test_bench_routes"
        url = server.url
        self.fund(url, key)
        token = self.create_many(url, key, 1)[0]["paymentToken"]
        self.measure(server, "verify", "verify", key, self.write_items("token", [token]))
        created = self.measure(server, "create", "create", key)
        pool = max(200, int(created["rps"] * self.args.seconds * 1.5))
        escrows = self.create_many(url, key, pool)
        self.measure(server, "pay", "pay", key, self.write_items("pay", [e["id"] for e in escrows]))
        paid = self.create_many(url, key, pool // 10 + 20, TEN_MILESTONES, pay=True)
        pairs = [f"{e['id']} {m['id']}" for e in paid for m in e["milestones"]]
        self.measure(server, "confirm", "confirm", key, self.write_items("confirm", pairs))
        self.fund(url, "sk_test_bench_flow")
        self.measure(server, "flow mix", "flow", "sk_test_bench_flow")

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
        key = "sk_test_bench_scale"
        url = server.url
        self.fund(url, key)
        targets = (500, 2_000) if self.args.smoke else (10_000, 100_000)
        steps = [("fresh", 0), *((f"{t:,} held", t) for t in targets)]
        for label, target in steps:
            while (count := self.escrow_count(url, key)) < target:
                needed = target - count
                fill_rps = max(200.0, self.results["runs"].get("sandbox", {}).get("flow mix", {}).get("rps", 0) / 5)
                load.run(url, "flow", min(120, max(1, needed / fill_rps * 1.05)), self.args.connections, key)
            held = self.escrow_count(url, key)
            result = self.measure(server, f"flow at {label}", "flow", key)
            self.results["scaling"].append({"held": held, "rss_bytes": server.rss_bytes(), **result})

    def threads(self) -> None:
        """The flow mix with 1, 2 and 4 request threads taking turns, and 2 threads running at
        once (the default is chosen from this), and how long a plain verify waits while another
        client's request sleeps in a latency fault."""
        for threads, serial in ((1, "on"), (2, "on"), (4, "on"), (2, "off")):
            server = servers.sandbox(threads=threads, env={"SANDBOX_SERIAL": serial})
            server.name = f"sandbox, {threads} thread{'s' if threads > 1 else ''}" + (
                "" if serial == "on" else ", SANDBOX_SERIAL=off")
            try:
                self.fund(server.url, "sk_test_bench_flow")
                self.measure(server, "flow mix", "flow", "sk_test_bench_flow")
                self.results["controls"][f"verify_during_latency_ms_{server.name}"] = _wait_behind_latency(server.url)
            finally:
                server.stop()

    def scale_out(self) -> None:
        """Issue 11: the flow mix spread over `--keys` namespaces (a shared sandbox serves many CI
        jobs, each with its own key; one namespace's operations take turns on its lock, across
        workers too) on the memory store and on Redis with 1 and 2 workers; then one key
        (informative); then the Redis store's threads and SANDBOX_SERIAL (full runs only). Each
        server starts on an emptied Redis database and gets a 1 s warm-up (full runs only)."""
        if not (servers.SOURCE / "sandbox" / "redis_store.py").exists():
            return self._skip(f"Scale-out on Redis skipped: {servers.SOURCE} has no Redis store")
        redis, why = servers.redis_server()
        if redis is None:
            return self._skip(f"Scale-out on Redis skipped: {why}")
        keys = load.keys_for("sk_test_bench_", self.args.keys)
        spread = f"flow mix, {len(keys)} keys"
        self.results["scale_out"] = {"keys": len(keys), "redis": _redis_version(redis.url), "serving": []}
        try:
            for name, on_redis, workers in SCALE_OUT:
                server = self._scale_out_server(name, redis.url if on_redis else None, workers, None, None, keys)
                try:
                    self.measure(server, spread, "flow", keys)
                    if on_redis and not self.args.smoke:
                        self.measure(server, "flow mix, 1 key", "flow", "sk_test_bench_flow")
                finally:
                    server.stop()
            if self.args.smoke:
                return
            for workers, threads, serial in REDIS_SERVING:
                name = (f"sandbox (Redis, {workers} worker{'s' if workers > 1 else ''}, {threads} "
                        f"thread{'s' if threads > 1 else ''}, SANDBOX_SERIAL={serial})")
                server = self._scale_out_server(name, redis.url, workers, threads, serial, keys)
                try:
                    result = self.measure(server, spread, "flow", keys)
                finally:
                    server.stop()
                self.results["scale_out"]["serving"].append(
                    {"server": name, "workers": workers, "threads": threads, "serial": serial, **result})
        finally:
            redis.cleanup()

    def _scale_out_server(self, name, store, workers, threads, serial, keys) -> servers.Server:
        if store:
            servers.flush_redis(store)
        server = servers.sandbox(threads=threads, store=store, workers=workers,
                                 env={"SANDBOX_SERIAL": serial} if serial else None)
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
                                    "seconds": args.seconds, "cores": os.cpu_count(), "smoke": args.smoke,
                                    "source": str(servers.SOURCE), "only": args.only}
        print(f"load generator: {self.results['settings']['generator']}; {args.connections} connections, "
              f"{args.seconds:g} s per measurement, {os.cpu_count()} cores", flush=True)
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
        if not args.smoke:
            if wants("threads"):
                self.threads()
            if wants("waitress"):
                self.waitress()
        if not (args.smoke or args.no_prism) and wants("prism"):
            self.prism()
        if wants("scale-out"):
            self.scale_out()
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


def _check(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def render(results: dict, failures: list[str]) -> str:
    runs, controls, settings = results["runs"], results["controls"], results["settings"]
    rps = lambda server, label: runs.get(server, {}).get(label, {}).get("rps")  # noqa: E731
    lines = ["# Benchmark results", "",
             f"Load generator: {settings['generator']}, {settings['connections']} connections, "
             f"{settings['seconds']:g} s per measurement, {settings['cores']} cores; all servers measured in one run "
             "by `make bench` (bench/run.py). Latencies in ms.", "",
             "| server | measurement | req/s | p50 | p90 | p99 | non-2xx |", "|---|---|---|---|---|---|---|"]
    swept = {s["server"] for s in results.get("scale_out", {}).get("serving", [])}  # in their own table below
    for server, measured in runs.items():
        if server in swept:
            continue
        for label, r in measured.items():
            lines.append(f"| {server} | {label} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | "
                         f"{r['p99_ms']:.2f} | {r['non2xx']} |")
    flow = rps("sandbox", "flow mix")
    lines += ["", "## Ratios", "",
              "| ratio | value |", "|---|---|",
              f"| load generator ceiling (trivial WSGI) | {rps('trivial WSGI', 'trivial') or 0:,.0f} req/s |",
              f"| sandbox verify ÷ bare Flask verify | {_ratio(rps('sandbox', 'verify'), rps('bare Flask', 'verify'))} |",
              f"| sandbox create ÷ bare Flask create | {_ratio(rps('sandbox', 'create'), rps('bare Flask', 'create'))} |",
              f"| sandbox flow mix ÷ bare Flask mix (the ceiling) | {_ratio(flow, rps('bare Flask', 'mix'))} |",
              f"| sandbox flow mix ÷ Prism -v silent mix | {_ratio(flow, rps('Prism (silent)', 'mix'))} |",
              f"| sandbox flow mix ÷ Prism defaults mix | {_ratio(flow, rps('Prism (info)', 'mix'))} |",
              f"| sandbox flow mix: granian ÷ waitress | {_ratio(flow, rps('sandbox on waitress', 'flow mix'))} |"]
    for name in [key.removeprefix("verify_during_latency_ms_") for key in controls
                 if key.startswith("verify_during_latency_ms_")]:
        waited = controls[f"verify_during_latency_ms_{name}"]
        if waited is not None:
            lines.append(f"| {name}: flow mix ÷ default server's; a verify behind a 1 s latency fault | "
                         f"{_ratio(rps(name, 'flow mix'), flow)}; {waited:,.0f} ms |")
    lines += ["", "## Scaling: the flow mix as one namespace grows", "",
              "| escrows held | req/s | p50 | p99 | max | server RSS MiB |", "|---|---|---|---|---|---|"]
    for s in results["scaling"]:
        lines.append(f"| {s['held']:,} | {s['rps']:,.0f} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | "
                     f"{s['max_ms']:.1f} | {s['rss_bytes'] / 2**20:.0f} |")
    scaling = results["scaling"]
    per_escrow = None
    if len(scaling) >= 2 and scaling[-1]["held"] > scaling[0]["held"]:
        per_escrow = (scaling[-1]["rss_bytes"] - scaling[0]["rss_bytes"]) / (scaling[-1]["held"] - scaling[0]["held"])
    last_p99 = scaling[-1]["p99_ms"] if scaling else None
    mix_ceiling, mix_prism = rps("bare Flask", "mix"), rps("Prism (silent)", "mix")
    target_rows = [
        ("flow mix ≥ 0.7× bare-Flask ceiling", _ratio(flow, mix_ceiling),
         None if not (flow and mix_ceiling) else flow / mix_ceiling >= TARGETS["flow_vs_ceiling"]),
        ("flow mix ≥ 2× Prism -v silent", _ratio(flow, mix_prism),
         None if not (flow and mix_prism) else flow / mix_prism >= TARGETS["flow_vs_prism"]),
        (f"p99 < 10 ms at {settings['connections']} connections, {scaling[-1]['held']:,} escrows held"
         if scaling else "p99 < 10 ms with 100,000 escrows held",
         f"{last_p99:.2f} ms" if last_p99 is not None else "n/a",
         None if last_p99 is None else last_p99 < TARGETS["p99_at_100k_ms"]),
        ("cold start to first 200 < 0.5 s", _value(controls.get("cold_start_s"), 1000, "{:.0f} ms"),
         None if "cold_start_s" not in controls else controls["cold_start_s"] < TARGETS["cold_start_s"]),
        ("namespace reset < 5 ms", _value(controls.get("reset_ms"), 1, "{:.2f} ms"),
         None if "reset_ms" not in controls else controls["reset_ms"] < TARGETS["reset_ms"]),
        (f"snapshot restore of {controls.get('restore_escrows', 0):,} escrows < 10 ms",
         _value(controls.get("restore_ms"), 1, "{:.2f} ms"),
         None if "restore_ms" not in controls else controls["restore_ms"] < TARGETS["restore_1000_ms"]),
        ("resident memory < 2 KiB per escrow", "n/a" if per_escrow is None else f"{per_escrow:,.0f} B",
         None if per_escrow is None else per_escrow < TARGETS["bytes_per_escrow"]),
    ]
    lines += ["", "## Targets (issue 9)", "", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {_check(ok)} |" for name, value, ok in target_rows]
    lines += _render_scale_out(results, rps)
    if results["notes"]:
        lines += ["", *[f"- {note}" for note in results["notes"]]]
    if failures:
        lines += ["", "## Errors", "", *[f"- {f}" for f in failures]]
    history = ROOT / "bench" / "history.md"
    if history.exists() and not settings.get("smoke"):
        lines += ["", history.read_text().rstrip()]
    return "\n".join(lines) + "\n"


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
             f"starts it (default threads and SANDBOX_SERIAL), a private redis-server {scale['redis']} on this "
             "machine (no persistence), emptied before each server. One key: every request on one namespace "
             "(informative).", "",
             f"| server | {spread} req/s | p50 | p99 | flow mix, 1 key req/s | p50 | p99 |", "|---|---|---|---|---|---|---|"]
    for name, _, _ in SCALE_OUT:
        many, one = runs.get(name, {}).get(spread), runs.get(name, {}).get("flow mix, 1 key")
        cells = [f"{r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f}" if r else "n/a | n/a | n/a"
                 for r in (many, one)]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    two, one, memory = rps(REDIS_2, spread), rps(REDIS_1, spread), rps(MEMORY_1, spread)
    p99 = lambda name: runs.get(name, {}).get(spread, {}).get("p99_ms")  # noqa: E731
    lines += ["", "| ratio | value | |", "|---|---|---|",
              f"| Redis: 2 workers ÷ 1 worker, {scale['keys']} keys (target ≥ 1.3×) | {_ratio(two, one)} | "
              f"{_check(None if not (two and one) else two / one >= TARGETS['redis_2_vs_1_workers'])} |",
              f"| Redis: 2 workers ÷ 1 worker, 1 key | "
              f"{_ratio(rps(REDIS_2, 'flow mix, 1 key'), rps(REDIS_1, 'flow mix, 1 key'))} | informative |",
              f"| Redis 1 worker ÷ memory 1 worker, {scale['keys']} keys | {_ratio(one, memory)} | informative |",
              f"| Redis 2 workers ÷ memory 1 worker, {scale['keys']} keys | {_ratio(two, memory)} | informative |",
              "| p99, memory 1 worker / Redis 1 worker / Redis 2 workers | "
              + " / ".join("n/a" if p99(n) is None else f"{p99(n):.2f} ms" for n in (MEMORY_1, REDIS_1, REDIS_2))
              + " | |"]
    serving = scale.get("serving") or []
    if serving:
        lines += ["", f"Redis store, serving settings ({spread}; each a fresh server; on Redis the default is "
                  f"{DEFAULT_THREADS} threads, SANDBOX_SERIAL={REDIS_DEFAULT_SERIAL}):", "",
                  "| workers | threads | SANDBOX_SERIAL | req/s | p50 | p99 | ÷ default of that worker count |",
                  "|---|---|---|---|---|---|---|"]
        for s in serving:
            default = next((d["rps"] for d in serving if d["workers"] == s["workers"] and d["threads"] == DEFAULT_THREADS
                            and d["serial"] == REDIS_DEFAULT_SERIAL), None)
            lines.append(f"| {s['workers']} | {s['threads']} | {s['serial']} | {s['rps']:,.0f} | {s['p50_ms']:.2f} | "
                         f"{s['p99_ms']:.2f} | {_ratio(s['rps'], default)} |")
        for workers in sorted({s["workers"] for s in serving}):
            best = max((s for s in serving if s["workers"] == workers), key=lambda s: s["rps"])
            lines.append(f"\nFastest with {workers} worker{'s' if workers > 1 else ''}: {best['threads']} "
                         f"thread{'s' if best['threads'] > 1 else ''}, SANDBOX_SERIAL={best['serial']} "
                         f"({best['rps']:,.0f} req/s, p99 {best['p99_ms']:.2f} ms).")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5, help="length of each measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--smoke", action="store_true", help="1 s per measurement, small fills, no Prism")
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
        args.seconds = 1
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
