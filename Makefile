# Everything a fresh machine needs: `make extract DIR=samples` and `make test` create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DIR ?= samples
OUT ?= out
ARGS ?=

.PHONY: extract test bench eval venv camelot clean

$(BIN)/jixiao: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/jixiao

# The optional camelot engine (`--tables camelot`, and the bench's comparison). Not in the default
# install: it adds a second OpenCV build (opencv-python-headless) that writes over rapidocr's cv2.
camelot: venv
	$(BIN)/python -m pip install --quiet -e '.[test,camelot]'

extract: venv
	$(BIN)/jixiao extract "$(DIR)" --out "$(OUT)" $(ARGS)

test: venv
	$(BIN)/python -m pytest -q

# Speed against pdfplumber, camelot and pypdfium2, side by side; writes bench/results.md (~2 min on 2 cores once the corpus is built).
bench: camelot
	$(BIN)/python bench/bench.py $(ARGS)

# Field-level accuracy over samples/ against samples/expected/*.json; a report, always exits 0.
eval: venv
	$(BIN)/python bench/eval.py $(ARGS)

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
