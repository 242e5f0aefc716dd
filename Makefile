# Two entry points a newcomer needs: `make run` and `make test`. Only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WAREHOUSE ?= warehouse

.PHONY: setup run test test-fast lint bench floors lock clean

# Install exactly the locked set (hashes checked), then the project itself without touching deps.
$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

setup: $(BIN)/.installed

# Ingest seeds/ into warehouse/ with Prefect's embedded default (no server to start).
run: setup
	$(BIN)/newsdesk ingest seeds --warehouse $(WAREHOUSE)

lint: setup
	$(BIN)/ruff check flows tests benchmarks
	$(BIN)/ruff format --check flows tests benchmarks
	$(BIN)/mypy --strict flows tests benchmarks

test: lint
	$(BIN)/python -m pytest -q

# The same lint, then only the tests not marked slow (no servers, no corpus ingests).
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup
	$(BIN)/python -m benchmarks.run

# Lift the quality floors to what this checkout scores on ../shared/corpus (never lowers one).
# After a deliberate corpus or scorer change: make floors ARGS=--repin
floors: setup
	$(BIN)/python -m tests.quality_gate raise $(ARGS)

# Re-resolve the lock after changing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

# Everything the targets above and the tools make: the venv, the warehouse data (table links and
# the hidden .newsdesk/ control folder whose snapshots would otherwise come back on the next run;
# only its README stays), tool caches and build output. The -d test also keeps an empty
# WAREHOUSE= from turning `find` loose on the current directory.
clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache .hypothesis
	if [ -d "$(WAREHOUSE)" ]; then \
	    find "$(WAREHOUSE)" -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +; \
	fi
	find . -path ./.git -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -type d \
	    -prune -exec rm -rf {} +
