# Two commands: `make run` (embedded demo on SQLite) and `make test` (lint, migrations, pytest).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
HOST   ?= 127.0.0.1:8000

.PHONY: run test lint bench static deps dev-deps lock messages clean serve worker beat

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.deps: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	touch $@

$(VENV)/.dev-deps: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@ $(VENV)/.deps

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/echarts/echarts.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor/echarts
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/

static: static/vendor/echarts/echarts.min.js

# The embedded default: SQLite under var/, tasks run eagerly, the reference scenario loaded.
run: export DEBUG ?= 1
run: deps static
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_reference
	$(PY) manage.py runserver $(HOST)

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

test: export DEBUG ?= 1
test: dev-deps static lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: export DEBUG ?= 1
bench: dev-deps static
	$(PY) tests/benchmarks/run.py $(BENCH_ARGS)

# each app keeps its own catalogue (its templates live in <app>/templates/); locale/ holds templates/
APPS := community partybuild staffing funding services worklist
messages: dev-deps
	for app in $(APPS); do (cd $$app && DEBUG=1 DJANGO_SETTINGS_MODULE=community.settings PYTHONPATH=$(CURDIR) \
		$(CURDIR)/$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete) || exit 1; done
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var \
		--ignore=tests --ignore=docs $(foreach app,$(APPS),--ignore=$(app))
	for app in $(APPS); do (cd $$app && DEBUG=1 DJANGO_SETTINGS_MODULE=community.settings PYTHONPATH=$(CURDIR) \
		$(CURDIR)/$(BIN)/django-admin compilemessages) || exit 1; done
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules $(foreach app,$(APPS),--ignore=$(app))

lock: dev-deps
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml

# production-style processes (docker-compose runs the same commands)
serve: deps static
	$(PY) manage.py collectstatic --no-input
	$(BIN)/gunicorn community.wsgi --bind $(HOST) --workers 3
worker: deps
	$(BIN)/celery -A community worker --loglevel=info --concurrency=2
beat: deps
	$(BIN)/celery -A community beat --loglevel=info

clean:
	rm -rf $(VENV) var node_modules static/vendor
