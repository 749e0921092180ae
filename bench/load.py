"""The load generator: Debian's `wrk` driving bench/wrk.lua, or — where wrk is missing — a
keep-alive Python client that runs the same modes (slower: it shares the GIL and the cores).

Modes (see bench/wrk.lua): verify, create, pay, confirm, flow, mix, trivial. Every run answers
{"requests", "seconds", "rps", "errors", "non2xx", "p50_ms", "p90_ms", "p99_ms", "max_ms"}.
`key` is one secret key, or several (a list, or comma-separated): the flow mode then spreads its
escrows over them — wrk gives each new escrow the next key in turn, the Python client gives
connection i the key i % len(keys) — as many CI jobs, each with its own namespace, would.
"""

import http.client
import json
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
WRK_THREADS = 2
SELLER, BUYER = "665f1b2c9a1e4d0012ab3c30", "665f1b2c9a1e4d0012ab3c31"
CREATE_BODY = {"amount": 2000, "purpose": "bench", "whoPays": "buyer",
               "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]}


def generator() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def keys_for(prefix: str, count: int) -> list[str]:
    """`count` secret keys, `<prefix>0` .. (the flow mix spread over that many namespaces)."""
    return [f"{prefix}{i}" for i in range(count)]


def run(url: str, mode: str, seconds: float, connections: int, key, items_file: Path | None = None) -> dict:
    key = key if isinstance(key, str) else ",".join(key)
    if generator() == "wrk":
        return _wrk(url, mode, seconds, connections, key, items_file)
    return _python(url, mode, seconds, connections, key, items_file)


def _summary(requests: int, seconds: float, errors: int, non2xx: int, latencies_us: list) -> dict:
    def pct(q):
        return latencies_us[min(len(latencies_us) - 1, int(len(latencies_us) * q))] / 1000 if latencies_us else 0.0

    return {"requests": requests, "seconds": round(seconds, 3), "rps": requests / seconds if seconds else 0.0,
            "errors": errors, "non2xx": non2xx, "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
            "max_ms": latencies_us[-1] / 1000 if latencies_us else 0.0}


def _wrk(url, mode, seconds, connections, key, items_file) -> dict:
    cmd = ["wrk", "-t", str(WRK_THREADS), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
           "--timeout", "10s", "-s", str(WRK_SCRIPT), url, "--", mode, key]
    if items_file:
        cmd.append(str(items_file))
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "WRK_THREADS": str(WRK_THREADS)})
    line = next((line for line in out.stdout.splitlines() if line.startswith("{")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout[-500:]} {out.stderr[-500:]}")
    raw = json.loads(line)
    latency = {q: raw[f"p{q}_us"] / 1000 for q in (50, 90, 99)}
    return {"requests": raw["requests"], "seconds": raw["seconds"], "rps": raw["requests"] / raw["seconds"],
            "errors": raw["errors"], "non2xx": raw["non2xx"], "p50_ms": latency[50], "p90_ms": latency[90],
            "p99_ms": latency[99], "max_ms": raw["max_us"] / 1000}


class Client:
    """One keep-alive connection issuing the requests of a mode, timing each."""

    def __init__(self, url: str, key: str):
        host, port = url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=10)
        self.key = key
        self.latencies: list[int] = []
        self.errors = self.non2xx = 0

    def send(self, method: str, path: str, body=None, customer=None) -> dict | None:
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        if customer:
            headers["customer-id"] = customer
        started = time.perf_counter_ns()
        try:
            self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            reply = self.conn.getresponse()
            raw = reply.read()
        except OSError:
            self.errors += 1
            self.conn.close()
            return None
        self.latencies.append((time.perf_counter_ns() - started) // 1000)
        if not 200 <= reply.status < 300:
            self.non2xx += 1
            return None
        return json.loads(raw) if raw[:1] == b"{" else {}


def _python(url, mode, seconds, connections, key, items_file) -> dict:
    items = items_file.read_text().split("\n") if items_file else []
    items = [i for i in items if i]
    stop = time.perf_counter() + seconds
    keys = key.split(",") if mode == "flow" else key.split(",")[:1]  # the other modes: the first key
    clients = [Client(url, keys[i % len(keys)]) for i in range(connections)]
    fixed_id, fixed_milestone = "665f1b2c9a1e4d0012ab3c50", "665f1b2c9a1e4d0012ab3c51"

    def pay(client, escrow_id):
        return client.send("POST", "/v1/payment/escrow", {"gateway": "WALLET", "transactionType": "ESCROW",
                           "reference": f"bench{escrow_id}", "escrowDetails": {"escrowId": escrow_id}}, BUYER)

    def work(index: int, client: Client):
        n = index
        while time.perf_counter() < stop:
            if mode == "verify":
                client.send("GET", f"/v1/escrow/verify/{items[0] if items else 'PY_benchtoken1'}")
            elif mode == "create":
                client.send("POST", "/v1/escrow/milestone/create", CREATE_BODY, SELLER)
            elif mode == "pay":
                pay(client, items[n % len(items)])
            elif mode == "confirm":
                escrow_id, milestone_id = items[n % len(items)].split()
                client.send("POST", f"/v1/escrow/milestone/confirm/{escrow_id}/{milestone_id}", None, BUYER)
            elif mode == "flow":
                created = client.send("POST", "/v1/escrow/milestone/create", CREATE_BODY, SELLER)
                if created and pay(client, created["data"]["id"]):
                    for milestone in created["data"]["milestones"]:
                        client.send("POST", f"/v1/escrow/milestone/confirm/{created['data']['id']}/{milestone['id']}",
                                    None, BUYER)
                    client.send("GET", f"/v1/escrow/verify/{created['data']['paymentToken']}")
            elif mode == "mix":
                client.send("POST", "/v1/escrow/milestone/create", CREATE_BODY, SELLER)
                pay(client, fixed_id)
                for _ in range(2):
                    client.send("POST", f"/v1/escrow/milestone/confirm/{fixed_id}/{fixed_milestone}", None, BUYER)
                client.send("GET", "/v1/escrow/verify/PY_benchtoken1")
            else:
                client.send("GET", "/")
            n += connections

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for c in clients for x in c.latencies)
    return _summary(len(latencies), elapsed, sum(c.errors for c in clients), sum(c.non2xx for c in clients),
                    latencies)


