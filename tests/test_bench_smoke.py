"""CI's share of `make bench`: every phase of bench/run.py for about a second each (real
servers, the real load generator or its Python stand-in). It fails on errors — a failed
request, a crashed server, a broken phase — never on speed: speed is read from the ratios
`make bench` prints, measured in one run (bench/results.md)."""

import subprocess
import sys

from bench import mock_calls
from tests import redis_server
from tests.conftest import ROOT


def test_benchmark_smoke_run():
    done = subprocess.run([sys.executable, "bench/run.py", "--smoke"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for heading in ("## Ratios", "## Scaling", "## Targets (issue 16)", "## Targets (issue 9)"):
        assert heading in done.stdout
    assert "sandbox flow mix ÷ bare Flask mix" in done.stdout
    # issue 16: every route's row on the default server, fresh and beside latency faults, and the
    # latency-fault client's own requests all answered after their wait
    for route in ("verify", "create", "pay", "confirm", "flow mix"):
        assert f"| {route} | " in done.stdout and f"| {route}, beside latency faults | " in done.stdout
    assert "| sandbox: the latency-fault client's own requests" in done.stdout
    # issue 23: the in-process mock ÷ loopback, per call
    assert mock_calls.HEADING in done.stdout and "| milestone flow, per call (target ≤ 0.7×) | " in done.stdout
    if redis_server.unavailable() is None:  # the scale-out phase ran: memory, Redis 1 and 2 workers
        assert "## Scale-out on Redis (issue 11)" in done.stdout
        assert "| Redis: 2 workers ÷ 1 worker, 16 keys (target ≥ 1.3×) | n/a" not in done.stdout
        assert "Real CPU per flow request, in-process" in done.stdout  # issue 21: beside commandstats
        assert "A round trip by itself (a script that does nothing)" in done.stdout  # and the floor
    else:
        assert "Scale-out on Redis skipped" in done.stdout
    print(done.stdout[done.stdout.index("## Targets (issue 16)"):])


def test_results_end_with_the_history():
    """bench/results.md is a run's report followed by bench/history.md (the records of earlier
    before/after runs): a record added to the history is added to the results' tail too."""
    results = (ROOT / "bench" / "results.md").read_text().rstrip()
    history = (ROOT / "bench" / "history.md").read_text().rstrip()
    assert results.endswith("\n" + history)
