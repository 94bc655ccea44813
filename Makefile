# 职工技能大赛平台 — the two commands of the README are `make run` and `make test`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
PORT   ?= 5000
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint format i18n migrate sysdeps clean bench bench-quick

## run: install, migrate the SQLite database, load the demo event, serve on 127.0.0.1:$(PORT)
run: $(VENV)/.runtime $(COMPILED)
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "→ http://127.0.0.1:$(PORT)/"
	CONTEST_SCHEDULER_IN_PROCESS=true CONTEST_PUBLIC_URL=$${CONTEST_PUBLIC_URL:-http://127.0.0.1:$(PORT)} $(FLASK) run --host 127.0.0.1 --port $(PORT)

## test: install the test tools (and system packages when possible), lint, run the suite
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: each worker, and each
# server or command a test starts, would otherwise compile the code again.
test: lint $(COMPILED) sysdeps
	env -u TEST_DATABASE_URL -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n auto
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
	  env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n auto --ignore=tests/domain; \
	fi

## lint: ruff (rules and formatting) and mypy on the pure domain
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## i18n: extract messages, merge them into the catalogues, compile
i18n: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
	  --project contest -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --width 100
	$(BIN)/pybabel compile -d translations --statistics

## bench: events of 10, 150 and 1,000 trades and a theory exam of 1,000 examinees on PostgreSQL
## (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/bench, recreated),
## gunicorn driven by wrk (the examinees through nginx; both installed from Debian when
## missing): every figure with its baseline; writes bench/RESULTS.md
bench: $(VENV)/.runtime $(COMPILED)
	$(BIN)/python -m bench.run

## bench-quick: the same on small events in about a minute; fails on errors, not on speed
bench-quick: $(VENV)/.runtime $(COMPILED)
	$(BIN)/python -m bench.run --quick

## migrate: create a migration from model changes (MESSAGE="…")
migrate: $(VENV)/.runtime
	$(FLASK) db migrate -m "$(MESSAGE)"

%.mo: %.po $(VENV)/.runtime
	$(BIN)/pybabel compile -i $< -o $@

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## sysdeps: CJK fonts, poppler and Chromium for the PDF and browser tests (Debian, as root)
sysdeps:
	@./scripts/sysdeps.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache translations/*/LC_MESSAGES/*.mo
