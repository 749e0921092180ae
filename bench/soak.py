"""`make soak`: the flow mix for ten minutes (SOAK_SECONDS) against one sandbox, with webhooks
delivered to a local receiver, printing the server's resident memory as it goes.

What it shows: the request journal, the webhook event log and the delivery log are bounded
(1,000 entries each, oldest dropped) — so with the namespace reset every RESET_EVERY seconds,
as a CI job would between suites, resident memory levels off instead of creating a slope.
The run fails on any failed request or a crashed server, and when the last third of the run
holds more than 10 % above the peak of its first two thirds (a leak).

    python bench/soak.py --seconds 600        # writes bench/soak.md
"""

import argparse
import http.server
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load, servers  # noqa: E402

KEY = "sk_test_soak"


class _Receiver(http.server.BaseHTTPRequestHandler):
    received = 0

    def do_POST(self):  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Receiver.received += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--reset-every", type=float, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--out", default=str(servers.ROOT / "bench" / "soak.md"))
    args = parser.parse_args(argv)

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    server = servers.sandbox(env={"SANDBOX_WEBHOOK_URL": hook})
    samples, failures, requests = [], [], 0
    started = time.perf_counter()
    try:
        while (elapsed := time.perf_counter() - started) < args.seconds:
            servers.call(server.url, "POST", "/_sandbox/reset", {}, key=KEY)
            servers.call(server.url, "POST", "/_sandbox/helpers/fund-customer",
                         {"customerId": load.BUYER, "amount": 10**11}, key=KEY)
            result = load.run(server.url, "flow", min(args.reset_every, args.seconds - elapsed), args.connections, KEY)
            requests += result["requests"]
            if result["errors"] or result["non2xx"] or server.proc.poll() is not None:
                failures.append(f"at {elapsed:.0f} s: {result['errors']} errors, {result['non2xx']} non-2xx")
            _, journal = servers.call(server.url, "GET", "/_sandbox/requests?limit=1", key=KEY)
            _, events = servers.call(server.url, "GET", "/_sandbox/events", key=KEY)
            samples.append({"t": round(time.perf_counter() - started), "rss": server.rss_bytes(),
                            "rps": result["rps"], "p99": result["p99_ms"],
                            "journal": journal.get("data", {}).get("count"),
                            "events": events.get("data", {}).get("count")})
            s = samples[-1]
            print(f"{s['t']:>5} s  RSS {s['rss'] / 2**20:6.1f} MiB  {s['rps']:7,.0f} req/s  p99 {s['p99']:6.2f} ms  "
                  f"journal {s['journal']}  events {s['events']}  webhooks received {_Receiver.received:,}", flush=True)
    finally:
        server.stop()
        receiver.shutdown()

    third = max(1, len(samples) * 2 // 3)
    early = max(s["rss"] for s in samples[:third])
    late = max(s["rss"] for s in samples[third:]) if samples[third:] else early
    leak = late > early * 1.10
    if leak:
        failures.append(f"resident memory rose from {early / 2**20:.1f} MiB to {late / 2**20:.1f} MiB")
    lines = ["# Soak", "", f"{args.seconds:g} s of the flow mix, {args.connections} connections, the namespace reset every "
             f"{args.reset_every:g} s, webhooks delivered to a local receiver ({_Receiver.received:,} received); "
             f"{requests:,} requests.", "",
             "| t (s) | RSS MiB | req/s | p99 ms | journal entries | events held |", "|---|---|---|---|---|---|"]
    lines += [f"| {s['t']} | {s['rss'] / 2**20:.1f} | {s['rps']:,.0f} | {s['p99']:.2f} | {s['journal']} | {s['events']} |"
              for s in samples]
    lines += ["", f"Peak RSS in the first two thirds {early / 2**20:.1f} MiB, in the last third {late / 2**20:.1f} MiB: "
              + ("**rising**" if leak else "flat (within 10 %).")]
    lines += [f"- ERROR: {f}" for f in failures]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines[-1 - len(failures):]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
