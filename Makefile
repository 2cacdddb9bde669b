# One task runner; CI calls `make test`.
.PHONY: start test check lint typecheck unit smoke bench

# The commands the recipes run (a test replaces them to read what each recipe gives them).
INSTALL ?= scripts/install.sh
LAM ?= lam

# Quick start 1: install everything, prepare the planner models in your own lam home (their
# evaluated system prompts), and open lam on the embedded default model. Models go to lam's own
# models dir (`lam models list` prints it), never to the test cache below.
start:
	$(INSTALL)
	$(LAM) models prepare
	$(LAM)

# Quick start 2: install what the tests need, then lint, type-check and run the whole suite.
# Test models live in one shared cache (pulled once by the install step); only the test targets
# see it.
TEST_MODELS_DIR := $(HOME)/.cache/lam/test-models
test check unit smoke bench: export LAM_MODELS_DIR ?= $(TEST_MODELS_DIR)

test:
	$(INSTALL) --test
	$(MAKE) check

check: lint typecheck unit

lint:
	ruff check .

typecheck:
	mypy

unit:
	python3 -m pytest -q -p no:cacheprovider

# CI (.ci/run), after `make test`: lam installed without extras in a clean venv, then --help,
# doctor and plan --tools on the pulled test model.
smoke:
	scripts/smoke.sh

bench:
	for b in bench/*.py; do python3 $$b || exit 1; done
