# The two commands: `make run` (serve on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock
INTEROP := tests/certification/interop

.PHONY: install lock run test test-fast migrate lint interop fuzz

install: $(STAMP)
	@bin/system-deps

# Exactly the versions in requirements.lock (the dependencies and the dev extras, each file checked
# against its hash), then the project itself; pip check fails if pyproject.toml asks for something
# the lock does not hold (run `make lock`).
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; \
		echo "requirements.lock 与 pyproject.toml 不一致：请运行 make lock"; exit 1; }
	@touch $(STAMP)

# Re-resolves requirements.lock from pyproject.toml, keeping every pinned version that still fits;
# `make lock UPGRADE=1` moves each to the newest allowed. Then installs it.
lock:
	@test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/pip install -q "uv>=0.9,<1"; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) \
		--quiet -o $(LOCK)
	@$(MAKE) --no-print-directory install

run: install
	$(BIN)/python -m core.manage serve

migrate: install
	$(BIN)/python -m core.manage migrate

# Node is used only to run an independent verifier of our verifiable credentials.
interop: $(INTEROP)/node_modules/.stamp

$(INTEROP)/node_modules/.stamp: $(INTEROP)/package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(INTEROP) --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "未找到 npm：跳过可验证凭证互操作测试"; fi

test: install interop
	@bin/system-deps --tests
	@if command -v chromium >/dev/null; then echo "浏览器测试：使用 $$(command -v chromium)"; \
	else echo "未找到 chromium：跳过浏览器测试（安装：apt-get install chromium）"; fi
	$(BIN)/python -m pytest

# The API fuzzed by schemathesis on a throwaway database (anonymous, officer, admin).
fuzz: install
	$(BIN)/python .ci/fuzz-api

# ruff, then the import contract (pyproject.toml [tool.importlinter]: the dependency order), then
# vulture at 80% confidence (unused imports, variables and arguments, unreachable code). Unused
# functions and classes are only 60% findings, among route handlers and Piccolo columns it cannot
# see used: look at `vulture … --min-confidence 60` by hand. Tests are left out: a fixture
# asked for its effect is an unused argument to vulture.
lint: install
	$(BIN)/ruff check core training certification employers dashboards composition.py \
		piccolo_conf.py tests bench
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/vulture core training certification employers dashboards composition.py \
		piccolo_conf.py bench --min-confidence 80
