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

# Benchmarks run in their own venv: the peer engines they compare against are never
# dependencies of salsify. A peer that cannot be installed shows as "not installed".
BENCH_VENV := .bench-venv
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -e .
	for peer in pyinc revlet query-cascade; do \
		$(BENCH_VENV)/bin/python -m pip install --quiet $$peer || echo "bench: $$peer not installed"; \
	done
	# incr-compute's stable release is a Rust source build; its abi3 prerelease is a wheel.
	$(BENCH_VENV)/bin/python -m pip install --quiet --pre --only-binary incr-compute \
		incr-compute || echo "bench: incr-compute not installed"
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m benchmarks --json $(BENCH_VENV)/results.json

# The main job: the checker on a copy of this Python's standard library, cold, cached
# and after three scripted edits.
demo: $(STAMP)
	$(BIN)/python -m salsify.python.demo

clean:
	rm -rf $(VENV) $(BENCH_VENV) .mypy_cache .pytest_cache .ruff_cache
