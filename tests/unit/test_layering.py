"""House rule: the domain knows nothing of Flask, Werkzeug, marshmallow or the state backend."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "sandbox" / "domain"
FORBIDDEN = {"flask", "werkzeug", "marshmallow", "granian", "redis", "sandbox.store"}


def test_domain_is_framework_free():
    offenders = []
    for file in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{file.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN or n in FORBIDDEN]
    assert offenders == []


def test_nothing_reads_the_wall_clock_but_the_clock_module():
    package = DOMAIN.parent
    readers = [f.relative_to(package).as_posix() for f in package.rglob("*.py")
               if "time.time" in f.read_text() or "datetime.now" in f.read_text() or "utcnow" in f.read_text()]
    assert readers == ["clock.py"]
