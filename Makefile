# `make run` starts a demo; `make test` runs every test. Both set up what they need first.
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APP ?= examples/stream.py

.PHONY: run test lint typecheck pytest frontend frontend-test chromium nginx postgres bench clean

# Running needs reactchat and its dependencies only; the tests add their toolchain (.[test]) on top.
$(VENV)/.runnable: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed: $(VENV)/.runnable
	$(PY) -m pip install -q -e '.[test]'
	touch $@

run: $(VENV)/.runnable
	$(VENV)/bin/reactchat run $(APP)

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's nginx: the tests of many workers run it (as this user, on a loopback port) in front of them.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }

# The conversation store's tests run on PostgreSQL too: start the local cluster when it is installed and
# down (tests skip it when unreachable, and fail under CI). REACTCHAT_TEST_POSTGRES points them elsewhere.
postgres:
	@if ! command -v pg_isready >/dev/null; then \
	  echo "PostgreSQL is not installed here: its store tests will be skipped"; \
	elif ! pg_isready -q -h 127.0.0.1; then \
	  $(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 && exit 0; sleep 1; done; \
	  echo "PostgreSQL did not start" >&2; exit 1; \
	fi

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

pytest: $(VENV)/.installed chromium nginx postgres
	$(PY) -m pytest -q

test: lint typecheck frontend-test pytest

bench: $(VENV)/.installed chromium
	$(PY) -m bench

clean:
	rm -rf $(VENV) frontend/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
