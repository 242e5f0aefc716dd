# Two entry points a newcomer needs: `make run` and `make test`. Only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
WAREHOUSE ?= warehouse

.PHONY: setup run test lint bench lock clean

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
	$(BIN)/mypy --strict flows

test: lint
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m benchmarks.run

# Re-resolve the lock after changing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) $(WAREHOUSE)/documents $(WAREHOUSE)/sections $(WAREHOUSE)/entities \
	       $(WAREHOUSE)/quotes $(WAREHOUSE)/rejects $(WAREHOUSE)/_staging
