# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv when
# missing and installs the project with its test extras; nothing global is assumed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench soak profile clean openapi examples fuzz console-screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/payluk-sandbox $(ARGS)

# The repository's suite, then the example consumer project's (examples/).
# Debian's chromium for the console's browser tests (tests/browser), when missing and we are root;
# without it those tests are skipped with the reason printed.
CHROMIUM := command -v chromium >/dev/null || [ "$$(id -u)" != 0 ] || (echo "make: installing Debian's chromium with apt-get (the console's browser tests use it)" && apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || true
# Debian's redis-server for the Redis backend's tests (tests/redis_server.py starts a private one on a
# free port, without persistence), when missing and we are root; without it those tests are skipped
# with the reason printed. A redis service apt may start on 6379 is not used.
REDIS := command -v redis-server >/dev/null || [ "$$(id -u)" != 0 ] || (echo "make: installing Debian's redis-server with apt-get (the Redis store's tests start private ones)" && apt-get update -qq && apt-get install -y -qq redis-server >/dev/null) || true
# Debian's nodejs for examples/node's suite (tests/test_node_example.py runs it under `node --test`), when missing
# and we are root; without it, or with a node older than 18, that test is skipped with the reason printed.
NODE := command -v node >/dev/null || [ "$$(id -u)" != 0 ] || (echo "make: installing Debian's nodejs with apt-get (examples/node's tests run on it)" && apt-get update -qq && apt-get install -y -qq nodejs >/dev/null) || true

test: $(STAMP)
	$(CHROMIUM)
	$(REDIS)
	$(NODE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m pytest -q examples/tests

# The example consumer projects: examples/ (its pytest suite, against the plugin's server) and
# examples/node (its `npm test`, against a sandbox it starts from this checkout; skipped without node).
examples: $(STAMP)
	$(BIN)/python -m pytest -q examples/tests
	if command -v node >/dev/null; then cd examples/node && PAYLUK_SANDBOX_CMD="$(CURDIR)/$(BIN)/payluk-sandbox" node scripts/test.mjs; else echo "make: examples/node skipped: node is not installed"; fi

# The sandbox against its ceiling (bare Flask, same server) and its peers (Prism, waitress),
# and on Redis with 1 and 2 workers, in one run: writes bench/results.md and bench/results.json (about 9 minutes). Installs
# Debian's wrk when missing and we are root (else a Python client is used) and Prism from npm.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || true
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Ten minutes of the flow mix with webhooks on: resident memory must level off (bench/soak.md).
soak: $(STAMP)
	$(BIN)/python bench/soak.py --seconds $${SOAK_SECONDS:-600}

# The hot path in-process under cProfile, with the bare-Flask app measured beside it.
profile: $(STAMP)
	$(BIN)/python bench/profile_hot_path.py $(PROFILE_ARGS)

# Long campaigns: Schemathesis against a live sandbox, and the Hypothesis money machine
# (CI runs a few examples of each in `make test`).
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(BIN)/python -m pytest -q tests/contract/test_fuzz.py
	PROPERTY_EXAMPLES=$${PROPERTY_EXAMPLES:-500} $(BIN)/python -m pytest -q -s tests/property

# The console screenshots in docs/console/ (README "Sandbox console"): a real sandbox in headless chromium.
console-screenshots: $(STAMP)
	$(CHROMIUM)
	$(BIN)/python docs/console/screenshots.py

# Regenerates the committed OpenAPI document from the marshmallow schemas (a test compares them).
openapi: $(STAMP)
	$(BIN)/python -m sandbox.docs.openapi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
