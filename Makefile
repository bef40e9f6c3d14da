# SDR Ops. `make run` starts the app on embedded defaults; `make test` runs the checks.
# Both begin with `make install`, which only redoes what changed.

VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ASSETS := static/vendor/.built
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The pytest suite runs in this many processes (pytest-xdist; auto: one per CPU, 0: one
# process, no workers). tests/parallel.py gives each worker its own databases and folders.
TEST_WORKERS ?= auto

.PHONY: help install run test lint format migrate seed worker clean messages

help:
	@echo "make run      install, migrate, seed the demo and start web + worker + beat"
	@echo "make test     ruff, the import contracts and the pytest suite in parallel (uses DATABASE_URL / CELERY_BROKER_URL if set; TEST_WORKERS=0 runs it in one process)"
	@echo "make install  .venv, Python and npm packages, static assets, translations"
	@echo "make messages update the Korean catalogue (locale/ko) from the source"

$(PY):
	@python=$$(sh scripts/find-python.sh) || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed for the front-end libraries: install Node.js 20 or newer (it brings npm) and run make again." >&2; exit 1; }
	npm ci --no-audit --no-fund

$(ASSETS): node_modules/.package-lock.json scripts/build-assets.mjs
	npm run --silent build
	@touch $@

install: $(STAMP) $(ASSETS)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  command -v msgfmt >/dev/null 2>&1 || { echo "msgfmt is needed to compile translations: install gettext and run make again." >&2; exit 1; }; \
	  $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; \
	fi
	$(PY) manage.py collectstatic --noinput -v 0

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@HOST=$(HOST) PORT=$(PORT) VENV=$(VENV) sh scripts/run-dev.sh

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

messages: install
	$(PY) manage.py catalogue

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
