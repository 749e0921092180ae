"""Fixture files: read and validate once at start-up; a bad file names the file and field."""

import json
from pathlib import Path

from marshmallow import ValidationError

from sandbox.schemas.base import validation_message
from sandbox.schemas.fixture import FIXTURE

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "fixtures"
DEFAULT_FILE = "default.json"


class FixtureError(Exception):
    """A fixture file that cannot be used; the message names the file and the field."""


def resolve(path: str | Path | None) -> Path:
    """`--fixtures` takes a file, or a directory holding `default.json`."""
    target = Path(path) if path else DEFAULT_DIR
    return target / DEFAULT_FILE if target.is_dir() else target


def load_fixture(path: str | Path | None) -> dict:
    """The validated fixture set at `path` (plain data, Python field names)."""
    file = resolve(path)
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FixtureError(f"{file}: file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise FixtureError(f"{file}: not valid JSON ({err})") from None
    try:
        fixture = FIXTURE.load(raw)
    except ValidationError as err:
        raise FixtureError(f"{file}: {validation_message(err.messages)}") from None
    seen = set()
    for index, customer in enumerate(fixture["customers"]):
        for key in ("id", "email"):
            value = customer[key].lower()
            if (key, value) in seen:
                raise FixtureError(f'{file}: "customers[{index}].{key}" repeats {value}')
            seen.add((key, value))
    return fixture
