# The front door: `make booklet` and `make test` set everything up themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
SOURCE ?= sheets
OUT ?= build

.PHONY: booklet web check test install-check lint schema preview print preflight imposed cards bench watch clean system

booklet: $(STAMP) system
	$(BIN)/transfo-print build $(SOURCE) --out $(OUT)

# The web edition: a static site of the sheets in $(OUT)/web, offering the PDFs just built.
web: booklet
	$(BIN)/transfo-print web $(SOURCE) --out $(OUT)/web

check: $(STAMP)
	$(BIN)/transfo-print check $(SOURCE)

test: $(STAMP) system
	$(BIN)/ruff check transfo_print tests
	HYPOTHESIS_STORAGE_DIRECTORY=$${TMPDIR:-/tmp}/transfo-print-hypothesis $(BIN)/pytest -q -n auto --dist loadfile --durations=12

# The wheel installed in a fresh environment outside the checkout builds a publication.
install-check:
	bash .ci/install-check

preview: booklet
	$(BIN)/transfo-print preview --source $(SOURCE) --build $(OUT) --out $(OUT)/preview

# Print production: the print shop's booklet, office-printer booklets, workshop cards.
# The print shop's file is checked as the shop would; a fail stops here.
print: $(STAMP) system
	$(BIN)/transfo-print build $(SOURCE) --out $(OUT) --press
	$(BIN)/transfo-print preflight --source $(SOURCE) --build $(OUT)

preflight: $(STAMP)
	$(BIN)/transfo-print preflight --source $(SOURCE) --build $(OUT)

# The A4 booklet two-up on A3, and the booklet laid out for A5 two-up on A4.
imposed: booklet
	$(BIN)/transfo-print build $(SOURCE) --out $(OUT) --paper a5
	$(BIN)/transfo-print impose --source $(SOURCE) --build $(OUT) --out $(OUT)/print

cards: $(STAMP) system
	$(BIN)/transfo-print cards $(SOURCE) --out $(OUT)/print

# Speed, as ratios to the plain-text floor measured in the same run: BENCHMARKS.md
# (6 to 20 minutes on 2 idle cores, by machine; BENCH_RUNS, BENCH_LARGE, BENCH_HUGE:
# benchmarks/run.py). It installs Typst first, for the reference it gives beside the floor.
bench: $(BENCH_STAMP) system
	$(BIN)/python -m benchmarks.run

# Rebuild what changed each time a sheet is saved.
watch: $(STAMP) system
	$(BIN)/transfo-print watch $(SOURCE) --out $(OUT)

schema: $(STAMP)
	$(BIN)/transfo-print schema $(SOURCE)

# The virtual environment, with the exact versions the golden images were made with.
# Installs say nothing but errors: the build backend's notes on editable installs (where it
# looks the package up) are not a user's concern.
PIP_INSTALL := $(BIN)/pip install -qq
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -c constraints.txt -e '.[test]'
	touch $(STAMP)

# The bench's extra: Typst, for its reference beside the floor. Without it the bench still
# runs, and says that reference was not measured.
# The stamp is left only after an install that worked: a failed one is tried again next time.
$(BENCH_STAMP): $(STAMP)
	$(PIP_INSTALL) -c constraints.txt -e '.[test,bench]' && touch $(BENCH_STAMP) || \
	  echo "make bench: typst could not be installed; the bench leaves its reference out"

# WeasyPrint needs Pango (and HarfBuzz's subsetter to embed fonts quickly).
system: $(STAMP)
	@$(BIN)/python -m transfo_print.system

clean:
	rm -rf $(OUT) .pytest_cache
