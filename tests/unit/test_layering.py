"""House rule: the domain knows nothing of Flask, Werkzeug, marshmallow, the state backend or
the layers above it (views, schemas, console, server): those call the domain, never the reverse.
What a domain service needs of the store it is handed (duck-typed), never imports."""

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "sandbox" / "domain"
FORBIDDEN = {
    "flask", "werkzeug", "marshmallow", "granian", "redis",
    "sandbox.store", "sandbox.api", "sandbox.schemas", "sandbox.console", "sandbox.server",
}


def _forbidden(name: str) -> bool:
    return any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN)


def imported_names(tree: ast.AST) -> list[str]:
    """Every module an import may bring in: `import a.b` -> a.b; `from a import b` -> a and a.b
    (b may be a submodule: `from sandbox import store`)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return names


def test_domain_is_framework_free():
    offenders = []
    for file in DOMAIN.rglob("*.py"):
        names = imported_names(ast.parse(file.read_text()))
        offenders += [f"{file.name}: {n}" for n in names if _forbidden(n)]
    assert offenders == []


def test_the_rule_catches_every_import_form():
    source = ("import flask\nimport sandbox.store.memory\nfrom sandbox import store\n"
              "from sandbox.schemas.control import FORK\nfrom sandbox.api.http import call\n"
              "from sandbox import clock\nfrom sandbox.domain import errors\n")
    caught = sorted({n for n in imported_names(ast.parse(source)) if _forbidden(n)})
    assert caught == ["flask", "sandbox.api.http", "sandbox.api.http.call", "sandbox.schemas.control",
                      "sandbox.schemas.control.FORK", "sandbox.store", "sandbox.store.memory"]


def test_nothing_reads_the_wall_clock_but_the_clock_module():
    package = DOMAIN.parent
    readers = [f.relative_to(package).as_posix() for f in package.rglob("*.py")
               if "time.time" in f.read_text() or "datetime.now" in f.read_text() or "utcnow" in f.read_text()]
    assert readers == ["clock.py"]
