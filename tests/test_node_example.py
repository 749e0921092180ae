"""examples/node: the Node client's `node --test` suite, run by its own starter script
(`npm test` = `node scripts/test.mjs`) against a payluk-sandbox it starts from this checkout, or
against a running one (PAYLUK_SANDBOX_URL); and the starter leaves nothing running, whether the
tests pass, fail or it is interrupted. Skipped, with the reason, where Node 18+ is missing
(`make test` installs Debian's nodejs when it runs as root)."""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests import processes
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "node"
MINIMUM_NODE = 18


def node_problem() -> str | None:
    """None when a Node.js 18+ `node` is on PATH, else why the tests cannot run."""
    node = shutil.which("node")
    if node is None:
        return "node is not installed (examples/node needs Node.js 18+; `make test` installs Debian's nodejs as root)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    match = re.fullmatch(r"v(\d+)\.\d+\.\d+.*", version)
    if not match or int(match.group(1)) < MINIMUM_NODE:
        return f"node {version or '(no version)'} is too old: examples/node needs Node.js {MINIMUM_NODE}+"
    return None


NODE_PROBLEM = node_problem()
pytestmark = pytest.mark.skipif(NODE_PROBLEM is not None, reason=str(NODE_PROBLEM))


def starter_env(**extra) -> dict:
    """The starter runs this checkout's sandbox (`python -m sandbox` from this interpreter) with
    its defaults: no PAYLUK_SANDBOX_* or SANDBOX_* setting of the caller's reaches it (but the
    suite's schema self-check and the session marker every process it starts must carry)."""
    keep = ("SANDBOX_SELF_CHECK", processes.SESSION_VARIABLE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYLUK_SANDBOX_", "SANDBOX_")) or k in keep}
    env["PAYLUK_SANDBOX_CMD"] = shlex.join([sys.executable, "-m", "sandbox"])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env.update(extra)
    return env


def run_starter(*args, env=None, timeout=120) -> tuple[int, str]:
    """`node scripts/test.mjs ARGS` in examples/node: (exit code, everything it printed)."""
    proc = processes.start(["node", "scripts/test.mjs", *args], cwd=EXAMPLE, env=env or starter_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
    finally:
        processes.stop(proc)
    return proc.returncode, output


def summary(output: str) -> dict:
    """node --test's closing counts: {"tests": n, "pass": n, "fail": n, ...}."""
    return {name: int(count) for name, count in re.findall(r"^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$",
                                                           output, re.M)}


def still_running(pgid: int, seconds: float = 5) -> list[int]:
    """The processes of group `pgid` that are still running after `seconds` at most. Zombies do
    not count: a test file killed after its runner exited is reparented to init, which may take a
    while to reap it."""
    deadline = time.monotonic() + seconds
    while True:
        running = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":  # fields: state, ppid, pgrp, ...
                running.append(int(stat.parent.name))
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.05)


def sandbox_group(output: str) -> int:
    match = re.search(r"payluk-sandbox at http://127\.0\.0\.1:\d+ \(.*, process group (\d+)\)", output)
    assert match, output
    return int(match.group(1))


def assert_all_passed(output: str) -> None:
    counts = summary(output)
    assert counts.get("tests", 0) > 0 and counts["pass"] == counts["tests"], output[-6000:]
    assert (counts["fail"], counts["cancelled"], counts["skipped"], counts["todo"]) == (0, 0, 0, 0), output[-6000:]
    assert counts["tests"] >= len(list((EXAMPLE / "tests").glob("*.test.mjs")))  # every file ran


def test_npm_test_starts_the_sandbox_runs_the_suite_and_stops_it():
    code, output = run_starter()
    assert code == 0, output[-6000:]
    assert_all_passed(output)
    assert still_running(sandbox_group(output), seconds=0) == []


def readme_ci_job() -> tuple[str, str, dict]:
    """The README's CI job: its "Start payluk-sandbox" script, the test step's command and env."""
    section = (ROOT / "README.md").read_text().split("## From Node / TypeScript", 1)[1].split("\n## ", 1)[0]
    job = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    start = re.search(r"- name: Start payluk-sandbox\n +run: \|\n((?: {10}.*\n)+)", job).group(1)
    tests = re.search(r"- name: Node tests\n +run: (.*)\n +env:\n((?: {10}.*\n)+)", job)
    env = dict(re.findall(r"^ +(\w+): (\S+)$", tests.group(2), re.M))
    return textwrap.dedent(start), tests.group(1), env


def test_the_readme_ci_job_runs_the_suite_against_a_background_sandbox(tmp_path):
    """The README's job, as its runner would run it: install (this checkout, here), start the
    sandbox in the background, wait for it, then `npm test` with PAYLUK_SANDBOX_URL: the suite
    runs against that server and starts none of its own."""
    script, command, env = readme_ci_job()
    install, *rest = script.splitlines()
    assert install.startswith('pip install "payluk-sandbox @ git+')
    assert command == "npm test" and json.loads((EXAMPLE / "package.json").read_text())["scripts"]["test"] == \
        "node scripts/test.mjs"  # Debian's nodejs has no npm: the same script is run directly below
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    start = "\n".join(rest).replace("payluk-sandbox --port", shlex.join([sys.executable, "-m", "sandbox"]) + " --port")
    start = start.replace("8080", port)
    url = env["PAYLUK_SANDBOX_URL"].replace("8080", port)
    shell = processes.start(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", start], cwd=tmp_path,
                            env=starter_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:  # the background sandbox stays in the shell's process group after the shell exits
        assert shell.wait(timeout=60) == 0, shell.stdout.read()
        code, output = run_starter(env=starter_env(PAYLUK_SANDBOX_URL=url))
    finally:
        processes.stop(shell)
    assert code == 0, output[-6000:]
    assert f"payluk-sandbox at {url} (PAYLUK_SANDBOX_URL)" in output
    assert "process group" not in output  # nothing of its own started
    assert_all_passed(output)
    assert still_running(shell.pid) == []


def test_failing_tests_fail_the_run_and_stop_the_sandbox(tmp_path):
    failing = tmp_path / "failing.test.mjs"
    failing.write_text('import { test } from "node:test";\n'
                       'test("a failing test", () => { throw new Error("on purpose"); });\n')
    code, output = run_starter(str(failing))
    assert code == 1, output
    assert summary(output)["fail"] == 1, output
    assert still_running(sandbox_group(output), seconds=0) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_run_stops_the_sandbox_and_the_tests(tmp_path, sig):
    started = tmp_path / "started"
    hanging = tmp_path / "hanging.test.mjs"
    hanging.write_text('import { writeFileSync } from "node:fs";\nimport { test } from "node:test";\n'
                       f'test("a test that waits", async () => {{ writeFileSync({str(started)!r}, String(process.ppid));\n'
                       '  await new Promise((resolve) => setTimeout(resolve, 60_000)); });\n')
    proc = processes.start(["node", "scripts/test.mjs", str(hanging)], cwd=EXAMPLE, env=starter_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (started.exists() and started.read_text()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.poll() else "no start"
            time.sleep(0.05)
        runner = int(started.read_text())  # `node --test`, the leader of its own process group
        proc.send_signal(sig)  # the starter alone, as a CI runner or a process manager would
        output, _ = proc.communicate(timeout=20)
    finally:
        processes.stop(proc)
    assert proc.returncode == 128 + sig, output
    assert f"{sig.name}: stopping" in output
    assert still_running(sandbox_group(output), seconds=0) == [], output
    assert still_running(runner) == [], output


def test_a_sandbox_that_cannot_start_is_reported():
    env = starter_env(PAYLUK_SANDBOX_CMD=shlex.join([sys.executable, "-m", "sandbox", "--profile", "nope"]))
    code, output = run_starter(env=env)
    assert code == 1, output
    assert "exited (code 2) before it printed its URL" in output
    assert "payluk-sandbox: profile must be one of 2026-06, 2026-10, got 'nope'" in output
