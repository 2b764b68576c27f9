# mplat: `make synth` (set up, validate and synthesize specs/) and `make test` (set up, run all tests).
# Every target creates what it needs (.venv, node_modules, .venv-checkov) and is quick when run again.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
CHECKOV_VENV := .venv-checkov
# The CDK engine `make synth` (and `make bench`) use: cdktf (default) or cdktn (CDK Terrain).
# `make setup ENGINE=cdktn` installs CDK Terrain (requirements-cdktn.lock) beside cdktf and records
# the choice in $(VENV)/.engine, so that a later `make synth` uses it; `make setup ENGINE=cdktf`
# switches back. `make test` installs both and tests both, whatever the choice.
ENGINE_FILE := $(VENV)/.engine
ENGINE ?= $(or $(shell cat $(ENGINE_FILE) 2>/dev/null),cdktf)
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup engine bytecode synth validate test pytest lint checkov golden docs bench clean

setup: $(VENV)/.stamp node_modules/.stamp engine $(VENV)/.index-stamp bytecode

engine: $(VENV)/.stamp
	@case "$(ENGINE)" in cdktf) ;; cdktn) $(MAKE) --no-print-directory $(VENV)/.cdktn-stamp ;; \
	  *) echo "ENGINE=$(ENGINE): use cdktf or cdktn" >&2; exit 2 ;; esac
	@echo "$(ENGINE)" > $(ENGINE_FILE)

$(VENV)/.stamp: requirements.lock pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.lock
	$(VENV)/bin/pip install -q --no-deps --no-build-isolation -e .
	$(VENV)/bin/python -m generators.engine   # lazy jsii assemblies, once per venv (generators/engine.py)
	@touch $@

# mplat's own modules compiled once, as pip compiles an installed wheel's: the editable install
# leaves them as source, and with PYTHONDONTWRITEBYTECODE=1 (set on this machine) every `mplat`
# run would compile ~130 modules again (~55 ms of a 0.3 s validate). Both optimization levels:
# synth workers run with -O. Part of setup (a no-op when nothing changed: it compares mtimes).
bytecode: $(VENV)/.stamp
	$(VENV)/bin/python -m compileall -q -o 0 -o 1 compiler generators mplat newcomer operations review > /dev/null

# jsii's runtime index of each provider assembly, built once (generators/engine.py): without it
# every synth process parses the whole 130-155 MB assembly
$(VENV)/.index-stamp: $(VENV)/.stamp node_modules/.stamp
	$(VENV)/bin/python -m generators.engine --runtime-index
	@touch $@

# the second engine, CDK Terrain, beside cdktf in the same venv (make setup ENGINE=cdktn, make test)
$(VENV)/.cdktn-stamp: requirements-cdktn.lock $(VENV)/.stamp node_modules/.stamp
	$(VENV)/bin/pip install -q -r requirements-cdktn.lock
	$(VENV)/bin/python -m generators.engine   # its lazy jsii assemblies, once per venv
	$(VENV)/bin/python -m generators.engine --runtime-index
	@touch $@

# test-only packages (moto's server: tests/tfharness.py); `synth` never needs them
$(VENV)/.test-stamp: requirements-test.lock $(VENV)/.stamp
	$(VENV)/bin/pip install -q -r requirements-test.lock
	@touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CHECKOV_VENV)/.stamp: requirements-checkov.lock
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q -r requirements-checkov.lock
	@touch $@

## the main job: validate specs/ and synthesize every stack to cdktf.out/stacks/<stack>/cdk.tf.json
synth: setup
	MPLAT_ENGINE=$(ENGINE) $(VENV)/bin/mplat synth specs

validate: $(VENV)/.stamp bytecode
	$(VENV)/bin/mplat validate specs

## all tests: lint (ruff), unit, rule tables, golden snapshots, real cdktf synth, then the Checkov gate
test: setup $(VENV)/.cdktn-stamp $(VENV)/.test-stamp $(CHECKOV_VENV)/.stamp
	$(VENV)/bin/ruff check
	@$(VENV)/bin/python tests/tfharness.py check   # terraform + provider mirror (MPLAT_TF_MIRROR)
	$(VENV)/bin/python -m pytest
	$(VENV)/bin/python -m tools.checkov_gate --checkov $(CHECKOV_VENV)/bin/checkov

pytest: setup $(VENV)/.cdktn-stamp $(VENV)/.test-stamp
	@$(VENV)/bin/python tests/tfharness.py check
	$(VENV)/bin/python -m pytest

lint: $(VENV)/.test-stamp
	$(VENV)/bin/ruff check

checkov: setup $(CHECKOV_VENV)/.stamp
	$(VENV)/bin/python -m tools.checkov_gate --checkov $(CHECKOV_VENV)/bin/checkov

## regenerate golden snapshots and the spec reference (review the diff like code)
golden: setup
	$(VENV)/bin/python -m tools.update_golden

docs: $(VENV)/.stamp
	$(VENV)/bin/python -m tools.gen_docs

bench: setup $(VENV)/.cdktn-stamp
	$(VENV)/bin/python -m bench

clean:
	rm -rf cdktf.out .mplat-cache .pytest_cache
