# The two commands: `make run` serves the portal, `make test` runs the whole suite (CI runs it).
# `make test-quick` is the same suite without the tests marked `slow` (fuzzing, hostile inputs).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test test-quick install install-test pdf-libs chromium lint checks pytest messages worker bench bench-compare clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run pdf-libs
install-test: $(VENV)/.installed-test pdf-libs

# The PDF documents (WeasyPrint) need the system's Pango, and fonts-noto-cjk for their Chinese.
# HarfBuzz's subsetter cuts the CJK font to the glyphs a document uses in milliseconds; without it
# WeasyPrint falls back to fontTools, which takes seconds a document on the 65,000-glyph font.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
pdf-libs:
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset \
	  || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Pango, HarfBuzz's subsetter and fonts-noto-cjk for the PDF documents"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null) \
	      || echo "warning: could not install $(PDF_PACKAGES); PDF documents will fail or be slow"; \
	  else echo "warning: a PDF library or font is missing (apt-get install $(PDF_PACKAGES))"; fi; \
	fi

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving the portal at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/docs/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Debian's Chromium drives the browser tests; a browser is never downloaded.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "warning: chromium is missing and cannot be installed here; browser tests will be skipped"; fi; \
	fi

# ruff; the import contract of the apps' layering (pyproject's [tool.importlinter]); mypy (strict on the
# modules pyproject's [tool.mypy] lists, lenient elsewhere).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy .

checks: install-test
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=singlewindow.settings.production \
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=singlewindow.example.org \
	AUDIT_CHAIN_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	CEB_RECEIPT_SIGNING_KEY=/run/secrets/receipt-key.pem \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

pytest: install-test chromium
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint checks pytest

test-quick: override PYTEST_ARGS += -m "not slow"
test-quick: test

messages: install-test
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

worker: install
	$(BIN)/celery -A singlewindow worker -P solo --loglevel=INFO

# The end-to-end benchmark needs PostgreSQL and Redis (it creates its own <name>_bench database).
BENCH_N ?= 20000
BENCH := DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/singlewindow} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BIN)/python -m bench.pipeline
bench: install-test
	$(BENCH) --n $(BENCH_N) $(BENCH_ARGS)

# The batch path, then single documents from 32 clients, one right after the other, and their ratio.
bench-compare: install-test
	$(BENCH) --compare --n $(BENCH_N) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
