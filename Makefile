# civicline — every developer and CI command. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON312 := $(shell scripts/find_python312.sh)
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
# The layer as the functions see it, and the checkout's root for staff/ and tools/ (python -m staff...).
# The local stack (tools/devstack) is a package of its own, installed into the venv (editable).
export PYTHONPATH := $(CURDIR)/layers/civicline:$(CURDIR)
# sam build looks for python3.12 on PATH.
SAM := PATH="$(dir $(PYTHON312)):$$PATH" $(SAM_VENV)/bin/sam
REGIONS := ap-northeast-1 ap-northeast-3
MODE ?= normal
# JUnit XML of the last test run, read by make privacy-report.
TEST_RESULTS := .test-results

.PHONY: help setup fonts chromium lock audit lint test test-unit test-devstack test-integration test-e2e local demo bench build \
        deploy events richmenu richmenu-images broadcast report cancel-broadcast export privacy-report graphviz clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

# The venv is installed from the lock only: every package pinned, each file checked against its hash.
# The local stack is installed editable (`import devstack` is this checkout's tools/devstack); its
# dependencies are the ones pinned in requirements-dev.txt.
$(VENV)/.installed: requirements-dev.txt tools/devstack/pyproject.toml
	test -x $(PY) || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e tools/devstack
	touch $@

# pip-audit reads advisories from PyPI's JSON API (OSV data). An index that serves only packages (a mirror,
# an offline machine) has none: the audit says so and is skipped rather than passing silently.
ADVISORY_PROBE := https://pypi.org/pypi/pip-audit/2.10.1/json
audit: $(VENV)/.installed ## audit both locks for known vulnerabilities (skipped, saying so, without advisory data)
	@if $(PY) -c "import urllib.request as u; u.urlopen('$(ADVISORY_PROBE)', timeout=15)" 2>/dev/null; then \
	  $(VENV)/bin/pip-audit --progress-spinner off --disable-pip --require-hashes -r layers/civicline/requirements.txt && \
	  $(VENV)/bin/pip-audit --progress-spinner off --disable-pip --require-hashes -r requirements-dev.txt; \
	else \
	  echo "audit SKIPPED: no advisory data reachable ($(ADVISORY_PROBE) does not answer); CI on GitHub runs it"; \
	fi

UV_COMPILE := $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.12 --custom-compile-command "make lock"
lock: $(VENV)/.installed ## re-pin requirements-dev.txt and the layer's requirements.txt (with hashes) from their .in files
	$(UV_COMPILE) --universal requirements-dev.in -o requirements-dev.txt
# The layer is what Lambda runs: resolved for arm64 Linux, at the versions the tests run against.
	$(UV_COMPILE) --python-platform aarch64-manylinux2014 -c requirements-dev.txt \
	  layers/civicline/requirements.in -o layers/civicline/requirements.txt

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

setup: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed fonts graphviz chromium ## create the virtualenvs and install everything

fonts: ## the Noto fonts the rich menu images are drawn with, per script (Debian's fonts-noto-cjk, fonts-noto-core)
	@scripts/install_fonts.sh

chromium: ## the headless browser the staff console's tests drive (Debian's chromium)
	@scripts/install_chromium.sh

graphviz: ## Graphviz (Debian's graphviz), which draws the privacy report's data-flow diagram
	@tools/privacy_report/install_graphviz.sh

