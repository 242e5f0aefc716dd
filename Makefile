# Two entry points a newcomer needs: `make run` and `make test`. Only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WAREHOUSE ?= warehouse

.PHONY: setup run test test-fast lint bench floors lock clean chromium reference

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

test: lint chromium
	$(BIN)/python -m pytest -q

# The report's browser test renders it in headless Chromium (Debian's package). Installed here so
# that `make test` on a fresh Debian machine (CI runs as root) has it; elsewhere, say how.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; \
	else \
	    echo "make chromium: the report's browser test needs Chromium; install it as root" \
	         "(apt-get install --no-install-recommends chromium) or it is skipped" >&2; \
	fi

# Rewrite docs/TABLES.md (the table reference) and docs/newsdesk.sql (the views for your own
# DuckDB session) from schemas/ and the seed warehouse; a test fails when they are stale.
reference: setup
	$(BIN)/python -m flows.analyst.reference

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
