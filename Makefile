# The two commands of the README: `make run` and `make test`.
# Both create or reuse .venv at the repository root and install stepfree into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stepfree-installed

.PHONY: run test test-fast lint bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/stepfree build
	$(BIN)/stepfree serve

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
# Start PostgreSQL first (.ci/postgres.sh prints STEPFREE_TEST_POSTGRES_URL=...), so the
# storage tests run against it as well as SQLite; a failure to start it fails the target.
	pg_url="$$(bash .ci/postgres.sh)" && export "$$pg_url" && $(BIN)/pytest -m "slow or not slow"

test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

# Benchmarks against the peers (installed into benchmarks/.venv-peers), writing docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --quick --no-peers

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/ruff format --check src tests benchmarks

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .ruff_cache
