"""The product is what `pip install` gives, not what the checkout gives: `python -m build` makes a
wheel and an sdist that carry every data file the package reads at run time, and the wheel,
installed into a fresh virtual environment outside the checkout (no PYTHONPATH, no SANDBOX_*
variables), serves from any directory — the command, `create_app()`, the pytest plugin (the
examples/ consumer suite), and the Redis store — and so would the Docker image, where an engine
is reachable."""

import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
import requests

from sandbox import __version__
from tests import processes
from tests.conftest import BUYER, ROOT, SELLER
from tests.redis_server import RedisProcess, unavailable

PACKAGE = ROOT / "sandbox"
# Every file the package reads at run time that is not Python.
DATA_GLOBS = ("data/*.json", "data/fixtures/*.json", "templates/*.html", "templates/console/*.html",
              "console/static/*", "store/redis/scripts/*.lua")


def data_files() -> set[str]:
    found = {str(path.relative_to(ROOT)) for pattern in DATA_GLOBS for path in PACKAGE.glob(pattern)}
    assert any(name.endswith("fixtures/default.json") for name in found)
    assert any(name.endswith("scripts/commit.lua") for name in found)
    return found


def clean_env(**extra) -> dict:
    """The environment of a user's shell: nothing that points at the checkout or configures the
    sandbox (the session marker of tests/processes.py stays: leftovers are still found)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SANDBOX_") and k not in ("PYTHONPATH", "PAYLUK_SANDBOX_URL", "PAYLUK_SANDBOX_TOKEN")}
    return {**env, **extra}


def run(command, **options) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, **options)
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """The wheel and sdist `python -m build` makes of this checkout."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], timeout=600, env=clean_env())
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    return {"wheel": wheels[0], "sdist": sdists[0]}


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory) -> Path:
    """A fresh virtual environment (not this one's packages) with the wheel installed."""
    where = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", where], timeout=120)
    run([where / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         built["wheel"], "pytest"], timeout=600, env=clean_env())
    return where


def test_the_version_has_one_source(built):
    assert built["wheel"].name == f"payluk_sandbox-{__version__}-py3-none-any.whl"
    assert built["sdist"].name == f"payluk_sandbox-{__version__}.tar.gz"


def test_wheel_and_sdist_carry_every_data_file(built):
    wanted = data_files()
    in_wheel = set(zipfile.ZipFile(built["wheel"]).namelist())
    assert wanted <= in_wheel, sorted(wanted - in_wheel)
    prefix = built["sdist"].name.removesuffix(".tar.gz") + "/"
    with tarfile.open(built["sdist"]) as sdist:
        in_sdist = {name.removeprefix(prefix) for name in sdist.getnames()}
    assert wanted <= in_sdist, sorted(wanted - in_sdist)


def serve(venv: Path, cwd: Path, *args) -> tuple[subprocess.Popen, str]:
    return processes.serve([str(venv / "bin" / "payluk-sandbox"), "--port", "0", *args], cwd=cwd, env=clean_env())


def test_the_installed_command_serves_from_any_directory(venv, tmp_path):
    proc, url = serve(venv, tmp_path)
    try:
        auth = {"Authorization": "Bearer sk_test_installed"}
        assert requests.get(url + "/healthz", timeout=10).json()["data"]["version"] == __version__
        customers = requests.get(url + "/v1/customers", headers=auth, timeout=10).json()["data"]
        assert SELLER in str(customers) and BUYER in str(customers)  # the shipped default set
        ready = requests.get(url + "/readyz", timeout=10).json()["data"]["fixtures"]
        assert {s["name"] for s in ready} == {"default", "claimable-standard", "disputed-standard", "funded-milestone",
                                              "unfunded-milestone"}
        assert all(str(venv) in s["file"] for s in ready), "the sets come from the installed package"
        assert requests.get(url + "/", timeout=10).json()["data"]["docs"] == f"{url}/docs"
        docs = requests.get(url + "/docs/", timeout=10)
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        console = requests.get(url + "/_sandbox/console", timeout=10)
        assert console.status_code == 200 and "Sign in" in console.text
        assert requests.get(url + "/_sandbox/console/static/console.css", timeout=10).status_code == 200
    finally:
        processes.stop(proc)


