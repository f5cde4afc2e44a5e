# Two commands: `make run` starts the app, `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format check-fast bench chromium nginx redis clean train

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.app

run: $(VENV)/.app
	$(BIN)/python -m streamlit run app.py --server.port $(PORT)

chromium:
	@bash .ci/ensure-chromium

nginx:
	@bash .ci/ensure-nginx

redis:
	@bash .ci/ensure-redis

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(VENV)/.dev chromium nginx redis lint
	$(BIN)/python -m pytest -q -n 2

check-fast: $(VENV)/.dev lint
	$(BIN)/python -m pytest -q -n 2 -m "not e2e"

bench: $(VENV)/.dev chromium
	$(BIN)/python bench/core.py
	$(BIN)/python bench/latency.py --write docs/performance.md
	$(BIN)/python bench/sessions.py --ns 40,80 --browsers 2 --duration 60 --write docs/performance.md

# The trained models of the "trained model" page: PyTorch (CPU) in its own venv, never the app's.
TRAIN_VENV ?= .venv-train
$(TRAIN_VENV)/.train: requirements-train.txt
	$(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install -q -r requirements-train.txt
	touch $@

train: $(TRAIN_VENV)/.train
	$(TRAIN_VENV)/bin/python models/train.py
	$(TRAIN_VENV)/bin/python models/evaluate.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
