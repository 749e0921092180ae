# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv when
# missing and installs the project with its test extras; nothing global is assumed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench clean openapi examples fuzz

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/payluk-sandbox $(ARGS)

# The repository's suite, then the example consumer project's (examples/).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m pytest -q examples/tests

# The example consumer project (examples/): its own pytest suite, against the plugin's server.
examples: $(STAMP)
	$(BIN)/python -m pytest -q examples/tests

# Installs Debian's wrk when missing and we are root (else a Python client is used).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || true
	$(BIN)/python bench/serve_bench.py $(BENCH_ARGS)

# A long Schemathesis campaign against a live sandbox (CI runs a few examples per operation).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(BIN)/python -m pytest -q tests/contract/test_fuzz.py

# Regenerates the committed OpenAPI document from the marshmallow schemas (a test compares them).
openapi: $(STAMP)
	$(BIN)/python -m sandbox.openapi openapi.json

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
