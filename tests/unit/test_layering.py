"""House rules on who may import whom (ARCHITECTURE.md draws the layers): the domain knows nothing
of Flask, Werkzeug, marshmallow, the store implementations or the HTTP side (only the store's
port, sandbox/store/base.py); schemas import no views; the stores import no views or schemas."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sandbox"
VIEWS = {"sandbox.api", "sandbox.console", "sandbox.app", "sandbox.server", "sandbox.testing", "sandbox.docs",
         "sandbox.conformance"}
RULES = {
    "domain": {"flask", "werkzeug", "marshmallow", "granian", "redis", "sandbox.store.memory", "sandbox.store.redis",
               "sandbox.schemas",
               "sandbox.controlplane", *VIEWS},
    "schemas": {"flask", "werkzeug", "granian", "redis", "sandbox.store", *VIEWS},
    "store": {"flask", "werkzeug", "marshmallow", "granian", "sandbox.schemas", "sandbox.controlplane", *VIEWS},
}


def imports(file: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(file.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            if node.module == "sandbox":  # `from sandbox import x` is an import of sandbox.x
                names += [f"sandbox.{alias.name}" for alias in node.names]
    return names


def forbidden(name: str, rule: set[str]) -> bool:
    return any(name == banned or name.startswith(banned + ".") for banned in rule)


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_only_what_it_may(layer):
    offenders = [f"{file.relative_to(PACKAGE)}: {name}" for file in sorted((PACKAGE / layer).rglob("*.py"))
                 for name in imports(file) if forbidden(name, RULES[layer])]
    assert offenders == []


def test_the_rules_catch_an_offender(tmp_path):
    """The checker itself: a domain module importing a store or Flask is caught."""
    file = tmp_path / "bad.py"
    file.write_text("import flask\nfrom sandbox.store.memory import Store\nfrom sandbox import app\n")
    assert [name for name in imports(file) if forbidden(name, RULES["domain"])] == [
        "flask", "sandbox.store.memory", "sandbox.app"]


def test_nothing_reads_the_wall_clock_but_the_clock_module():
    readers = [f.relative_to(PACKAGE).as_posix() for f in PACKAGE.rglob("*.py")
               if "time.time" in f.read_text() or "datetime.now" in f.read_text() or "utcnow" in f.read_text()]
    assert readers == ["clock.py"]
