"""Packaging promises no engine can check here: Dockerfile, Makefile, CI entry point."""

import re
import subprocess
import sys

from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_dockerfile_is_slim_non_root_and_healthchecked():
    assert re.findall(r"^FROM (\S+)", DOCKERFILE, re.M) == ["python:3.11-slim", "python:3.11-slim"]
    assert re.search(r"^USER (?!root)\w+", DOCKERFILE, re.M)
    assert re.search(r"^EXPOSE 8080$", DOCKERFILE, re.M)
    assert "HEALTHCHECK" in DOCKERFILE and "/healthz" in DOCKERFILE
    assert 'CMD ["payluk-sandbox"]' in DOCKERFILE and "COPY sandbox ./sandbox" in DOCKERFILE
    assert "COPY fixtures" not in DOCKERFILE  # they are in the installed package


def test_dockerignore_leaves_out_what_the_image_does_not_need():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {"tests", "docs", "bench", "examples", ".venv", ".git"} <= ignored
    assert "sandbox" not in ignored and "pyproject.toml" not in ignored


def test_dockerfile_environment_is_understood_by_the_config():
    """The container's settings (HOST/PORT) parse into a usable config; the fixtures come from
    the installed package (no SANDBOX_FIXTURES)."""
    env = dict(re.findall(r"(\w+)=(\S+)", DOCKERFILE.split("ENV", 1)[1].split("WORKDIR")[0]))
    from sandbox.server.config import Config

    config = Config.from_env(env)
    assert (config.host, config.port, config.fixtures) == ("0.0.0.0", 8080, None)
    assert "SANDBOX_FIXTURES" not in DOCKERFILE and "fixtures" not in DOCKERFILE.split("COPY", 1)[1].split("ENV")[0]


def test_dockerfile_healthcheck_command_runs(live_server):
    command = re.search(r'CMD \["python", "-c", "(.*)"\]\n', DOCKERFILE).group(1)
    port = live_server.rsplit(":", 1)[1]
    result = subprocess.run([sys.executable, "-c", command], env={"PORT": port}, timeout=10)
    assert result.returncode == 0


def test_ci_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "set -euo pipefail" in ci
