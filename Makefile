# Developer entry points. Everything runs from the virtualenv in .venv at the repo root.
#
#   make run       install what is missing, migrate, seed the demo data, serve on 127.0.0.1:8000
#   make test      the full test suite (PYTEST_ARGS="-k foo -x" to narrow it)
#   make test-fast the same, keeping the test database between runs (--reuse-db)
#   make lint      ruff + mypy, as CI would
#
# With no DATABASE_URL the settings fall back to SQLite (db.sqlite3); with no REDIS_URL
# Celery tasks run eagerly in-process, so neither PostgreSQL nor Redis is needed for `make run`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CELERY := $(VENV)/bin/celery
RUFF := $(VENV)/bin/ruff
MYPY := $(VENV)/bin/mypy
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

HOST := 127.0.0.1
PORT := 8000

.PHONY: help venv system system-browser run test test-fast lint format messages compilemessages worker beat graph

help:
	@echo "make run       migrate, seed demo data and serve on http://$(HOST):$(PORT)/"
	@echo "make test      run the test suite (PYTEST_ARGS=... passes options to pytest)"
	@echo "make test-fast the same, reusing the test database of the last run (local use)"
	@echo "make lint      ruff check, ruff format --check, mypy"
	@echo "make format    ruff format + ruff check --fix"
	@echo "make messages  makemessages (zh_Hans, en) + compilemessages"
	@echo "make worker    Celery worker (needs REDIS_URL)"
	@echo "make beat      Celery beat (needs REDIS_URL)"
	@echo "make graph     case state diagram"
	@echo "make venv      create/refresh .venv from pyproject.toml"
	@echo "make system    install missing Debian packages (as root)"

# --- environment -------------------------------------------------------------------------

venv: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml is newer than the stamp, so re-runs are fast.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	@touch $@

system:
	@bash scripts/install_system_packages.sh

system-browser:
	@bash scripts/install_system_packages.sh --browser

# --- running -----------------------------------------------------------------------------

# Compiled .mo files are committed, so without msgfmt (or with no .po files yet) this is skipped.
compilemessages: venv
	@if ! command -v msgfmt >/dev/null 2>&1; then \
		echo "msgfmt not found: using the committed .mo files"; \
	elif [ -z "$$(find . -path ./$(VENV) -prune -o -name '*.po' -print -quit)" ]; then \
		echo "no .po files yet: nothing to compile"; \
	else \
		$(PY) manage.py compilemessages --ignore=$(VENV); \
	fi

run: system venv
	@$(MAKE) --no-print-directory compilemessages
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@echo
	@echo "Site:     http://$(HOST):$(PORT)/   (the logins are listed above)"
	@echo "API docs: http://$(HOST):$(PORT)/api/docs/"
	@if [ -n "$${REDIS_URL:-}" ]; then \
		echo; \
		echo "REDIS_URL is set, so tasks go to Celery: start these in two other terminals:"; \
		echo "  $(CELERY) -A config worker -l info"; \
		echo "  $(CELERY) -A config beat -l info"; \
	else \
		echo "(no REDIS_URL: Celery tasks run in-process)"; \
	fi
	@echo
	exec $(PY) manage.py runserver $(HOST):$(PORT)

worker: venv
	@[ -n "$${REDIS_URL:-}" ] || echo "WARNING: REDIS_URL is not set; the worker has no broker to read from" >&2
	exec $(CELERY) -A config worker -l info

beat: venv
	@[ -n "$${REDIS_URL:-}" ] || echo "WARNING: REDIS_URL is not set; beat has no broker to send to" >&2
	exec $(CELERY) -A config beat -l info

# --- quality -----------------------------------------------------------------------------

# pytest's own exit code is passed on; 5 (no tests collected) fails the target too.
# With no DATABASE_URL / REDIS_URL, the tests use the local PostgreSQL and Redis when they answer on
# 127.0.0.1 (user postgres, as CI runs them); only without a PostgreSQL do they fall back to SQLite, where
# the PostgreSQL-only paths (set-based routing, the import's writer thread) are not what runs.
LOCAL_DATABASE_URL := postgres://postgres@127.0.0.1:5432/platform
LOCAL_REDIS_URL := redis://127.0.0.1:6379/0
test: system-browser venv
	@if [ -z "$${DATABASE_URL:-}" ] && command -v psql >/dev/null \
	        && psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then \
	    export DATABASE_URL=$(LOCAL_DATABASE_URL); \
	fi; \
	if [ -z "$${REDIS_URL:-}" ] && command -v redis-cli >/dev/null \
	        && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	    export REDIS_URL=$(LOCAL_REDIS_URL); \
	fi; \
	echo "make test: database $${DATABASE_URL:-SQLite (no PostgreSQL answered on 127.0.0.1:5432)}," \
	    "broker $${REDIS_URL:-none (tasks in-process)}"; \
	$(PY) -m pytest $(PYTEST_ARGS)

# Locally: keeps the test database between runs (pytest-django's --reuse-db), so a run skips creating and
# migrating it. After a new migration add PYTEST_ARGS=--create-db once. CI uses `make test` (a fresh DB).
test-fast: venv
	$(PY) -m pytest --reuse-db $(PYTEST_ARGS)

lint: venv
	$(RUFF) check .
	$(RUFF) format --check .
	$(MYPY) .

# Formats even when some lint findings cannot be fixed automatically; fails if any remain.
format: venv
	$(RUFF) format .
	$(RUFF) check --fix . || status=$$?; $(RUFF) format . >/dev/null; exit $${status:-0}

messages: venv
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=$(VENV) --ignore=tests --ignore=bench \
		--ignore=staticfiles --ignore=media
	$(PY) manage.py compilemessages --ignore=$(VENV)

graph: venv
	$(PY) manage.py case_state_diagram
