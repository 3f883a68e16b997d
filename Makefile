# civicline — every developer and CI command. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON312 := $(shell scripts/find_python312.sh)
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
export PYTHONPATH := $(CURDIR)/layers/civicline:$(CURDIR)/scripts
# sam build looks for python3.12 on PATH.
SAM := PATH="$(dir $(PYTHON312)):$$PATH" $(SAM_VENV)/bin/sam
REGIONS := ap-northeast-1 ap-northeast-3
MODE ?= normal

.PHONY: help setup fonts lint test test-unit test-integration test-e2e local demo bench build deploy \
        events richmenu richmenu-images broadcast report export clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt layers/civicline/requirements.txt
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet -r requirements-sam.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON312) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet -r requirements-checkov.txt
	touch $@

setup: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed fonts ## create the virtualenvs and install everything

fonts: ## the CJK font the rich menu images are drawn with (Debian's fonts-noto-cjk)
	@scripts/install_fonts.sh

lint: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed ## ruff, mypy, cfn-lint, sam validate, checkov
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/civicline/civicline scripts tests
	for fn in functions/*/; do $(VENV)/bin/mypy "$$fn" || exit 1; done
	$(VENV)/bin/cfn-lint --regions $(REGIONS) -- template.yaml
	$(SAM) validate --lint --region ap-northeast-1 -t template.yaml
	$(CHECKOV_VENV)/bin/checkov -f template.yaml --framework cloudformation --skip-download --compact --quiet

test-unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit -q

test-integration: $(VENV)/.installed
	$(PY) -m pytest tests/integration -q

test-e2e: $(VENV)/.installed
	$(PY) -m pytest tests/e2e -q

test: setup lint test-unit test-integration test-e2e ## lint and every test (what CI runs)

local: $(VENV)/.installed ## the whole system on this machine, in the foreground (Ctrl-C stops it)
	$(PY) -m devstack

demo: $(VENV)/.installed ## the whole story on the local stack, told in plain words
	$(PY) -m devtools.demo

bench: $(VENV)/.installed ## benchmarks: prints figures and writes .bench/results.json
	$(PY) -m bench

events: $(VENV)/.installed ## regenerate the signed samples in events/
	$(PY) -m devtools.make_events

build: $(SAM_VENV)/.installed ## sam build (arm64 wheels from PyPI, no container)
	$(SAM) build

deploy: build ## sam deploy to ap-northeast-1 (samconfig.toml; add ARGS=--guided the first time)
	$(SAM) deploy $(ARGS)

richmenu-images: $(VENV)/.installed fonts ## redraw the rich menu PNGs from their definition
	$(PY) -m richmenu.render

LINE_HOST ?= http://127.0.0.1:3001
richmenu: $(VENV)/.installed ## deploy both rich menus, set the default (MODE=disaster switches; LINE_HOST, ARGS)
	$(PY) -m richmenu.deploy --mode $(MODE) --line-host $(LINE_HOST) $(ARGS)

broadcast: $(VENV)/.installed ## send (or DRY_RUN=1 count) a segmented broadcast: REQUEST=file
	$(PY) -m broadcast_cli send $(REQUEST) $(if $(DRY_RUN),--dry-run,) $(ARGS)

report: $(VENV)/.installed ## print a broadcast's report: BROADCAST_ID=...
	$(PY) -m broadcast_cli report $(BROADCAST_ID) $(ARGS)

export: $(VENV)/.installed ## staff export: prints a short-lived link (FORM, ENCODING=cp932, FROM/TO, LINK=<export id>)
	$(PY) scripts/export_cli.py $(if $(FORM),--form $(FORM)) $(if $(ENCODING),--encoding $(ENCODING)) \
	  $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO)) $(if $(LINK),--link $(LINK)) $(ARGS)

clean: ## remove build output and caches (not the virtualenvs)
	rm -rf .aws-sam .bench .devstack .pytest_cache .mypy_cache .ruff_cache .hypothesis
