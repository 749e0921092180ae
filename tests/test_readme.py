"""The README's walkthroughs work when pasted: run them verbatim against a live server."""

import re
import subprocess
import sys

from tests import processes
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def block(after: str, lang: str) -> str:
    start = README.index(after)
    match = re.compile(rf"```{lang}\n(.*?)```", re.S).search(README, start)
    return match.group(1)


def run(cmd, script, live_server):
    script = script.replace("http://127.0.0.1:8080", live_server)
    return subprocess.run(cmd + [script], capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_curl_walkthrough(live_server):
    result = run(["bash", "-euo", "pipefail", "-c"], block("### With curl", "bash"), live_server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Sandbox reset successfully",
        "AWAITING_PAYMENT 25000",
        "1025000",
        "OPENED ONGOING",
        "OPENED ONGOING",
        "CLOSED COMPLETED",
        "{'mainBalance': 700000, 'escrowBalance': 0, 'currency': 'NGN'}",
        "{'mainBalance': 300000, 'escrowBalance': 0, 'currency': 'NGN'}",
    ]


def test_python_walkthrough(live_server):
    result = run([sys.executable, "-c"], block("### With Python `requests`", "python"), live_server)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "AWAITING_PAYMENT PENDING 25000"
    assert re.fullmatch(r"\{'reference': 'ESC_REF_[0-9A-F]{12}', 'status': 'SUCCESS', 'amount': 1025000\}", lines[1])
    assert lines[2:] == [
        "CLOSED COMPLETED",
        "{'mainBalance': 700000, 'escrowBalance': 0, 'currency': 'NGN'}",
        "{'mainBalance': 300000, 'escrowBalance': 0, 'currency': 'NGN'}",
        "{'ok': True, 'violations': []}",
    ]


def test_clock_snippet(live_server):
    result = run([sys.executable, "-c"], block("The claim window in practice:", "python"), live_server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["Sandbox reset successfully", "Escrow cannot be claimed yet",
                                          "['escrow.claimable']", "CLAIMED"]


def test_scenario_snippet(live_server):
    result = run([sys.executable, "-c"], block("### Scenarios and fault injection", "python"), live_server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["400 Card declined", "connection dropped", "200 SUCCESS"]


def test_plugin_example_is_the_tested_file():
    shown = block("## pytest plugin", "python")
    assert shown == (ROOT / "tests" / "plugin_project" / "example_escrow_flow.py").read_text()


def test_pact_example_is_the_tested_file():
    """tests/contract/test_pact.py runs this file against a live sandbox with a real contract."""
    shown = block("### From Python (pact-python)", "python")
    assert shown == (ROOT / "tests" / "contract" / "pact_verify.py").read_text()


def test_snapshot_snippet(live_server):
    result = run([sys.executable, "-c"], block("Snapshots, forks, provider states and the journal:", "python"),
                 live_server)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["AWAITING_PAYMENT", "OPENED", "[('POST', '/v1/payment/escrow', 200)]"]


def test_webhook_receiver_snippet(live_server):
    """The README's receiver verifies what the sandbox sends, and rejects a wrong signature."""
    import socket
    import time

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = block("A receiver that checks the signature", "python").replace("9000", str(port))
    receiver = processes.start([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while True:  # the receiver must listen before the first delivery, or that one is refused
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the README receiver did not start"
            time.sleep(0.02)
    try:
        curl = block("Point a namespace at it", "bash").replace("http://127.0.0.1:8080", live_server)
        curl = curl.replace("9000", str(port))
        assert subprocess.run(["bash", "-c", curl], capture_output=True, timeout=30).returncode == 0
        headers = {"Authorization": "Bearer sk_test_readme", "customer-id": "665f1b2c9a1e4d0012ab3c30"}
        requests.post(f"{live_server}/v1/escrow/create", headers=headers,
                      data={"amount": "1000", "purpose": "x", "whoPays": "buyer"}, timeout=10)
        lines = [receiver.stdout.readline(), receiver.stdout.readline()]
        assert all(line.startswith("verified") for line in lines), lines
        requests.put(f"{live_server}/_sandbox/webhook", headers=headers, json={"faults": ["wrong_signature"]},
                     timeout=10)
        requests.post(f"{live_server}/v1/escrow/create", headers=headers,
                      data={"amount": "1000", "purpose": "x", "whoPays": "buyer"}, timeout=10)
        assert receiver.stdout.readline().startswith("rejected")
    finally:
        requests.put(f"{live_server}/_sandbox/webhook", headers={"Authorization": "Bearer sk_test_readme"},
                     json={"url": None, "faults": []}, timeout=10)
        processes.stop(receiver)


def test_mock_snippet():
    """The in-process mock's example: no server at all, the staging URL hard-coded."""
    code = block("## In-process mock: `mock_payluk`", "python")
    assert "https://staging.api.payluk.ng" in code and "127.0.0.1" not in code
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['escrow.created', 'escrow.pending', 'escrow.ongoing']", "True",
                                          "CLAIMED escrow.claimed", "3"]


def test_node_section_names_what_examples_node_reads_and_holds():
    """"From Node / TypeScript": its environment table lists exactly the PAYLUK_* variables the
    Node example reads, and every file its table names is there (tests/test_node_example.py runs
    the example itself, and the section's CI job)."""
    section = README.split("## From Node / TypeScript", 1)[1].split("\n## ", 1)[0]
    example = ROOT / "examples" / "node"
    read = set()
    for script in example.rglob("*.mjs"):
        read |= set(re.findall(r"process\.env\.(PAYLUK_\w+)", script.read_text()))
    listed = set(re.findall(r"^\| `(PAYLUK_\w+)` \|", section, re.M))
    assert listed == read
    files = re.findall(r"^\| `([\w.*-]+/[\w/.*-]+)` \|", section, re.M)
    assert {"src/payluk.mjs", "src/webhooks.mjs", "scripts/test.mjs", "tests/*.test.mjs"} <= set(files)
    for name in files:
        assert list(example.glob(name)), name
