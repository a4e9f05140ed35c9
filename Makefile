# Two commands: `make demo` and `make test`. Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint typecheck pytest bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installs come from the lock files (exact versions, hashes checked), then fixright
# itself without resolving anything again. `make lock` rewrites them.
$(VENV)/.installed: requirements/runtime.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/runtime.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/test.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(VENV)/.installed $@

# After changing dependencies in pyproject.toml: pin them again (keeps the other pins;
# `make lock UPGRADE=--upgrade` moves everything to the newest allowed versions).
LOCK := $(BIN)/pip-compile -q --generate-hashes --strip-extras --unsafe-package fixright \
        --no-emit-index-url --no-emit-find-links $(UPGRADE)
lock: | $(BIN)/python
	$(BIN)/pip install -q pip-tools
	$(LOCK) -o requirements/test.txt --extra test --extra ssh --extra s3 --extra postgres \
	        --extra uvicorn --extra feeds --extra claims --extra queue pyproject.toml
	$(LOCK) -o requirements/runtime.txt --extra feeds --extra claims pyproject.toml

DEMO_DATA ?= .demo-data

demo: $(VENV)/.installed
	$(BIN)/fixright --data-dir $(DEMO_DATA) serve --demo --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

pytest: $(VENV)/.installed-test
	./scripts/ensure-postgres.sh
	./scripts/ensure-test-tools.sh
	FIXRIGHT_REQUIRE_POSTGRES=1 $(BIN)/pytest

test: lint typecheck pytest

bench: $(VENV)/.installed-test
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