def test_create_app_from_any_directory(venv, tmp_path):
    code = ("from sandbox import create_app; app = create_app(); c = app.test_client(); "
            "r = c.get('/v1/customers', headers={'Authorization': 'Bearer sk_test_x'}); "
            "print(r.status_code, r.get_data(as_text=True)); app.close()")
    result = run([venv / "bin" / "python", "-c", code], cwd=tmp_path, env=clean_env(), timeout=60)
    status, body = result.stdout.split(" ", 1)
    assert status == "200" and SELLER in body and BUYER in body


def test_the_example_consumer_suite_runs_against_the_installed_package(venv, tmp_path):
    """examples/ as another project would hold it: its own directory, the sandbox only as an
    installed dependency (its pytest plugin starts the server)."""
    project = tmp_path / "consumer"
    shutil.copytree(ROOT / "examples", project, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    result = run([venv / "bin" / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project,
                 env=clean_env(), timeout=300)
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout


@pytest.mark.skipif(unavailable() is not None, reason=str(unavailable()))
def test_the_installed_package_on_the_redis_store(venv, tmp_path):
    """Data files only the Redis store reads would be caught here: a milestone flow on Redis."""
    redis = RedisProcess().start()
    try:
        proc, url = serve(venv, tmp_path, "--store", redis.url, "--workers", "2")
        try:
            auth = {"Authorization": "Bearer sk_test_installed_redis"}
            escrow = requests.post(url + "/v1/escrow/milestone/create", headers={**auth, "customer-id": SELLER},
                                   timeout=10, json={"amount": 2000, "purpose": "x", "whoPays": "buyer", "milestones": [
                                       {"title": "a", "amount": 1000}, {"title": "b", "amount": 1000}]}).json()["data"]
            paid = requests.post(url + "/v1/payment/escrow", headers={**auth, "customer-id": BUYER}, timeout=10,
                                 json={"gateway": "WALLET", "transactionType": "ESCROW",
                                       "escrowDetails": {"escrowId": escrow["id"]}})
            assert paid.status_code == 200, paid.text
            for milestone in escrow["milestones"]:
                confirmed = requests.post(url + f"/v1/escrow/milestone/confirm/{escrow['id']}/{milestone['id']}",
                                          headers={**auth, "customer-id": BUYER}, timeout=10)
                assert confirmed.status_code == 200, confirmed.text
            verified = requests.get(url + f"/v1/escrow/verify/{escrow['paymentToken']}", headers=auth, timeout=10)
            assert verified.json()["data"]["state"] == "CLOSED"
            invariants = requests.get(url + "/_sandbox/invariants", headers=auth, timeout=10).json()["data"]
            assert invariants["violations"] == []
        finally:
            processes.stop(proc)
    finally:
        redis.stop()


def _docker_engine() -> str | None:
    """Why a Docker image cannot be built here, or None when an engine answers."""
    if shutil.which("docker") is None:
        return "no docker client on this machine"
    probe = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return "no container engine reachable (`docker info` failed): the Dockerfile is checked by test_packaging.py"
    return None


@pytest.mark.skipif(_docker_engine() is not None, reason=str(_docker_engine()))
def test_the_docker_image_answers_its_health_check():
    tag = f"payluk-sandbox-test:{os.getpid()}"
    run(["docker", "build", "-t", tag, ROOT], timeout=900)
    name = f"payluk-sandbox-test-{os.getpid()}"
    try:
        run(["docker", "run", "-d", "--rm", "--name", name, "-p", "127.0.0.1::8080", tag], timeout=60)
        port = run(["docker", "port", name, "8080"], timeout=30).stdout.strip().rsplit(":", 1)[1]
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the container did not answer /healthz"
            time.sleep(0.5)
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=60)
