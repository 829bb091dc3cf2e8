# The MNIST-with-Keras notebook series.  `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
HELPERS := $(wildcard helpers/*.py)
GRAPHVIZ_HINT := Graphviz's dot is missing. Install it: Debian/Ubuntu: sudo apt-get install graphviz | macOS: brew install graphviz | conda: conda install -c conda-forge graphviz

.PHONY: help setup graphviz data run test lab bench clean

help:
	@echo "make run    set up, fetch MNIST, execute every notebook into outputs/"
	@echo "make test   set up, then unit tests and nbval over every notebook"
	@echo "make lab    JupyterLab on the notebooks"
	@echo "make data   fetch and verify MNIST only (data/mnist.npz)"
	@echo "make bench  time the plain reference program against the series' training"
	@echo "make clean  remove outputs/ (keeps .venv and data/)"

# --- set-up -----------------------------------------------------------------
# The .pth file puts the repository on the venv's import path, so `import helpers`
# works from every notebook (the equivalent of an editable install).
$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'mnist_tutorial.pth').write_text('$(CURDIR)\n')"
	@touch $@

$(VENV)/.installed-tests: $(VENV)/.installed tests/requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q -r tests/requirements.txt
	@touch $@

setup: $(VENV)/.installed graphviz

graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Graphviz with apt-get..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    echo "Installing Graphviz with sudo apt-get..."; \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  fi; \
	  command -v dot >/dev/null 2>&1 || { echo "$(GRAPHVIZ_HINT)"; exit 1; }; }

# --- the targets ----------------------------------------------------------------
data: $(VENV)/.installed
	@$(PY) -m helpers.data

# Re-executes the series only when a notebook or a helper changed.
outputs/.run-complete: $(NOTEBOOKS) $(HELPERS) $(VENV)/.installed
	$(PY) -m helpers.run
	@touch $@

run: setup data outputs/.run-complete
	@$(PY) -m helpers.run --summary

test: setup data $(VENV)/.installed-tests
	$(PY) -m pytest -p no:cacheprovider --nbval --nbval-current-env tests notebooks

# JupyterLab also works without Graphviz (the diagram cells then say how to install it).
lab: $(VENV)/.installed data
	@command -v dot >/dev/null 2>&1 || echo "Note: $(GRAPHVIZ_HINT)"
	$(VENV)/bin/jupyter lab notebooks

bench: setup data
	$(PY) tests/bench.py

clean:
	rm -rf outputs
