# `make run` and `make test` do everything on a fresh machine (see README.md).
#
# Two runtimes (docs/deploy.md, "Two runtimes"): Rasa's on Python 3.10, which Rasa 3.6 needs and
# which only ever listens on loopback; everything else (gateway, console, channels, handoff, action
# server, command-line tools) on a supported CPython with current libraries.
# Rasa's runtime keeps the name .venv and .python-version: the evaluation's triage contract runs
# `.venv/bin/python -m bot triage`.
RASA_PYVER     := $(shell cat .python-version)
SERVICES_PYVER := 3.12.1
find_python = $(firstword $(wildcard $(HOME)/.pyenv/versions/$(1)/bin/python /root/.pyenv/versions/$(1)/bin/python) $(shell command -v python$(basename $(1))))
RASA_VENV  := .venv
VENV       := .venv-services
RASA_BIN   := $(RASA_VENV)/bin
BIN        := $(VENV)/bin
RASA_STAMP := $(RASA_VENV)/.installed-$(shell cat requirements/rasa.txt requirements/rasa.lock | sha256sum | cut -c1-12)
AXE_STAMP  := node_modules/.installed-$(shell cat package-lock.json | sha256sum | cut -c1-12)
STAMP      := $(VENV)/.installed-$(shell cat requirements/services.txt requirements/services.lock | sha256sum | cut -c1-12)
export PYTHONPATH := $(CURDIR)
# The services start Rasa, train and evaluate with this interpreter (tools/model.py).
export RASA_PYTHON := $(CURDIR)/$(RASA_BIN)/python
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: setup install train run test eval bench shell browser axe kannel nginx services users versions audit clean

setup: install train

install: $(RASA_STAMP) $(STAMP)

# What each venv is bootstrapped with before its requirements (Rasa 3.6 builds need the old setuptools;
# rasa-sdk 3.21's grpcio-tools needs a new one).
RASA_BOOT     := "pip<25" "setuptools==70.3.0" "wheel==0.45.1"
SERVICES_BOOT := "pip<25" "setuptools==84.2.1" "wheel==0.45.1"

# $(1): venv, $(2): Python version, $(3): requirements/<name>, $(4): stamp, $(5): bootstrap pins
define make_venv
	@test -n "$(call find_python,$(2))" || { echo "Python $(2) not found (pyenv install $(2))"; exit 1; }
	test -x $(1)/bin/python || $(call find_python,$(2)) -m venv $(1)
	$(1)/bin/pip install -q --disable-pip-version-check $(5)
	$(1)/bin/pip install -q --disable-pip-version-check -r requirements/$(3).txt -c requirements/$(3).lock
	rm -f $(1)/.installed-* && touch $(4)
endef

$(RASA_STAMP): requirements/rasa.txt requirements/rasa.lock .python-version
	$(call make_venv,$(RASA_VENV),$(RASA_PYVER),rasa,$@,$(RASA_BOOT))

$(STAMP): requirements/services.txt requirements/services.lock
	$(call make_venv,$(VENV),$(SERVICES_PYVER),services,$@,$(SERVICES_BOOT))

# Trains only when config, domain, training data or nlu/ changed (tools/model.py).
# The urgency and category models are trained in each runtime (5 s each; their files name the runtime).
train: install
	$(RASA_BIN)/python -m bot train
	$(BIN)/python -m bot train --text-models

run: setup services
	$(BIN)/python -m bot run

# Redis (handoff queue, sessions) and, for the store tests, PostgreSQL: started when not reachable.
REDIS_UP = $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null
PG_UP = $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null
services: install
	@$(REDIS_UP) || { echo "starting redis-server on 127.0.0.1:6379"; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
	    --dir /tmp --logfile /tmp/redis-hotline.log; \
	  for i in 1 2 3 4 5 6 7 8 9 10; do $(REDIS_UP) && break; sleep 0.5; done; $(REDIS_UP); }
	@$(PG_UP) || { command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1 && \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || \
	  echo "PostgreSQL not reachable: the store tests run on SQLite only"; }

# Console accounts: make users ARGS='add lan --role counsellor --name "Lan"'
users: install
	$(BIN)/python -m handoff users $(ARGS)

# Debian's Chromium and ChromeDriver drive the web chat test headless.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

# axe-core from the npm registry, at the version package-lock.json pins, for the accessibility test
# (tests/accessibility.py injects node_modules/axe-core/axe.min.js into headless Chromium); Debian's
# npm when there is none. Test tooling only: the pages never load it.
axe: $(AXE_STAMP)

$(AXE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund
	test -f node_modules/axe-core/axe.min.js && touch $@

# Debian's Kannel (bearerbox, smsbox) and kannel-extras (fakesmsc) for the SMS integration test;
# where they cannot be installed the test is skipped and says why.
kannel:
	@command -v bearerbox >/dev/null && test -x /usr/lib/kannel/test/fakesmsc || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kannel kannel-extras >/dev/null; } || \
	  echo "Kannel could not be installed: the SMS test will be skipped"

# Debian's nginx runs the shipped deploy/nginx.conf in front of a gateway (tests/bot/test_front_door.py);
# where it cannot be installed the test is skipped and says why.
nginx:
	@test -x /usr/sbin/nginx || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; } || \
	  echo "nginx could not be installed: the front-door test will be skipped"

# Each test runs in its runtime: tests marked rasa_runtime in Rasa's, shared code's tests in both.
test: setup browser axe kannel nginx services
	$(RASA_BIN)/python -m pytest -m "rasa_runtime or shared"
	$(BIN)/python -m pytest -m "not rasa_runtime"

# Speed, load and memory on this machine: reports/bench.md and reports/bench.json (tools/bench.py).
bench: setup services
	$(BIN)/python -m tools.bench

eval: setup
	$(RASA_BIN)/python -m tools.evaluate $(if $(ABLATION),--ablation)

# A terminal chat with the assistant (Rasa shell plus the action server).
shell: setup
	@$(BIN)/python -m actions.server --port 5055 & pid=$$!; \
	  trap "kill $$pid" EXIT; \
	  $(RASA_BIN)/python -m rasa shell --model "$$($(RASA_BIN)/python -m bot model-path)" --endpoints endpoints.yml --quiet

# One line per runtime: its Python and the versions of its direct dependencies.
versions: install
	@$(RASA_BIN)/python -m tools.versions rasa requirements/rasa.txt
	@$(BIN)/python -m tools.versions services requirements/services.txt

# Advisories for both lock files (docs/deploy.md, "Keeping current"). pip-audit asks osv.dev;
# where only the package registries can be reached, it says so and fails instead of passing silently.
OSV_UP = .venv-audit/bin/python -c "import urllib.request, urllib.error; exec('try: urllib.request.urlopen(\'https://api.osv.dev/v1/query\', data=b\'{}\', timeout=5)\nexcept urllib.error.HTTPError: pass')" 2>/dev/null
audit:
	@test -x .venv-audit/bin/pip-audit || { $(call find_python,$(SERVICES_PYVER)) -m venv .venv-audit && .venv-audit/bin/pip install -q --disable-pip-version-check pip-audit==2.10.1; }
	@$(OSV_UP) || { echo "make audit: osv.dev cannot be reached from here, so no advisory check ran (docs/deploy.md, \"Keeping current\")"; exit 2; }
	.venv-audit/bin/pip-audit --vulnerability-service osv --no-deps --disable-pip -r requirements/services.lock
	.venv-audit/bin/pip-audit --vulnerability-service osv --no-deps --disable-pip -r requirements/rasa.lock

clean:
	rm -rf models logs .pytest_cache  # reports/ stays: bench.md and bench.json are kept in git
