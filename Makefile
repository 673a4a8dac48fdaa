# Everything a fresh machine needs: `make extract DIR=samples` and `make test` create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DIR ?= samples
OUT ?= out
ARGS ?=
# The checked versions of every dependency (see constraints.txt); CONSTRAINTS= installs the newest instead.
CONSTRAINTS ?= constraints.txt
PIN := $(if $(CONSTRAINTS),-c $(CONSTRAINTS))

.PHONY: extract test bench eval venv camelot lock clean

$(BIN)/jixiao: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PIN) -e '.[test]'
	touch $@

venv: $(BIN)/jixiao

# The optional camelot engine (`--tables camelot`, and the bench's comparison). Not in the default
# install: it adds a second OpenCV build (opencv-python-headless) that writes over rapidocr's cv2.
camelot: venv
	$(BIN)/python -m pip install --quiet $(PIN) -e '.[test,camelot]'

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

# constraints.txt anew from what .venv holds now (after upgrading it on purpose: pip install -U …, then make test).
lock: venv
	{ sed -n '/^#/p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v -i -E '^(camelot-py|opencv-python-headless|pypdf|tabulate)=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
