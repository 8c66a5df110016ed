# framediff: `make report` runs the study, `make test` runs the test suite.
# Both create .venv (with the system python3) if it is missing and install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet

.PHONY: report test clean

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
	$(PY) -m analysis run --language en --language ru

test: $(VENV)/.installed-test
	$(PY) -m pytest

clean:
	rm -rf reports corpus/cache
