# One task runner; CI calls `make test`.
.PHONY: start test check lint typecheck unit bench

# Quick start 1: install everything and open lam on the embedded default model.
start:
	scripts/install.sh
	lam

# Quick start 2: install what the tests need, then lint, type-check and run the whole suite.
# Test models live in one shared cache (pulled once by the install step).
export LAM_MODELS_DIR ?= $(HOME)/.cache/lam/test-models

test:
	scripts/install.sh --test
	$(MAKE) check

check: lint typecheck unit

lint:
	ruff check .

typecheck:
	mypy

unit:
	python3 -m pytest -q -p no:cacheprovider

bench:
	for b in bench/*.py; do python3 $$b || exit 1; done
