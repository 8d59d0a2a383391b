# Compliance Reports: every developer and CI command goes through this file.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# jsii prints a banner on every synth unless the variable names the Node.js major version.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
STAGE ?= dev
CONTEXT ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets with a line each
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

LOCAL_STAMP := $(VENV)/.installed-local

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The demo needs only the runtime and the local stack; tests add the CDK and the linters.
$(LOCAL_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[local]'
	touch $(LOCAL_STAMP)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $(LOCAL_STAMP)

.PHONY: install
install: $(STAMP) ## Create .venv and install the project with its development tools

.PHONY: demo
demo: $(LOCAL_STAMP) ## Run the local stack, generate one report of each type and save them in reports/
	$(BIN)/compliance-local demo --out reports

.PHONY: serve
serve: $(LOCAL_STAMP) ## Run the local stack with demo data on http://127.0.0.1:8000
	$(BIN)/compliance-local serve

.PHONY: lint
lint: $(STAMP) ## Run ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy layers infra/local functions tests infra/app.py infra/stack

.PHONY: openapi
openapi: $(STAMP) ## Regenerate openapi.json from the API routes
	$(BIN)/python -m compliance_local.openapi > openapi.json

.PHONY: layer
layer: $(STAMP) ## Build the Lambda layer into build/layer (pip, arm64 wheels, no Docker); skipped when up to date
	$(BIN)/python -m infra.stack.layer

.PHONY: synth
synth: layer ## Synthesize the AWS stack into cdk.out/ and run cdk-nag, with no AWS account (STAGE=dev|prod)
	$(BIN)/python infra/app.py -c stage=$(STAGE) $(CONTEXT)

.PHONY: deploy
deploy: layer ## Deploy with the CDK CLI: make deploy STAGE=prod CONTEXT="-c jwtIssuer=... -c jwtAudience=..."
	cd infra && npx --yes aws-cdk@2 deploy -c stage=$(STAGE) $(CONTEXT)

.PHONY: schemas
schemas: $(STAMP) ## Regenerate the report JSON Schemas in docs/schemas from the models
	$(BIN)/python -m compliance_local.schemas

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

.PHONY: bench
bench: $(BENCH_STAMP) ## Benchmark report generation on recorded DynamoDB pages at 100k and 1M events (docs/benchmarks.md)
	$(BIN)/python -m bench.run

.PHONY: screenshots
screenshots: $(STAMP) ## Retake the dashboard screenshots in docs/images (needs chromium)
	DASHBOARD_SCREENSHOTS=docs/images $(BIN)/pytest tests/e2e/test_dashboard.py -k admin_generates

.PHONY: test
test: $(STAMP) ## Run the tests, ruff, mypy and the OpenAPI drift check
	$(BIN)/pytest
	$(MAKE) --no-print-directory lint

.PHONY: clean
clean: ## Remove the virtual environment, caches and generated reports
	rm -rf $(VENV) build cdk.out reports .mypy_cache .ruff_cache .pytest_cache
