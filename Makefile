# make run: a running service on SQLite with the seed data.  make test: the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
FIXTURES := evidence_types sigma1r_als

.PHONY: run worker test install lint schema clean bench bench-loads bench-smoke mirror-check screenshots faults

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed $(FIXTURES)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py ensure_local_admin
	@echo "Serving http://127.0.0.1:$(PORT)/  (admin: /admin/, API: /api/v1/)"
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Webhook deliveries (README, "Webhooks"): a Celery worker on the Redis at REDIS_URL.
worker: install
	@test -n "$$REDIS_URL" || { echo "make worker needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make worker"; exit 1; }
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A curation worker --beat --schedule $(VENV)/celerybeat-schedule --loglevel=INFO

test: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# The README's screenshots of the admin on the seed data, taken in Debian's headless Chromium.
screenshots: install
	SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_browser_curation_flow.py -k seeded -q

schema: install
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --file docs/openapi.yaml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# The API under gunicorn against a raw SQL baseline on generated PostgreSQL data (docs/performance.md).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Bulk loads on this checkout: import_curation beside COPY, export_curation's memory (docs/performance.md).
bench-loads: install
	$(BIN)/python -m bench.loads $(LOADS_ARGS)

# The change feed over HTTP: mirrors follow it while clients write; each must equal its listing.
mirror-check: install
	$(BIN)/python -m bench.mirror $(MIRROR_ARGS)

# Writes under a killed worker, a restarted PostgreSQL (a throwaway server of its own, never the
# shared one) and a slow client: nothing acknowledged may be lost (docs/faults.md).
faults: install
	$(BIN)/python -m bench.faults $(FAULTS_ARGS)

bench-smoke: install
	$(BIN)/python -m bench.run --smoke $(BENCH_ARGS)
	$(BIN)/python -m bench.loads --smoke $(LOADS_ARGS)
