# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint migrations-check deploy-check bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "rdportfolio needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed --demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# On every core, up to four (pytest-xdist; a test database per worker); PYTEST_ARGS="-n0" for one.
test: install
	$(BIN)/python -m pytest -n auto --maxprocesses=4 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

# Scale figures against their floors, on PostgreSQL (127.0.0.1:5432) with a million budget lines
# loaded once into rdportfolio_bench (a second run reuses them); the demo in rdportfolio_demo.
# About ten minutes; docs/scale.md says what each line means.
bench: install
	$(BIN)/python benchmarks/share_recompute.py --repeat 5
	$(BIN)/python benchmarks/share_recompute.py --lines 100000 --repeat 5 \
		--database-url postgres://postgres@127.0.0.1:5432/rdportfolio_bench_100k
	$(BIN)/python benchmarks/scenario_results.py
	$(BIN)/python benchmarks/pages_scale.py
	$(BIN)/python benchmarks/csv_download.py --hold 10
	$(BIN)/python benchmarks/xlsx_export.py
	$(BIN)/python benchmarks/bulk_delete.py
	@if command -v wrk >/dev/null; then bash benchmarks/api_load.sh; \
	else echo "api_load.sh skipped: needs wrk (apt-get install wrk)"; fi
	$(BIN)/python benchmarks/api_filters.py
	$(BIN)/python benchmarks/import_budget_lines.py --format csv
	$(BIN)/python benchmarks/import_budget_lines.py --format xlsx
	for kind in projects technologies institutions; do \
		$(BIN)/python benchmarks/import_budget_lines.py --kind $$kind || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