def parse_wrk_version() -> str:
    if not shutil.which("wrk"):
        return "python keep-alive client"
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    match = re.search(r"wrk \S+", out.stdout + out.stderr)
    return match.group(0) if match else "wrk"


class LatencyFaults:
    """Another client sitting in `latency` faults while a measurement runs: `connections`
    requests at a time, each waiting `ms` in the sandbox, on a key of its own (its requests are
    not in the measured rows). As a context manager; `summary()` tells how many came back, all
    200 and none before its wait was over."""

    KEY = "sk_test_bench_faults"

    def __init__(self, url: str, connections: int = 4, ms: int = 1000):
        self.host, port = url.removeprefix("http://").split(":")
        self.port, self.connections, self.ms = int(port), connections, ms
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.waits: list[float] = []
        self.failures: list[str] = []

    def _client(self) -> None:
        headers = {"Authorization": f"Bearer {self.KEY}", "customer-id": BUYER,
                   "X-Sandbox-Scenario": f"latency; ms={self.ms}"}
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.ms / 1000 + 30)
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                conn.request("GET", "/v1/wallet", headers=headers)
                reply = conn.getresponse()
                reply.read()
            except OSError as err:
                self.failures.append(f"{type(err).__name__}: {err}")
                conn.close()
                continue
            waited = time.perf_counter() - started
            if reply.status != 200 or waited < self.ms / 1000:
                self.failures.append(f"HTTP {reply.status} after {waited * 1000:.0f} ms")
            self.waits.append(waited)

    def __enter__(self):
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self.connections)]
        for thread in self._threads:
            thread.start()
        time.sleep(0.2)  # every fault client's request is in the server, waiting
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(self.ms / 1000 + 35)

    def summary(self) -> dict:
        return {"requests": len(self.waits), "failures": len(self.failures),
                "max_wait_ms": max(self.waits, default=0) * 1000}
