# The README's commands. Everything runs from a virtual environment in .venv that these
# targets create and keep up to date; only Python 3.11+ is needed on the machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo bench bench-scale lint format clean bytecode

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# The project's own modules compiled to bytecode. An editable install has none, and with
# PYTHONDONTWRITEBYTECODE set nothing writes it later, so every new workflow instance would
# compile the workflow modules from source in its sandbox. Only changed files are compiled
# again; a stale file is never used (Python checks the source's time).
PACKAGES := workflows activities adapters domain worker starter runtime
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q $(PACKAGES) > /dev/null

run: bytecode
	$(BIN)/b2b up

test: bytecode
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

demo: bytecode
	$(BIN)/python -m starter.demo

# The bench's own modules too: the bare yardstick's workflow is re-imported per run.
bench: bytecode
	$(BIN)/python -m compileall -q bench > /dev/null
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Figures at size (docs/scaling.md): SCALE=large-order|open-lines|all, sizes in BENCH_ARGS,
# e.g. make bench-scale SCALE=open-lines BENCH_ARGS="--open-lines 1000 --workers 2".
SCALE ?= all
bench-scale: bytecode
	$(BIN)/python -m compileall -q bench > /dev/null
	$(BIN)/python -m bench.run --scale $(SCALE) $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache
	find $(PACKAGES) -name __pycache__ -type d -prune -exec rm -rf {} +
