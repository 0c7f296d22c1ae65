# tweepee: `make run` serves the demo site, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
WORKERS ?= 2
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app adminapp

.PHONY: venv run dev test migrate seed bench bench-quick clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("tweepee needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

run: venv
	$(FLASK) bootstrap
	@echo "tweepee is at http://127.0.0.1:$(PORT)/  (back office: http://127.0.0.1:$(PORT)/admin/)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - --no-control-socket 'adminapp:create_app()'

dev: venv
	$(FLASK) bootstrap
	$(FLASK) run --debug --port $(PORT)

test: venv
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

migrate: venv
	$(FLASK) migrate

seed: venv
	$(BIN)/python seed_data.py $(SEED_ARGS)

# The benchmark (bench/README.md): both data sets, about 10 minutes; bench-quick: small set, < 3 min.
# BENCH_DATABASE_URL=postgresql://... runs tweepee on PostgreSQL; BENCH_ARGS passes options.
bench: venv
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick: venv
	$(BIN)/python -m bench.run --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
