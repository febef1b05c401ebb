# Two commands: `make run` (the demo) and `make test` (lint, migrations, pytest).
# With DATABASE_URL / REDIS_URL unset both start their own PostgreSQL and Redis (utilities/devservices.py,
# from PyPI wheels, data under var/) and stop them when they end; set either URL to use your own server.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
HOST   ?= 127.0.0.1:8000

.PHONY: run test lint fuzz bench static deps demo-deps dev-deps lock messages clean serve worker beat stop reset status

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.deps: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.lock
	touch $@

# the demo's scale-data generator needs Faker and tqdm; the production image (base.lock) has neither
$(VENV)/.demo-deps: requirements/demo.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/demo.lock
	touch $@ $(VENV)/.deps

$(VENV)/.dev-deps: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@ $(VENV)/.deps $(VENV)/.demo-deps

deps: $(VENV)/.deps
demo-deps: $(VENV)/.demo-deps
dev-deps: $(VENV)/.dev-deps

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/vendor/echarts/echarts.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor/echarts
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/

# the PDF reports' CJK font: Noto Sans SC Regular, TrueType outlines (ReportLab embeds a subset of it)
static/vendor/fonts/NotoSansSC-Regular.ttf: node_modules/.package-lock.json
	mkdir -p static/vendor/fonts
	cp node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf $@

static: static/vendor/echarts/echarts.min.js static/vendor/fonts/NotoSansSC-Regular.ttf

SERVICES := $(PY) -m utilities.devservices

# The demo: embedded PostgreSQL and Redis, a Celery worker with its beat, the reference scenario loaded.
run: export DEBUG ?= 1
run: demo-deps static
	$(SERVICES) run -- $(PY) manage.py migrate --no-input
	$(SERVICES) run -- $(PY) manage.py seed_reference
	$(SERVICES) run --worker -- $(PY) manage.py runserver $(HOST)

# the embedded services: where they are, stop them, or stop them and delete the demo's data
status: deps
	$(SERVICES) status
stop: deps
	$(SERVICES) stop
reset: deps
	$(SERVICES) reset

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# The suite in two runs on the same services: everything but the fault and real-worker tests on
# $(TEST_WORKERS) workers (pytest-xdist), then those alone: the fault tests stop and restart PostgreSQL and
# Redis, and a real Celery worker's timing should not depend on what runs beside it.
# Exit status 5 is pytest's "nothing collected", which a focused PYTEST_ARGS may meet in one of the two.
TEST_WORKERS ?= 2
test: export DEBUG ?= 1
test: dev-deps static lint
	$(SERVICES) run -- sh -c '\
	  $(BIN)/pytest -n $(TEST_WORKERS) -m "not faults and not worker" $(PYTEST_ARGS); main=$$?; \
	  $(BIN)/pytest -n 1 -m "faults or worker" $(PYTEST_ARGS); faults=$$?; \
	  [ $$main -eq 0 -o $$main -eq 5 ] && [ $$faults -eq 0 -o $$faults -eq 5 ] && [ $$main$$faults != 55 ]'

# schemathesis over the whole API, stateless (>= 10,000 cases) then stateful: no 5xx, no schema violation
fuzz: export DEBUG ?= 1
fuzz: dev-deps
	$(SERVICES) run -- $(BIN)/pytest -p no:cacheprovider -s tests/fuzz.py

bench: export DEBUG ?= 1
bench: dev-deps static
	$(SERVICES) run -- $(PY) tests/benchmarks/run.py $(BENCH_ARGS)

# each app keeps its own catalogue (its templates live in <app>/templates/); locale/ holds templates/
APPS := community partybuild staffing funding services worklist
messages: dev-deps
	for app in $(APPS); do (cd $$app && DEBUG=1 DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=$(CURDIR) \
		$(CURDIR)/$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete) || exit 1; done
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var \
		--ignore=tests --ignore=docs $(foreach app,$(APPS),--ignore=$(app))
	for app in $(APPS); do (cd $$app && DEBUG=1 DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=$(CURDIR) \
		$(CURDIR)/$(BIN)/django-admin compilemessages) || exit 1; done
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules $(foreach app,$(APPS),--ignore=$(app))

lock: dev-deps
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra demo -o requirements/demo.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra demo --extra dev -o requirements/dev.lock pyproject.toml

# production-style processes (docker-compose runs the same commands)
serve: deps static
	$(PY) manage.py collectstatic --no-input
	$(BIN)/gunicorn config.wsgi --bind $(HOST) --workers 3
worker: deps
	$(BIN)/celery -A config worker --loglevel=info --concurrency=2
beat: deps
	$(BIN)/celery -A config beat --loglevel=info

clean:
	-$(SERVICES) stop
	rm -rf $(VENV) var node_modules static/vendor
