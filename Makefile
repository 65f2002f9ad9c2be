# Plant Logbook. `make run` serves the demo plant; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The test run's environment: production-like (DEBUG off) with a throwaway key.
TEST_ENV := DEBUG=false SECRET_KEY=test-only-secret-key-not-for-production-$$(date +%s)-0123456789abcdef \
	ALLOWED_HOSTS=localhost,127.0.0.1,testserver PLAIN_STATIC_STORAGE=true \
	DJANGO_ALLOW_ASYNC_UNSAFE=true

# Directory login's library builds against OpenLDAP's headers: installed when they are here.
LDAP_EXTRA := $(shell test -e /usr/include/ldap.h && test -e /usr/include/sasl/sasl.h && echo ,ldap)

.PHONY: venv catalogues messages demo run test upgrade-check screenshots lint format clean bench bench-signals load

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev$(LDAP_EXTRA)]'
	touch $(STAMP)

# The translation catalogues, compiled from locale/<language>/LC_MESSAGES/*.po (never edited by
# hand: the .mo files are build output, not kept in git).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

catalogues: $(CATALOGUES)

locale/%.mo: locale/%.po $(STAMP)
	$(BIN)/pybabel --quiet compile --statistics -i $< -o $@

# After marking new strings: extract them into every language's catalogue (needs GNU gettext).
messages: venv
	DEBUG=true $(BIN)/python manage.py makemessages --all --add-location=file \
		--ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*'

demo: venv catalogues
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_demo --logins

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: venv catalogues
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests, saving their screenshots where README.md and docs/ show them.
screenshots: venv catalogues
	$(TEST_ENV) SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Small and medium unless BENCH_SCALE names one (large is on request: BENCH_SCALE=large).
BENCH_ENV := DEBUG=false SECRET_KEY=bench-only-key-0123456789abcdefghijklmnopqrstuvwxyz \
	PLAIN_STATIC_STORAGE=true

bench: venv
	for scale in $(or $(BENCH_SCALE),small medium); do \
		$(BENCH_ENV) $(BIN)/python bench/run.py --scale $$scale $(BENCH_ARGS) || exit 1; \
	done

# 200 machines posting a signal a second through gunicorn, then flat out (bench/signals.py).
bench-signals: venv
	$(BIN)/python bench/signals.py $(SIGNALS_ARGS)

# 30 technicians and 5 supervisors against gunicorn, on SQLite and PostgreSQL, with faults.
load: venv catalogues
	$(BIN)/python bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var/static

# The previous release's database (the latest v* tag; before the first one, this commit), with
# the demo plant, upgraded to this code: data intact, every page answers (deploy/upgrade-check.sh).
UPGRADE_BASE ?= c2a0843
upgrade-check: venv catalogues
	deploy/upgrade-check.sh $(UPGRADE_BASE)
