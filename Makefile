# Freigabe: `make run` starts everything locally, `make test` checks everything.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAGE ?= dev
REQS := requirements.txt requirements-dev.txt
STAMP := $(VENV)/.installed-$(shell cat $(REQS) | sha1sum | cut -c1-12)
PYTEST_WORKERS ?= 2

.PHONY: install run test lint unit bench deploy package chromium verify clean

$(STAMP): $(REQS)
	@test -x $(PY) || python3 -m venv $(VENV)
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
	$(VENV)/bin/mypy --strict app.py chalicelib
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

clean:
	rm -rf $(VENV) .freigabe build out
