# Freigabe: `make run` starts everything locally, `make test` checks everything.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAGE ?= dev
REQS := requirements.txt requirements-dev.txt
# The venv's Python is the Lambda runtime Chalice packages for (and compiles the bytecode the
# package ships), so it is the newest Python that both Chalice and Lambda support.
PYTHON_VERSION := 3.13
# The first that runs: on the PATH (a pyenv shim may exist but not be active), then pyenv's.
PYTHON ?= $(shell for p in $$(command -v python$(PYTHON_VERSION)) \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$(PYTHON_VERSION).*/bin/python$(PYTHON_VERSION) 2>/dev/null); \
	do "$$p" -c "" 2>/dev/null && echo "$$p" && break; done)
STAMP := $(VENV)/.installed-$(PYTHON_VERSION)-$(shell cat $(REQS) | sha1sum | cut -c1-12)
PYTEST_WORKERS ?= 2

.PHONY: install run test lint unit bench deploy package chromium verify figures workflow-export workflow-import clean

$(STAMP): $(REQS)
	@test -n "$(PYTHON)" || { echo "Freigabe needs Python $(PYTHON_VERSION) (Lambda's runtime): install it" \
		"(e.g. 'pyenv install $(PYTHON_VERSION)', or your system's python$(PYTHON_VERSION) package)" \
		"or name it: make PYTHON=/path/to/python$(PYTHON_VERSION) ..." >&2; exit 1; }
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != tuple(map(int, "$(PYTHON_VERSION)".split("."))))' \
		2>/dev/null || { rm -rf $(VENV); echo "Creating $(VENV) with $(PYTHON) ..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing Python packages into $(VENV) ..."
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt 2>&1 \
		| grep -v "is ignored: it is neither a file nor a directory" || true
	@$(PY) -c "import chalice, moto, slack_bolt, aws_lambda_powertools, playwright" \
		|| { echo "pip install failed" >&2; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

# Debian's Chromium for the browser tests; Playwright cannot download its own browser here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium ..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	@$(PY) -m dev.stack

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy --strict app.py chalicelib freigabe_verify
	$(VENV)/bin/mypy dev bench infra

# The browser counters' JS tests run inside pytest (tests/unit/test_limits_js.py, node --test).
test: install chromium lint
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

bench: install
	@$(PY) -m bench

package: install
	@$(PY) -m infra.package --stage $(STAGE)

deploy: install
	@$(PY) -m infra.deploy --stage $(STAGE)

# Check a post's audit timeline: make verify POST=<id> (against the table the environment names)
verify: install
	@$(PY) -m chalicelib.audit $(POST)

# Write a post's figures again from its timeline, after the relay's failure queue held one of its
# changes: make figures POST=<id>
figures: install
	@$(PY) -m chalicelib.figures $(POST)

# The workflow in the table as code (against the table the environment names):
# make workflow-export [VERSION=n] > workflow.toml; make workflow-import FILE=workflow.toml BY=<e-mail>
workflow-export: install
	@$(PY) -m dev.workflow_cli export $(if $(VERSION),--version $(VERSION))

workflow-import: install
	@$(PY) -m dev.workflow_cli import $(FILE) --by $(BY)

clean:
	rm -rf $(VENV) .freigabe build out
