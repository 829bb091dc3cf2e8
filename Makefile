# The MNIST-with-Keras notebook series.  `make help` lists the targets.
SHELL := /bin/bash
# Another Python in its own venv, beside .venv:  make test PYTHON=python3.13 VENV=.venv-3.13
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

# nbval's options wherever it compares outputs: what differs between machines is sanitized (the file says what).
NBVAL_ARGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# Extra pytest arguments for `make test`, e.g. PYTEST_ARGS='-m "not browser"'.
PYTEST_ARGS ?=

# `make ... PYTHON=X` with a venv made by another Python would silently test that other one: refuse.
ifeq ($(origin PYTHON),command line)
  WANTED_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
  ifeq ($(WANTED_VERSION),)
    $(error PYTHON=$(PYTHON) does not run: give the path of a Python 3 interpreter, e.g. PYTHON=/usr/bin/python3.12)
  endif
  VENV_VERSION := $(shell test -x $(PY) && $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
  ifneq ($(VENV_VERSION),$(if $(VENV_VERSION),$(WANTED_VERSION)))
    $(error $(VENV) was made with Python $(VENV_VERSION), not $(WANTED_VERSION): add VENV=.venv-$(WANTED_VERSION) to keep both, or rm -rf $(VENV))
  endif
endif

# The series' notebooks: helpers.NOTEBOOK_PATTERN (its value, should Python not run here).
NOTEBOOK_PATTERN := $(or $(shell $(PYTHON) -c 'from helpers import NOTEBOOK_PATTERN as p; print(p)' 2>/dev/null),[0-9][0-9]_*.ipynb)
NOTEBOOKS := $(sort $(wildcard notebooks/$(NOTEBOOK_PATTERN)))
# Everything the notebooks read besides themselves: when one changes, `make run` executes the series again.
SERIES_INPUTS := $(wildcard helpers/*.py helpers/*.js helpers/*.css helpers/exercises/*.py notebooks/results/*.json notebooks/drawings/*)
# How to install Graphviz: one text, helpers/diagram.py's GRAPHVIZ_INSTALL (the notebooks and the setup check say the same).
GRAPHVIZ_INSTALL := $(or $(shell $(PYTHON) -c 'from helpers.diagram import GRAPHVIZ_INSTALL as t; print(t)' 2>/dev/null),see README.md, No Graphviz)
GRAPHVIZ_HINT := Graphviz's dot is missing. Install it: $(GRAPHVIZ_INSTALL)

.PHONY: help setup graphviz dot-required data run test test-session test-colab test-no-make wheel-check book lab bench experiments teaching-copies clean hub hub-setup hub-load

help:
	@echo "make run    set up, fetch MNIST, execute every notebook into outputs/"
	@echo "make test   set up, then unit tests and nbval over every notebook"
	@echo "            another Python beside .venv: make test PYTHON=/path/to/python3.13 VENV=.venv-3.13"
	@echo "make test-session  the unit tests, and a learner's whole session in JupyterLab within 2 GiB (needs chromium)"
	@echo "make test-colab  every notebook with Colab's package versions and Python (tests/colab-constraints.txt)"
	@echo "make test-no-make  the README's set-up without make, in a fresh copy and venv (a few minutes)"
	@echo "make wheel-check  every pin has wheels for Windows, macOS (Apple silicon) and Linux, on each Python"
	@echo "make book   the series as a static HTML site, from the stored notebooks, in outputs/book/ (offline)"
	@echo "            launch buttons to your class's hub: make book BOOK_HUB=https://your-hub"
	@echo "make lab    JupyterLab on the notebooks"
	@echo "make data   fetch and verify MNIST only (data/mnist.npz)"
	@echo "make bench  time the reference program, the series' training (with and without XLA), notebook 08's compiled loop, the compute floor, the convnet"
	@echo "make experiments  re-run the experiments of notebooks 10 and 11 into notebooks/results/ (about 20 minutes)"
	@echo "            one grid only: make experiments GRID=convnet (or GRID=dense)"
	@echo "make teaching-copies  the answer key and blank notebooks for live coding, in outputs/teaching/"
	@echo "make clean  remove outputs/ (keeps .venv and data/)"
	@echo "make hub    (as root) JupyterHub for a class on this machine; needs WORKSHOP_PASSWORD (see the instructor guide)"
	@echo "make hub-load  (as root) LEARNERS=8 simulated learners run the whole series on a real local hub; prints times and memory"
	@echo "            only notebooks 01 to NN: make hub-load THROUGH=NN"

# --- set-up -----------------------------------------------------------------
# The pinned requirements, then the series' own package (pyproject.toml) as an editable install, so that
# `import helpers` works from every notebook and reads the repository's files as they are edited.
$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

$(VENV)/.installed-tests: $(VENV)/.installed tests/requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q -r tests/requirements.txt
	@touch $@

$(VENV)/.installed-book: $(VENV)/.installed book/requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q -r book/requirements.txt
	@touch $@

# JupyterLab shuts a notebook's kernel down when its tab is closed (the same setting as on Binder).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/mnist-keras-tutorial.json
$(LAB_OVERRIDES): binder/lab_overrides.json $(VENV)/.installed
	@mkdir -p $(dir $@) && cp $< $@

setup: $(VENV)/.installed $(LAB_OVERRIDES) graphviz

# Graphviz is optional for learners (only notebook 07's two drawings need it): setup installs it where it
# can and otherwise says how.  `make run` and `make test` store or compare the drawings, so they need it.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Graphviz with apt-get..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
	    echo "Installing Graphviz with sudo apt-get..."; \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  fi; \
	  command -v dot >/dev/null 2>&1 || echo "Note: $(GRAPHVIZ_HINT) (optional: only notebook 07's drawings need it)"; }

dot-required:
	@command -v dot >/dev/null 2>&1 || { echo "$(GRAPHVIZ_HINT) (make run and make test need it: their outputs include the diagrams)"; exit 1; }

# --- the targets ----------------------------------------------------------------
data: $(VENV)/.installed
	@$(PY) -m helpers.data

# Re-executes the series only when a notebook or something it reads changed.
outputs/.run-complete: $(NOTEBOOKS) $(SERIES_INPUTS) $(VENV)/.installed
	$(PY) -m tools.execute_series
	@touch $@

run: setup dot-required data outputs/.run-complete
	@$(PY) -m tools.execute_series --summary

# The unit tests, the browser tests (tests/test_book.py among them: it builds the book and checks it), and nbval
# executing every notebook once, the two side by side: the unit tests in their own outputs folder
# (outputs/unit-tests), so that neither reads a file the other is writing; their report follows nbval's.
test: setup dot-required data $(VENV)/.installed-tests $(VENV)/.installed-book
	@mkdir -p outputs
	@MNIST_OUTPUTS_DIR=$(CURDIR)/outputs/unit-tests $(PY) -m pytest -p no:cacheprovider -m "not session and not laptop" \
	  $(PYTEST_ARGS) tests > outputs/test-unit.log 2>&1 & unit=$$!; \
	$(PY) -m pytest -p no:cacheprovider $(NBVAL_ARGS) $(PYTEST_ARGS) notebooks; notebooks=$$?; \
	wait $$unit; units=$$?; echo "--- the unit tests (tests/, outputs in outputs/unit-tests):"; cat outputs/test-unit.log; \
	test $$units = 0 && test $$notebooks = 0

# The unit tests, and beside them a learner's whole session in JupyterLab within Binder's 2 GiB (headless
# Chromium runs every notebook once, by the "Next" links; its own outputs/ folder, its report printed after
# the unit tests'): what CI runs with its second Python, instead of nbval there.
test-session: setup dot-required data $(VENV)/.installed-tests
	@mkdir -p outputs
	@$(PY) -m pytest -p no:cacheprovider -m session $(PYTEST_ARGS) tests > outputs/test-session.log 2>&1 & session=$$!; \
	$(PY) -m pytest -p no:cacheprovider -m "not browser and not laptop" $(PYTEST_ARGS) tests; unit=$$?; \
	wait $$session; whole=$$?; echo "--- the 2 GiB session (tests/test_session_memory.py):"; cat outputs/test-session.log; \
	test $$unit = 0 && test $$whole = 0

# Colab's own package versions (tests/colab-constraints.txt) with Colab's Python, in .venv-colab: the setup
# check must say ✔ for them, and every notebook must run without an error (nbval --nbval-lax: outputs made with
# other versions are not compared). Not in CI (it executes the series a third time): run it when Colab moves.
COLAB_PYTHON ?= python3.13
COLAB_VENV := .venv-colab
test-colab: dot-required data
	@command -v $(COLAB_PYTHON) >/dev/null 2>&1 || { echo "Colab runs Python 3.13: give its path, e.g. make test-colab COLAB_PYTHON=~/.pyenv/versions/3.13.0/bin/python3.13"; exit 1; }
	@test -x $(COLAB_VENV)/bin/python || $(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --disable-pip-version-check -q -r tests/colab-constraints.txt
	$(COLAB_VENV)/bin/python -m pip install --disable-pip-version-check -q -c tests/colab-constraints.txt \
	  $$(grep -E '^(nbval|pytest)==' requirements.txt)
	$(COLAB_VENV)/bin/python -m helpers.check | tee outputs/test-colab-check.txt
	@grep -q "^✔ Packages .*Colab's versions" outputs/test-colab-check.txt || { echo "the setup check does not recognise Colab's versions"; exit 1; }
	$(COLAB_VENV)/bin/python -m pytest -p no:cacheprovider --nbval-lax --nbval-current-env notebooks

# The README's set-up without make (macOS and Linux lines) in a fresh copy and venv, then notebook 05 executed.
test-no-make: $(VENV)/.installed-tests data
	$(PY) -m pytest -p no:cacheprovider -m laptop -rs tests/test_no_make.py

# Every pin of requirements.txt has binary wheels for Windows, Apple-silicon macOS and Linux on each supported
# Python: uv resolves them for those platforms from the index, without installing anything (CI runs it).
wheel-check: $(VENV)/.installed-tests
	$(PY) -m tools.wheel_check

# The book: a static site from the stored notebooks (never executed), the README and the instructor guide, built
# by Sphinx with myst-nb without the network (tools/book.py, book/conf.py). BOOK_HUB: the hub of its launch buttons.
BOOK_HUB ?=
book: $(VENV)/.installed-book
	@BOOK_HUB='$(BOOK_HUB)' $(PY) -m tools.book

# JupyterLab also works without Graphviz (the diagram cells then say how to install it).
lab: $(VENV)/.installed $(LAB_OVERRIDES) data
	@command -v dot >/dev/null 2>&1 || echo "Note: $(GRAPHVIZ_HINT)"
	$(VENV)/bin/jupyter lab notebooks

bench: setup data
	$(PY) -m tools.bench

# Not part of `make test`: re-runs every experiment of helpers/experiments.py (about 20 minutes on 2 cores)
# and rewrites the committed results files that notebooks 10 and 11 show.
GRID ?=
experiments: setup data
	$(PY) -m helpers.experiments $(GRID)

# The instructor's answer key and blank notebooks for live coding, made from the notebooks and checkers.
teaching-copies: $(VENV)/.installed
	$(PY) -m tools.teaching_copies

clean:
	rm -rf outputs

# --- JupyterHub for a class (workshop/; the instructor guide explains it) ----------------
# The learners' environment, the proxy and a copy of MNIST go in WORKSHOP_HOME, readable by every
# learner's system user; the venv uses the system Python, which every user can run.
WORKSHOP_HOME ?= /opt/mnist-keras-workshop
HUB_PYTHON ?= /usr/bin/python3
HUB_VENV := $(WORKSHOP_HOME)/venv
CHP_VERSION := 4.6.3
LEARNERS ?= 8

$(HUB_VENV)/.installed: requirements.txt workshop/requirements.txt
	@test "$$(id -u)" = 0 || { echo "error: the class hub installs into $(WORKSHOP_HOME) and runs learners as system users: run it as root (sudo make $(MAKECMDGOALS))"; exit 1; }
	@test -x $(HUB_VENV)/bin/python || $(HUB_PYTHON) -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt -r workshop/requirements.txt
	@touch $@

$(WORKSHOP_HOME)/proxy/node_modules/.bin/configurable-http-proxy:
	npm install --silent --no-audit --no-fund --prefix $(WORKSHOP_HOME)/proxy configurable-http-proxy@$(CHP_VERSION)

# The learners read MNIST from here (MNIST_DATA_DIR), verified; copied from data/ when it is there.
$(WORKSHOP_HOME)/data/mnist.npz: $(HUB_VENV)/.installed
	@mkdir -p $(WORKSHOP_HOME)/data
	@if [ -f data/mnist.npz ]; then cp data/mnist.npz $(WORKSHOP_HOME)/data/; fi
	MNIST_DATA_DIR=$(WORKSHOP_HOME)/data $(HUB_VENV)/bin/python -m helpers.data
	@chmod 755 $(WORKSHOP_HOME) $(WORKSHOP_HOME)/data && chmod 644 $@

hub-setup: $(HUB_VENV)/.installed $(WORKSHOP_HOME)/proxy/node_modules/.bin/configurable-http-proxy $(WORKSHOP_HOME)/data/mnist.npz graphviz

hub: hub-setup
	WORKSHOP_HOME=$(WORKSHOP_HOME) $(HUB_VENV)/bin/jupyterhub -f workshop/jupyterhub_config.py

hub-load: hub-setup
	WORKSHOP_HOME=$(WORKSHOP_HOME) $(HUB_VENV)/bin/python workshop/load_test.py --learners $(LEARNERS) $(if $(THROUGH),--through $(THROUGH))
