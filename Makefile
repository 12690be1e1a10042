# `make run` and `make test` do everything on a fresh machine (see README.md).
PYVER   := $(shell cat .python-version)
PYTHON  ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/$(PYVER)/bin/python /root/.pyenv/versions/$(PYVER)/bin/python) $(shell command -v python3.10))
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat requirements.txt requirements.lock | sha256sum | cut -c1-12)
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: setup install train run test eval bench shell browser kannel services users clean

setup: install train

install: $(STAMP)

$(STAMP): requirements.txt requirements.lock .python-version
	@test -n "$(PYTHON)" || { echo "Python $(PYVER) not found (pyenv install $(PYVER))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check "pip<25" "setuptools==70.3.0" "wheel==0.45.1"
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt -c requirements.lock
	rm -f $(VENV)/.installed-* && touch $@

# Trains only when config, domain, training data or nlu/ changed (bot/model.py).
train: install
	$(BIN)/python -m bot train

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

# Debian's Kannel (bearerbox, smsbox) and kannel-extras (fakesmsc) for the SMS integration test;
# where they cannot be installed the test is skipped and says why.
kannel:
	@command -v bearerbox >/dev/null && test -x /usr/lib/kannel/test/fakesmsc || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kannel kannel-extras >/dev/null; } || \
	  echo "Kannel could not be installed: the SMS test will be skipped"

test: setup browser kannel services
	$(BIN)/python -m pytest

# Speed, load and memory on this machine: reports/bench.md and reports/bench.json (bot/bench.py).
bench: setup services
	$(BIN)/python -m bot.bench

eval: setup
	$(BIN)/python -m bot.evaluate $(if $(ABLATION),--ablation)

# A terminal chat with the assistant (Rasa shell plus the action server).
shell: setup
	@$(BIN)/python -m rasa_sdk --actions actions --port 5055 --quiet & pid=$$!; \
	  trap "kill $$pid" EXIT; \
	  $(BIN)/python -m rasa shell --model "$$($(BIN)/python -m bot model-path)" --endpoints endpoints.yml --quiet

clean:
	rm -rf models logs .pytest_cache  # reports/ stays: bench.md and bench.json are kept in git
