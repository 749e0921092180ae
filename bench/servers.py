"""Start and watch the servers a benchmark compares: the sandbox (in memory, or on a Redis
store with several workers), the bare-Flask ceiling, waitress, and Prism. Every server is a
child process on a free loopback port; so is the benchmark's own redis-server."""

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRISM_DIR = ROOT / "bench" / ".prism"
PRISM_VERSION = "5"

# (sandbox.cli before the restructure of issue 18: a baseline checkout may be older)
GRANIAN = ("import sys\ntry:\n    from sandbox.server.cli import granian\nexcept ImportError:\n    from sandbox.cli import granian\n"
           "granian(sys.argv[1], '127.0.0.1', int(sys.argv[2]), 1).serve()")
WAITRESS = (
    "import sys; from waitress import serve; from sandbox.app import create_app_from_env; "
    "serve(create_app_from_env(), host='127.0.0.1', port=int(sys.argv[1]), threads=8, _quiet=True)"
)


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    url: str
    cold_start_s: float

    def rss_bytes(self) -> int:
        """Resident memory of the server and every process under it."""
        return sum(_rss(pid) for pid in [self.proc.pid, *_descendants(self.proc.pid)])

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and every process under it have used so far."""
        return sum(_cpu(pid) for pid in [self.proc.pid, *_descendants(self.proc.pid)])

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def redis_costs(url: str) -> dict:
    """What a Redis server has done so far: CPU seconds (INFO cpu), and its commands and their
    microseconds (INFO commandstats: the commands scripts run are counted too; INFO and CONFIG
    left out)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        cpu, stats = client.info("cpu"), client.info("commandstats")
    finally:
        client.close()
    mine = [v for k, v in stats.items() if not k.startswith(("cmdstat_info", "cmdstat_config"))]
    return {"cpu_s": cpu["used_cpu_user"] + cpu["used_cpu_sys"], "calls": sum(v["calls"] for v in mine),
            "usec": sum(v["usec"] for v in mine),
            "script_usec": sum(v["usec"] for k, v in stats.items() if k in ("cmdstat_evalsha", "cmdstat_eval"))}


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# The sandbox checkout the benchmark serves (bench/run.py --source: e.g. a worktree of an older
# commit, for a before/after in one run).
SOURCE = ROOT


def _start(name: str, cmd: list[str], port: int, probe: str, env: dict | None = None, cwd: Path = ROOT) -> Server:
    """Launch `cmd` and time it until `probe` answers 200 (its cold start)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = started + 60
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode} before answering")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", probe, headers={"Authorization": "Bearer sk_test_probe"})
            if conn.getresponse().status == 200:
                return Server(name, proc, f"http://127.0.0.1:{port}", time.perf_counter() - started)
        except OSError:
            time.sleep(0.005)
    proc.kill()
    raise RuntimeError(f"{name} did not answer {probe} within 60 s")


def sandbox(threads: int | None = None, env: dict | None = None, store: str | None = None,
            workers: int | None = None) -> Server:
    """`payluk-sandbox` exactly as `make run` starts it, with `--threads`, `--store` (a redis://
    URL) and `--workers` when given."""
    port = free_port()
    cmd = [sys.executable, "-m", "sandbox", "--port", str(port)]
    for flag, value in (("--threads", threads), ("--store", store), ("--workers", workers)):
        if value is not None:
            cmd += [flag, str(value)]
    return _start("sandbox", cmd, port, "/healthz", {"PYTHONPATH": str(SOURCE), **(env or {})}, cwd=SOURCE)


def redis_server():
    """A throwaway redis-server on a free port, no persistence (tests/redis_server.py's), started;
    or (None, why) when there is none here. Call `.cleanup()` when done."""
    sys.path.insert(0, str(ROOT))
    from tests import redis_server as rs

    why = rs.unavailable()
    if why is not None:
        return None, why
    return rs.RedisProcess().start(), ""


def flush_redis(url: str) -> None:
    """Empty the benchmark's Redis database between servers (each starts from the same state)."""
    from tests import redis_server as rs

    rs.flush(url)


def sandbox_on_granian_runner() -> Server:
    """The sandbox app on granian with granian's own per-request callback and one request thread:
    `payluk-sandbox --threads 1` before issue 16 (a request waiting in a fault held the thread)."""
    port = free_port()
    return _start("sandbox on granian's own runner", [sys.executable, "-c", GRANIAN, "sandbox.app:create_app_from_env",
                                                      str(port)], port, "/healthz", {"PYTHONPATH": str(SOURCE)},
                  cwd=SOURCE)


def sandbox_on_waitress() -> Server:
    port = free_port()
    return _start("sandbox on waitress", [sys.executable, "-c", WAITRESS, str(port)], port, "/healthz",
                  {"PYTHONPATH": str(SOURCE)}, cwd=SOURCE)


def bare_flask() -> Server:
    port = free_port()
    return _start("bare Flask", [sys.executable, "-c", GRANIAN, "bench.bare_app:create_app", str(port)],
                  port, "/healthz")


def trivial() -> Server:
    port = free_port()
    return _start("trivial WSGI", [sys.executable, "-c", GRANIAN, "bench.bare_app:trivial_app", str(port)],
                  port, "/")


def prism_binary() -> tuple[Path | None, str]:
    """Prism's CLI, installed into bench/.prism from the npm registry on first use."""
    binary = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary, ""
    if not shutil.which("npm"):
        return None, "npm is not installed"
    PRISM_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["npm", "install", "--prefix", str(PRISM_DIR), "--no-audit", "--no-fund", "--silent",
                           f"@stoplight/prism-cli@{PRISM_VERSION}"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not binary.exists():
        return None, f"npm install @stoplight/prism-cli failed: {done.stderr.strip()[-300:]}"
    return binary, ""


def prism(binary: Path, verbose_level: str) -> Server:
    """Prism mocking the sandbox's own openapi.json (`-v silent` is its fastest setting)."""
    port = free_port()
    cmd = [str(binary), "mock", str(ROOT / "openapi.json"), "-p", str(port), "-v", verbose_level]
    return _start(f"Prism ({verbose_level})", cmd, port, "/v1/escrow/verify/PY_benchtoken1")


def call(url: str, method: str, path: str, body=None, customer: str | None = None,
         key: str = "sk_test_bench", token: str | None = None) -> tuple[int, dict]:
    """One JSON request (set-up and measurements of the controls)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    if customer:
        headers["customer-id"] = customer
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    reply = conn.getresponse()
    return reply.status, json.loads(reply.read() or b"{}")


def redis_cost(url: str, flows: int) -> dict:
    """bench/redis_cost.py against the Redis server `url`, in a child process serving SOURCE's
    sandbox (a before/after run measures the older checkout)."""
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "redis_cost.py"), "--redis", url, "--flows",
                          str(flows), "--json"], capture_output=True, text=True, cwd=SOURCE,
                         env={**os.environ, "PYTHONPATH": str(SOURCE)}, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"bench/redis_cost.py failed: {out.stderr[-800:]}")
    return json.loads(out.stdout)
