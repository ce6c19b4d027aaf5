# `make run` starts a demo; `make test` runs every test. Both set up what they need first.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APP ?= examples/stream.py

.PHONY: run test lint typecheck pytest frontend frontend-test chromium bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/reactchat run $(APP)

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: frontend/node_modules/.package-lock.json
	cd frontend && npm run check && npm run build

frontend-test: frontend/node_modules/.package-lock.json
	cd frontend && npm run check && npm test

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check reactchat tests examples bench
	$(VENV)/bin/ruff format --check reactchat tests examples bench

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

pytest: $(VENV)/.installed chromium
	$(PY) -m pytest -q

test: lint typecheck frontend-test pytest

bench: $(VENV)/.installed chromium
	$(PY) -m bench

clean:
	rm -rf $(VENV) frontend/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
