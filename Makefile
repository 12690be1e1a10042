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

.PHONY: setup install train run test eval shell browser clean

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

run: setup
	$(BIN)/python -m bot run

# Debian's Chromium and ChromeDriver drive the web chat test headless.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

test: setup browser
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/python -m bot.evaluate $(if $(ABLATION),--ablation)

# A terminal chat with the assistant (Rasa shell plus the action server).
shell: setup
	@$(BIN)/python -m rasa_sdk --actions actions --port 5055 --quiet & pid=$$!; \
	  trap "kill $$pid" EXIT; \
	  $(BIN)/python -m rasa shell --model "$$($(BIN)/python -m bot model-path)" --endpoints endpoints.yml --quiet

clean:
	rm -rf models reports/*.json logs .pytest_cache
