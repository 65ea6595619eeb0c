# Public-data inventory — developer and CI entry points.
#   make run     venv + install + migrate + demo data + dev server on http://127.0.0.1:5000 (SQLite)
#   make test    test deps + PostgreSQL + CKAN + Chromium, then the whole suite on SQLite and PostgreSQL
#   make bench   benchmarks with same-run baselines
#   make lint    ruff
SHELL := /bin/bash
# The virtualenvs' interpreter: the system's python3 when it is 3.11 or later. Debian and Ubuntu
# build it with profile-guided and link-time optimisation into a static executable; a pyenv
# build (shared libpython, no PGO) spent 12-25% more CPU per entry page in the same-run
# comparison of the README's "Which Python" section. Choose another with `make PYTHON=...`.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
            2>/dev/null && echo /usr/bin/python3 || echo python3)
endif
VENV := .venv
BIN := $(VENV)/bin
SHARED := ../shared
HOST ?= 127.0.0.1
PORT ?= 5000
# One PostgreSQL database per checkout, so several checkouts can test side by side.
PG_TEST_DB ?= inventory_test_$(shell basename "$(CURDIR)" | tr -c 'a-zA-Z0-9_\n' '_')
ARTIFACTS ?= test-artifacts
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres bench lint translations extract-messages \
        install install-test system-deps services prod clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# ckanext-dcat's own DCAT parser (a peer check of our RDF) needs CKAN 2.12 and its runtime
# modules, which must not mix with the app's: a separate venv, used only by the tests.
CKAN_PARSER_VENV := .venv-ckan-parser
CKAN_PARSER_REQS := $(SHARED)/standards/ckanext-dcat/requirements-ckan-parser.txt

$(CKAN_PARSER_VENV)/.installed: $(CKAN_PARSER_REQS)
	$(PYTHON) -m venv --clear $(CKAN_PARSER_VENV)
	$(CKAN_PARSER_VENV)/bin/pip install -q --upgrade pip
	$(CKAN_PARSER_VENV)/bin/pip install -q -r $(CKAN_PARSER_REQS)
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations $(CKAN_PARSER_VENV)/.installed

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d inventory/translations >/dev/null 2>&1

# --ignore-dirs: Babel skips directories starting with "_" by default (templates/_macros).
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --ignore-dirs=".* __pycache__" --add-comments=Translators: -o inventory/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i inventory/translations/messages.pot -d inventory/translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(BIN)/inventory db upgrade
	$(BIN)/inventory demo load --only-if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/inventory run --host $(HOST) --port $(PORT)

# System packages the tests use (Chromium, PDF tools, Arabic fonts, Redis). Only installs what is missing.
system-deps:
	@scripts/system-deps.sh

# PostgreSQL (a database per checkout) and a real multilingual CKAN on 127.0.0.1:5050 (with
# Redis on 6379): scripts/ckan-services.sh wraps $(SHARED)/ckan/ckan-local.sh and honours its
# settings (CKAN_LOCAL_HOME, CKAN_PORT, CKAN_DB_NAME... for a second instance).
# CKAN's URL and token reach the tests as TEST_CKAN_URL / TEST_CKAN_API_TOKEN, so that no
# other test publishes by accident; the instance's settings follow, so that the tests stop and
# start that very instance.
services: system-deps
	@scripts/postgres.sh start $(PG_TEST_DB) > .pg-test-url
	@grep -Eqx 'postgresql://[^[:space:]]+' .pg-test-url || { echo "scripts/postgres.sh did not print one database URL:" >&2; cat .pg-test-url >&2; exit 1; }
	@scripts/ckan-services.sh start
	@{ scripts/ckan-services.sh env | sed -e 's/CKAN_URL=/TEST_CKAN_URL=/' -e 's/CKAN_API_TOKEN=/TEST_CKAN_API_TOKEN=/'; scripts/ckan-services.sh instance-env; } > .ckan-env

test: install-test services
	@mkdir -p $(ARTIFACTS)
	@start=$$SECONDS; \
	source .ckan-env; \
	echo "== test suite on SQLite =="; \
	$(BIN)/python -m pytest $(PYTEST_ARGS) || exit 1; \
	echo "== test suite on PostgreSQL =="; \
	TEST_DATABASE_URL=$$(cat .pg-test-url) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS) || exit 1; \
	echo "make test: all passed in $$((SECONDS - start)) s"

test-sqlite: install-test
	if [ -f .ckan-env ]; then source .ckan-env; fi; $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install-test services
	source .ckan-env; TEST_DATABASE_URL=$$(cat .pg-test-url) $(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# The production way on this machine: PostgreSQL + gunicorn workers + a Redis job worker.
prod: install
	scripts/prod-local.sh

bench: install-test services
	$(BIN)/python -m bench

lint: install-test
	$(BIN)/ruff check inventory catalog tests bench

clean:
	rm -rf $(VENV) $(CKAN_PARSER_VENV) .pytest_cache $(ARTIFACTS) .pg-test-url .ckan-env
