PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit demo bench clean test-versions

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

# The suite on every other supported Python this machine has (3.12, 3.13); versions that
# are missing are skipped, so a machine with only 3.11 passes.
test-versions:
	@for v in 3.12 3.13; do \
		py=""; \
		for c in $$(command -v python$$v) $$(ls -d $$HOME/.pyenv/versions/$$v*/bin/python$$v 2>/dev/null); do \
			if $$c -c "import sys" >/dev/null 2>&1; then py=$$c; break; fi; \
		done; \
		if [ -z "$$py" ]; then echo "python$$v: not on this machine, skipped"; continue; fi; \
		echo "== $$py"; \
		$$py -m venv .venv-$$v && .venv-$$v/bin/python -m pip install --quiet -e '.[dev,python]' \
			&& PYTHONFAULTHANDLER=1 .venv-$$v/bin/pytest -p no:cacheprovider || exit 1; \
	done

clean:
	rm -rf $(VENV) $(BENCH_VENV) .venv-3.12 .venv-3.13 .mypy_cache .pytest_cache .ruff_cache
