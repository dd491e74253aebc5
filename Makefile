# Comptoir — `make demo` and `make test` are all a new machine needs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: demo serve worker test check lint typecheck fmt lock messages clean fuzz

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/comptoir migrate --no-input
	$(BIN)/comptoir demo
	$(BIN)/comptoir serve --port $(PORT)

serve: $(STAMP)
	$(BIN)/comptoir migrate --no-input
	$(BIN)/comptoir serve --port $(PORT)

worker: $(STAMP)
	$(BIN)/comptoir worker

test: $(STAMP)
	$(BIN)/pytest -m "not browser"

test-browser: $(STAMP)
	$(BIN)/pytest -m browser

# schemathesis over the whole API against a served demo: no operation may answer 5xx.
fuzz: $(STAMP)
	scripts/fuzz_api.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy comptoir tests $(wildcard bench)

check: lint typecheck
	$(BIN)/pytest

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the lock file after changing pyproject.toml (needs `pip install uv`).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

messages: $(STAMP)
	cd comptoir && ../$(BIN)/comptoir makemessages -l fr --no-obsolete && ../$(BIN)/comptoir compilemessages -l fr

clean:
	rm -rf $(VENV) var
