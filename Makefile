# The two quick-start commands: `make preview` (offline preview of the dev stack) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make setup` installs gpufleet with its test tools; `make setup EXTRAS=` installs only gpufleet and what it
# runs on (the deploy workflow's jobs, which hold credentials, install nothing they do not run).
EXTRAS ?= test
STAMP := $(VENV)/.installed$(if $(EXTRAS),,-runtime)

.PHONY: setup preview test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "gpufleet needs Python 3.11+, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.$(if $(EXTRAS),[$(EXTRAS)])'
	@touch $@

preview: setup
	$(BIN)/gpufleet preview dev

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/preview.py
	$(BIN)/python bench/placement.py

clean:
	rm -rf $(VENV) *.egg-info
