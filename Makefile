PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,python]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

unit: $(STAMP)
	PYTHONFAULTHANDLER=1 $(BIN)/pytest

test: lint typecheck unit

# The main job: the checker on a copy of this Python's standard library, cold, cached
# and after three scripted edits.
demo: $(STAMP)
	$(BIN)/python -m salsify.python.demo

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
