# The two commands a newcomer runs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= ¿Qué es Argilla y para qué sirve distilabel?

.PHONY: setup demo test lint clean

$(BIN)/pide-ayuda: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/pide-ayuda

## Ingest the bundled sample and answer one question on embedded defaults (no token, no LLM).
demo: setup
	$(BIN)/pide-ayuda ingest --source sample
	$(BIN)/pide-ayuda search "$(QUESTION)" -k 3
	$(BIN)/pide-ayuda ask "$(QUESTION)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot cogs store migrations tests bench
	$(BIN)/lint-imports

## Lint, type-check and run the whole test suite (the vLLM tier too when CI=true or VLLM=1).
test: lint
	@if [ "$(CI)" = "true" ] || [ "$(VLLM)" = "1" ]; then \
		url=$$(bash .ci/vllm.sh start) || exit 1; \
		PIDE_AYUDA_VLLM_URL=$$url $(BIN)/pytest -q -ra; status=$$?; \
		bash .ci/vllm.sh stop; exit $$status; \
	else \
		$(BIN)/pytest -q -ra; \
	fi

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
