"""The in-process mock against a live sandbox on loopback, per call, in one run (issue 23).

One `requests.Session` runs Payluk's milestone flow — create, pay, confirm three milestones: five
calls — over and over, inside `mock_payluk()`: once addressed to https://staging.api.payluk.ng
(answered in-process: no socket) and once to a sandbox served on 127.0.0.1 as `make run` serves it
(granian, one worker, one thread; the mock lets loopback through untouched). Rounds alternate the
two, back to back, so both see the same machine load: each per-call figure is the median over
rounds of (round time ÷ calls), the ratio the median of the rounds' own ratios (paired: a busy
moment slows both sides of its round). Both namespaces start from the fixtures, webhooks off (a
fresh server's default), the buyer funded so it never runs dry. Beside it, informative: one GET
(`verify`) both ways, and the flow in-process with webhooks collected (what `mock_payluk()` does
by default; that namespace's outbox soon holds its 1,000 events, which every due-event look scans).

Target: in-process per call ≤ 0.7× loopback.

    python bench/mock_calls.py                 # ~20 s
    python bench/mock_calls.py --smoke         # a few flows: it works, no figures to read
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench import servers  # noqa: E402
from sandbox import mock_payluk  # noqa: E402
from sandbox.testing.mock import MOCK_WEBHOOK_URL  # noqa: E402

SELLER, BUYER = "665f1b2c9a1e4d0012ab3c30", "665f1b2c9a1e4d0012ab3c31"
KEY = "sk_test_bench_mock"
KEY_HOOKS = "sk_test_bench_mock_hooks"
STAGING = "https://staging.api.payluk.ng"
TARGET = 0.7
CALLS_PER_FLOW = 5
FLOW_BODY = {"amount": 3000, "purpose": "bench", "whoPays": "buyer",
             "milestones": [{"title": f"m{i}", "amount": 1000} for i in range(3)]}
HEADING = "## In-process mock ÷ loopback (bench/mock_calls.py)"  # history.md records runs under "(issue 23)"


def flow(session: requests.Session, base: str) -> None:
    """create, pay, three confirms: five calls, each checked."""
    created = session.post(f"{base}/v1/escrow/milestone/create", headers={"customer-id": SELLER}, json=FLOW_BODY)
    escrow = _data(created, 201)
    _data(session.post(f"{base}/v1/payment/escrow", headers={"customer-id": BUYER}, json={
        "gateway": "WALLET", "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow["id"]}}), 200)
    for milestone in escrow["milestones"]:
        _data(session.post(f"{base}/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}",
                           headers={"customer-id": BUYER}), 200)


def _data(reply: requests.Response, status: int):
    if reply.status_code != status:
        raise RuntimeError(f"{reply.request.method} {reply.url}: {reply.status_code} {reply.text[:200]}")
    return reply.json()["data"]


def _per_call_ms(work, repeat: int, calls_each: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - started) * 1000 / (repeat * calls_each)


def measure(flows: int = 100, rounds: int = 21, gets: int = 300, smoke: bool = False) -> dict:
    """Run the flow both ways through one session, `rounds` alternating rounds of `flows` flows
    each; answers the per-call medians (ms), the ratio and the settings."""
    if smoke:
        flows, rounds, gets = 3, 1, 10
    server = servers.sandbox()
    rows: dict = {"loopback": [], "in_process": [], "loopback_get": [], "in_process_get": [],
                  "in_process_webhooks": []}
    try:
        with mock_payluk(KEY, webhooks=False) as payluk, requests.Session() as session, \
                requests.Session() as hooked:
            session.headers["Authorization"] = f"Bearer {KEY}"
            # Informative: another key whose deliveries the mock collects (mock_payluk()'s default).
            hooked.headers["Authorization"] = f"Bearer {KEY_HOOKS}"
            payluk.handle(KEY_HOOKS).control("PUT", "/_sandbox/webhook", json={"url": MOCK_WEBHOOK_URL})
            bases = {"loopback": (session, server.url), "in_process": (session, STAGING),
                     "in_process_webhooks": (hooked, STAGING)}
            tokens = {}
            for name, (client, base) in bases.items():
                _data(client.post(f"{base}/_sandbox/helpers/fund-customer",
                                  json={"customerId": BUYER, "amount": 10**12}), 200)
                tokens[name] = _data(client.post(f"{base}/v1/escrow/milestone/create",
                                                 headers={"customer-id": SELLER}, json=FLOW_BODY), 201)["paymentToken"]
                for _ in range(max(1, flows // 10)):  # warm both paths (imports, caches, the server's first requests)
                    flow(client, base)
            for _ in range(rounds):
                for name, (client, base) in bases.items():
                    rows[name].append(_per_call_ms(lambda c=client, b=base: flow(c, b), flows, CALLS_PER_FLOW))
                    if name + "_get" in rows:
                        verify = f"{base}/v1/escrow/verify/{tokens[name]}"
                        rows[name + "_get"].append(_per_call_ms(lambda v=verify: _data(session.get(v), 200), gets, 1))
            collected = len(payluk.webhooks)
            assert collected and {w.key for w in payluk.webhooks} == {KEY_HOOKS}  # webhooks off for KEY
    finally:
        server.stop()
    figures = {name: statistics.median(values) for name, values in rows.items()}
    paired = lambda a, b: statistics.median(x / y for x, y in zip(rows[a], rows[b]))  # noqa: E731
    figures.update(ratio=paired("in_process", "loopback"), get_ratio=paired("in_process_get", "loopback_get"),
                   webhooks_ratio=paired("in_process_webhooks", "loopback"),
                   flows=flows, rounds=rounds, gets=gets, webhooks_collected=collected,
                   requests_version=requests.__version__, smoke=smoke)
    return figures


def render(figures: dict | None) -> list[str]:
    """The results.md section (empty when the phase did not run)."""
    if not figures:
        return []
    met = "met" if figures["ratio"] <= TARGET else "NOT met"
    return ["", HEADING, "",
            f"Payluk's milestone flow (create, pay, confirm ×3: {CALLS_PER_FLOW} calls) through one "
            f"`requests.Session` (requests {figures['requests_version']}), {figures['rounds']} alternating rounds of "
            f"{figures['flows']} flows ({figures['gets']} GETs) each way; per call, the median over rounds; the ratio, "
            "the median of each round's own ratio; webhooks off on both sides (bench/mock_calls.py).", "",
            "| measurement | loopback (granian, `make run`) | in-process (`mock_payluk`) | in-process ÷ loopback | |",
            "|---|---|---|---|---|",
            f"| milestone flow, per call (target ≤ {TARGET:g}×) | {figures['loopback']:.3f} ms | "
            f"{figures['in_process']:.3f} ms | {figures['ratio']:.2f}× | {met} |",
            f"| GET /v1/escrow/verify, per call | {figures['loopback_get']:.3f} ms | "
            f"{figures['in_process_get']:.3f} ms | {figures['get_ratio']:.2f}× | informative |",
            f"| milestone flow in-process, webhooks collected (`mock_payluk()`'s default; its outbox filling to "
            f"its cap of 1,000 events), per call | | {figures['in_process_webhooks']:.3f} ms | {figures['webhooks_ratio']:.2f}× | "
            "informative |"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=100, help="flows per round and side")
    parser.add_argument("--rounds", type=int, default=21, help="alternating rounds (each figure their median)")
    parser.add_argument("--gets", type=int, default=300, help="verify GETs per round and side")
    parser.add_argument("--smoke", action="store_true", help="a few flows, one round: it runs, nothing to read")
    args = parser.parse_args(argv)
    figures = measure(args.flows, args.rounds, args.gets, args.smoke)
    print("\n".join(render(figures)).lstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
