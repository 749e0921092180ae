"""Which WSGI server should serve the sandbox? Measure, in one run, on this machine.

Starts the same sandbox app under granian (what `payluk-sandbox` uses) and under waitress,
drives both with the same load (wrk when installed, else a keep-alive Python client), and
prints req/s, p50/p99 and the ratio granian / waitress. Writes bench/results.md and
bench/results.json. Ratios, not absolute numbers, are the point: both servers are
measured minutes apart on the same machine with the same client.

    make bench                      # defaults: 8 connections, 5 s per route, 1 server thread
    python bench/serve_bench.py --seconds 2 --connections 4
"""

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk_test_bench"
SELLER = "665f1b2c9a1e4d0012ab3c30"
BUYER = "665f1b2c9a1e4d0012ab3c31"
MILESTONE_BODY = json.dumps({
    "amount": 2000, "purpose": "bench", "whoPays": "buyer",
    "milestones": [{"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}],
})

WAITRESS = """
import sys
from waitress import serve
from sandbox.app import create_app_from_env
serve(create_app_from_env(), host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), _quiet=True)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(server: str, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "SANDBOX_SEED": "1"}
    if server == "granian":
        cmd = [sys.executable, "-m", "sandbox", "--port", str(port), "--threads", str(threads)]
    else:
        cmd = [sys.executable, "-c", WAITRESS, str(port), str(threads)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{server} did not start")


def call(url: str, method: str, path: str, body: str | None = None, customer: str | None = None) -> dict:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    if customer:
        headers["customer-id"] = customer
    conn.request(method, path, body=body, headers=headers)
    return json.loads(conn.getresponse().read())


def python_load(url: str, method: str, path: str, body, customer, connections: int, seconds: float) -> dict:
    host, port = url.removeprefix("http://").split(":")
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    if customer:
        headers["customer-id"] = customer
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    stop = time.perf_counter() + seconds

    def worker(i):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            latencies[i].append(time.perf_counter() - t0)
            if resp.status >= 500:
                errors[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = sorted(x for chunk in latencies for x in chunk)
    return {
        "requests_per_s": len(flat) / seconds,
        "p50_ms": statistics.median(flat) * 1000,
        "p99_ms": flat[int(len(flat) * 0.99) - 1] * 1000,
        "errors": sum(errors),
    }


def wrk_load(url, method, path, body, customer, connections, seconds) -> dict:
    script = f"""
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer {KEY}"
wrk.headers["Content-Type"] = "application/json"
{f'wrk.headers["customer-id"] = "{customer}"' if customer else ''}
{f'wrk.body = [[{body}]]' if body else ''}
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--latency", "-s", f.name,
                          url + path], capture_output=True, text=True).stdout
    os.unlink(f.name)

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests_per_s": rps, "p50_ms": ms("50"), "p99_ms": ms("99"),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    load = wrk_load if shutil.which("wrk") else python_load
    client = "wrk" if load is wrk_load else "python keep-alive client"
    print(f"load generator: {client}; {args.connections} connections, {args.seconds:g} s per route, "
          f"{args.threads} server threads, {os.cpu_count()} cores")

    results = {}
    for server in ("granian", "waitress"):
        proc, url = start(server, args.threads)
        try:
            escrow = call(url, "POST", "/v1/escrow/milestone/create", MILESTONE_BODY, SELLER)["data"]
            routes = {
                "verify (GET)": ("GET", f"/v1/escrow/verify/{escrow['paymentToken']}", None, None),
                "milestone create (POST)": ("POST", "/v1/escrow/milestone/create", MILESTONE_BODY, SELLER),
            }
            results[server] = {name: load(url, *spec, args.connections, args.seconds) for name, spec in routes.items()}
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    lines = ["# Serving benchmark\n", f"Load generator: {client}; {args.connections} connections, "
             f"{args.seconds:g} s per route, {args.threads} server threads, {os.cpu_count()} cores.\n",
             "| route | granian req/s | p50 / p99 ms | waitress req/s | p50 / p99 ms | granian ÷ waitress |",
             "|---|---|---|---|---|---|"]
    for route in results["granian"]:
        g, w = results["granian"][route], results["waitress"][route]
        ratio = g["requests_per_s"] / w["requests_per_s"]
        lines.append(f"| {route} | {g['requests_per_s']:,.0f} | {g['p50_ms']:.1f} / {g['p99_ms']:.1f} | "
                     f"{w['requests_per_s']:,.0f} | {w['p50_ms']:.1f} / {w['p99_ms']:.1f} | {ratio:.2f}× |")
    report = "\n".join(lines) + "\n"
    print(report)
    (ROOT / "bench" / "results.md").write_text(report)
    (ROOT / "bench" / "results.json").write_text(json.dumps({"client": client, "args": vars(args),
                                                             "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
