# City Innovation Self-Assessment. `make help` lists the targets.
SHELL := /bin/bash
PYTHON_SYSTEM ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app assessment
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 4

.DEFAULT_GOAL := help

.PHONY: messages
.PHONY: help system-packages catalogues install install-test run serve worker test test-fast lint security db-upgrade seed bench browser clean assets

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON_SYSTEM) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

system-packages: ## Install Pango and HarfBuzz's subsetter, which the PDF of the report needs, when missing (Debian, needs root)
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || ! /sbin/ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's Pango and HarfBuzz subsetter for the PDF of the report"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; \
	  else echo "Pango or HarfBuzz is missing: install libpango-1.0-0, libpangoft2-1.0-0 and libharfbuzz-subset0 for the PDF of the report."; fi; \
	fi

install: system-packages $(VENV)/.installed ## Create .venv and install the app

install-test: system-packages $(VENV)/.installed-test ## Create .venv and install the app with the test tools

catalogues: install ## Compile the interface translations (translations/*/LC_MESSAGES/messages.mo)
	@$(VENV)/bin/pybabel -q compile -d translations

db-upgrade: install catalogues ## Apply database migrations
	$(FLASK) db upgrade

seed: db-upgrade ## Fill an empty database with demo data and print the demo sign-ins
	$(FLASK) seed-demo --if-empty

run: seed ## Install, migrate, seed demo data and serve on http://127.0.0.1:5000
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: seed ## Production-style: gunicorn with $(WORKERS) workers (set SECRET_KEY, DATABASE_URL)
	$(VENV)/bin/gunicorn --workers $(WORKERS) --threads 4 --timeout 120 --bind $(HOST):$(PORT) \
	  --access-logfile - 'assessment:create_app()'

browser: ## Install what the browser tests need when it is missing: Debian's Chromium and a Chinese font (needs root), axe-core
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: install Debian's chromium package to run the browser tests."; fi; \
	fi
	@if command -v fc-list >/dev/null && [ -z "$$(fc-list :lang=zh)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's fonts-wqy-microhei so Chinese pages render in the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	  else echo "No Chinese font: install fonts-wqy-microhei (Debian) to see Chinese in the screenshots."; fi; \
	fi
	@if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then \
	  if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  fi; \
	  npm ci --prefix tests/browser --no-audit --no-fund; \
	fi

test: install-test catalogues browser security ## Install the test tools, run the security checks and the whole suite
	$(PY) -m pytest

test-fast: install-test catalogues ## Run the suite without the browser tests
	$(PY) -m pytest -m "not browser"

lint: install-test ## Ruff on everything, mypy on the package (strict on the pure core), the import contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy assessment
	$(VENV)/bin/mypy --strict --follow-imports=silent assessment/questionnaire
	$(VENV)/bin/lint-imports

security: install-test ## Bandit on the package, pip-audit on the installed packages (PIP_AUDIT_REQUIRED=1: an audit that cannot run fails)
	@status=0; \
	echo "== bandit: assessment/"; \
	if $(VENV)/bin/bandit -c pyproject.toml -r assessment -q; then echo "bandit: no issue found."; else status=1; \
	  echo "bandit: fix each issue above. A false positive is acknowledged on its own line with the reason,"; \
	  echo "  # nosec B105 # why it is safe here      ([tool.bandit] in pyproject.toml explains)"; fi; \
	echo "== pip-audit: installed packages"; \
	$(PY) bin/audit_dependencies.py $(if $(filter 1,$(PIP_AUDIT_REQUIRED)),--required) || status=1; \
	exit $$status

worker: db-upgrade ## Background jobs on the Celery queue, with the reminder schedule (set REDIS_URL)
	$(VENV)/bin/celery -A assessment.worker worker --beat --loglevel=INFO --concurrency=$(WORKERS)

bench: install-test ## Run the benchmarks (see bench/README.md)
	@if ! command -v sqlite3 >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's sqlite3 for the database-dump ceiling"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; \
	  else echo "The sqlite3 command is missing: install Debian's sqlite3 package."; fi; \
	fi
	$(PY) -m bench $(BENCH_ARGS)

.PHONY: frontend
frontend: ## Rebuild static/vendor/plotly-custom.min.js(.gz) with Node (see frontend/README.md)
	npm --prefix frontend ci --no-audit --no-fund
	npm --prefix frontend run build

clean: ## Remove the virtual environment and caches (keeps instance/ data)
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis *.egg-info

messages: install ## Extract interface text and update every language's catalogue
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(MAKE) catalogues
