# framediff: `make report` runs the study, `make test` runs the test suite.
# Both create .venv (with the system python3) if it is missing and install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet

BENCH_VENV := .venv-bench
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_PIP := $(BENCH_PY) -m pip --disable-pip-version-check --quiet

.PHONY: report test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -e '.[test]'
	touch $@ $(VENV)/.installed

report: $(VENV)/.installed
	$(PY) -m analysis validate corpus
	$(PY) -m analysis summary corpus --out reports
	$(PY) -m analysis run --all-languages

test: $(VENV)/.installed-test
	$(PY) -m pytest

# Benchmarks install the peers (scattertext, convokit) into their own venv, never into .venv.
$(BENCH_VENV)/.installed: pyproject.toml benchmarks/requirements-peers.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PIP) install -e '.[dask]'
	$(BENCH_PIP) install --no-deps scattertext==0.2.2 convokit==5.0.0
	grep -v '^\(scattertext\|convokit\)==' benchmarks/requirements-peers.txt | $(BENCH_PIP) install -r /dev/stdin
	touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_PY) benchmarks/throughput.py
	$(BENCH_PY) benchmarks/throughput.py --split sentences
	$(BENCH_PY) benchmarks/agreement.py
	$(BENCH_PY) benchmarks/cache.py
	$(BENCH_PY) benchmarks/scaling.py
	$(BENCH_PY) benchmarks/dask_path.py
	$(BENCH_PY) benchmarks/copies.py
	$(BENCH_PY) benchmarks/study_scale.py 1000 5000 20000 100000
	$(BENCH_PY) benchmarks/report.py

clean:
	rm -rf reports corpus/cache