lint: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed ## ruff, mypy, cfn-lint, sam validate, checkov, actionlint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/civicline/civicline staff tools/bench tools/demo.py tools/privacy_report scripts tests
	$(VENV)/bin/mypy tools/devstack/src tools/devstack/tests
	for fn in functions/*/; do $(VENV)/bin/mypy "$$fn" || exit 1; done
	$(VENV)/bin/cfn-lint --regions $(REGIONS) -- template.yaml
	$(SAM) validate --lint --region ap-northeast-1 -t template.yaml
	$(CHECKOV_VENV)/bin/checkov -f template.yaml --framework cloudformation --skip-download --compact --quiet
	$(VENV)/bin/actionlint -color=false

test-unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit -q --junitxml=$(TEST_RESULTS)/unit.xml

test-devstack: $(VENV)/.installed ## the local stack's own tests (tools/devstack/tests, its own pytest config)
	cd tools/devstack && $(CURDIR)/$(PY) -m pytest -q --junitxml=$(CURDIR)/$(TEST_RESULTS)/devstack.xml

test-integration: $(VENV)/.installed
	$(PY) -m pytest tests/integration -q --junitxml=$(TEST_RESULTS)/integration.xml

test-e2e: $(VENV)/.installed
	$(PY) -m pytest tests/e2e -q --junitxml=$(TEST_RESULTS)/e2e.xml

test: setup lint audit test-unit test-devstack test-integration test-e2e ## lint and every test (what CI runs)

local: $(VENV)/.installed ## the whole system on this machine, in the foreground (Ctrl-C stops it)
	$(PY) -m devstack

demo: $(VENV)/.installed ## the whole story on the local stack, told in plain words
	$(PY) -m tools.demo

bench: $(VENV)/.installed ## benchmarks: prints figures and writes .bench/results.json
	$(PY) -m tools.bench

events: $(VENV)/.installed ## regenerate the signed samples in events/
	$(PY) scripts/make_events.py

BUILD := .aws-sam/build
build: $(SAM_VENV)/.installed ## sam build (the layer from its hashed lock, arm64 wheels from PyPI), then precompile
	$(SAM) build
# The layer precompiles itself (layers/civicline/Makefile); the functions' code is precompiled here, for
# the same reason: Lambda's /var/task is read-only too. Unchecked hashes: a deployed artefact never changes.
	for fn in $(BUILD)/*Function; do \
	  $(PYTHON312) -m compileall -q --invalidation-mode unchecked-hash -s "$$fn" -p /var/task "$$fn" || exit 1; \
	done

ENV ?= dev
deploy: build ## sam deploy ENV=dev|stg|prod (samconfig.toml; ARGS=--guided the first time: README checklist)
	$(SAM) deploy --config-env $(ENV) $(ARGS)

richmenu-images: $(VENV)/.installed fonts ## redraw the rich menu PNGs of every language and their contact sheet in docs/
	$(PY) -m staff.richmenu.render
	$(PY) -m staff.richmenu.sheet

LINE_HOST ?= http://127.0.0.1:3001
richmenu: $(VENV)/.installed ## deploy both rich menus per language, set the default, relink residents (MODE=disaster switches; LINE_HOST, USERS_TABLE, ARGS)
	$(PY) -m staff.richmenu.deploy --mode $(MODE) --line-host $(LINE_HOST) $(if $(USERS_TABLE),--users-table $(USERS_TABLE)) $(ARGS)

broadcast: $(VENV)/.installed ## send (or DRY_RUN=1 count) a segmented broadcast: REQUEST=file
	$(PY) -m staff.broadcast_cli send $(REQUEST) $(if $(DRY_RUN),--dry-run,) $(ARGS)

report: $(VENV)/.installed ## print a broadcast's report: BROADCAST_ID=...
	$(PY) -m staff.broadcast_cli report $(BROADCAST_ID) $(ARGS)

cancel-broadcast: $(VENV)/.installed ## cancel a scheduled broadcast before its time: BROADCAST_ID=...
	$(PY) -m staff.broadcast_cli cancel $(BROADCAST_ID) $(ARGS)

export: $(VENV)/.installed ## staff export: prints a short-lived link (FORM, ENCODING=cp932, LINK=<export id>; periods: staff console)
	$(PY) -m staff.export_cli $(if $(FORM),--form $(FORM)) $(if $(ENCODING),--encoding $(ENCODING)) \
	  $(if $(FROM),--from $(FROM)) $(if $(TO),--to $(TO)) $(if $(LINK),--link $(LINK)) $(ARGS)

privacy-report: $(VENV)/.installed ## the privacy council's dossier: privacy-report/index.html (+ .pdf with Chromium)
	$(PY) -m tools.privacy_report

clean: ## remove build output and caches (not the virtualenvs)
	rm -rf .aws-sam .bench .devstack .pytest_cache .mypy_cache .ruff_cache .hypothesis $(TEST_RESULTS) privacy-report
