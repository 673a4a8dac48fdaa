# Everything a fresh machine needs: `make extract DIR=samples` and `make test` create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DIR ?= samples
OUT ?= out
ARGS ?=

.PHONY: extract test venv clean

$(BIN)/jixiao: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/jixiao

extract: venv
	$(BIN)/jixiao extract "$(DIR)" --out "$(OUT)" $(ARGS)

test: venv
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
