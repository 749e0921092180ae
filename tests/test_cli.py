"""The `payluk-sandbox` command: banner, port 0, start-up, fixture errors."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.conftest import ROOT

SCRIPT = Path(sys.executable).parent / "payluk-sandbox"


def test_serves_on_a_free_port_and_prints_the_customers(capsys):
    started = time.perf_counter()
    proc = subprocess.Popen([str(SCRIPT), "--port", "0", "--seed", "3"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines[0]).group(1)
        assert "Bearer sk_test_" in lines[1] and "seed: 3" in lines[2]
        customers = [proc.stdout.readline() for _ in range(5)]
        assert any("665f1b2c9a1e4d0012ab3c40" in line for line in customers)
        while True:
            try:
                reply = requests.get(url + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert time.perf_counter() - started < 15
                time.sleep(0.01)
        elapsed = time.perf_counter() - started
        assert reply.json()["status"] == 200
        with capsys.disabled():
            print(f"\n[start-up to first response: {elapsed * 1000:.0f} ms]")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_bad_fixture_stops_start_up(tmp_path):
    data = json.loads((ROOT / "fixtures" / "default.json").read_text())
    data["customers"][1]["email"] = "nope"
    file = tmp_path / "mine.json"
    file.write_text(json.dumps(data))
    result = subprocess.run([str(SCRIPT), "--fixtures", str(file), "--port", "0"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == f'payluk-sandbox: {file}: "customers[1].email" must be a valid email'


def test_bad_setting_stops_start_up():
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=30,
                            env={"PATH": "/usr/bin:/bin", "PORT": "eighty"})
    assert result.returncode == 2 and "PORT must be an integer" in result.stderr


def test_help_lists_the_flags():
    result = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True, timeout=30)
    for flag in ("--host", "--port", "--fixtures", "--seed", "--clock-start", "--threads"):
        assert flag in result.stdout
