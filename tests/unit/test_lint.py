"""Static checks that catch real mistakes cheaply: undefined names, unused imports and
variables, syntax errors (ruff's pyflakes rules), over everything the repository runs."""

import subprocess
import sys

from tests.conftest import ROOT


def test_pyflakes_rules_are_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "F,E9", "--no-cache",
                             "sandbox", "tests", "examples", "bench"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
