# Hearth: one entry point for running, testing and checking the workspace.
# `make help` lists the targets. Ports and the state directory follow the same
# HEARTH_* variables as deploy/local/*.sh (e.g. `make up HEARTH_KAFKA_PORT=29092`).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# uv may live in ~/.local/bin (pip install --user uv) on a fresh machine.
export PATH := $(HOME)/.local/bin:$(PATH)

export HEARTH_RUN_DIR := $(or $(HEARTH_RUN_DIR),$(CURDIR)/.run)
export HEARTH_KAFKA_PORT := $(or $(HEARTH_KAFKA_PORT),19092)
export HEARTH_KAFKA_CONTROLLER_PORT := $(or $(HEARTH_KAFKA_CONTROLLER_PORT),19093)
export HEARTH_PG_PORT := $(or $(HEARTH_PG_PORT),15432)
export HEARTH_HTTP_PORT_BASE := $(or $(HEARTH_HTTP_PORT_BASE),8100)

KAFKA_BOOTSTRAP := 127.0.0.1:$(HEARTH_KAFKA_PORT)
DATABASE_URL_LOCAL := postgresql://hearth@127.0.0.1:$(HEARTH_PG_PORT)/hearth
SERVICES := intake cases risk referrals reporting
LOCAL := deploy/local
UV_RUN := uv run --no-sync
PYTEST_ARGS ?=

.PHONY: help bootstrap up down test lint fmt topics schemas k8s-policy status clean bench where

help: ## list the targets
	@echo "Hearth: make <target>"
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## (.*)/\1|\2/' | \
	  awk -F'|' '{ printf "  %-10s %s\n", $$1, $$2 }'

bootstrap: ## prepare the machine: uv, workspace venv, PostgreSQL, Chromium, Kafka jars (idempotent)
	@$(LOCAL)/bootstrap.sh

up: bootstrap ## run everything: Kafka, PostgreSQL, topics, the five services and the staff web app
	@$(LOCAL)/kafka.sh start
	@$(LOCAL)/postgres.sh start
	@$(MAKE) topics
	@$(LOCAL)/services.sh start
	@$(MAKE) where

down: ## stop the services, the web app, Kafka and PostgreSQL (data is kept)
	@$(LOCAL)/services.sh stop
	@$(LOCAL)/kafka.sh stop
	@$(LOCAL)/postgres.sh stop

test: bootstrap ## lint, then the whole test suite against real Kafka and PostgreSQL
	@$(MAKE) lint
	$(UV_RUN) pytest $(PYTEST_ARGS)

lint: ## ruff (lint + format check) and mypy
	$(UV_RUN) ruff check .
	$(UV_RUN) ruff format --check .
	$(UV_RUN) mypy contracts/src libs/eventstore/src services/*/src tools/*/src

fmt: ## format the code and apply ruff's safe fixes
	$(UV_RUN) ruff format .
	$(UV_RUN) ruff check --fix .

topics: ## create Hearth's topics on the local broker (idempotent)
	@$(LOCAL)/kafka.sh start >/dev/null
	HEARTH_KAFKA_BOOTSTRAP_SERVERS=$(KAFKA_BOOTSTRAP) $(UV_RUN) python -m hearth.eventstore.topics

schemas: ## regenerate the committed JSON Schemas from the event models
	$(UV_RUN) python -m hearth.contracts.schemas write

k8s-policy: ## regenerate deploy/k8s/policy.yaml from the policy files the services ship
	$(UV_RUN) python deploy/k8s/render_policy.py

status: ## what is running, and whether it answers
	@$(LOCAL)/kafka.sh status || true
	@$(LOCAL)/postgres.sh status || true
	@$(LOCAL)/services.sh status || true

bench: ## benchmarks against the local Kafka and PostgreSQL (ratios to raw clients; the end-to-end one takes ~12 min)
	@$(LOCAL)/kafka.sh start >/dev/null
	@$(LOCAL)/postgres.sh start >/dev/null
	@export KAFKA_BOOTSTRAP_SERVERS=$(KAFKA_BOOTSTRAP) DATABASE_URL=$(DATABASE_URL_LOCAL); \
	if [ -x bench/run.sh ]; then bench/run.sh; \
	elif [ -f bench/__main__.py ]; then $(UV_RUN) python -m bench; \
	else \
	  found=0; for script in bench/*.py; do [ -f "$$script" ] || continue; found=1; \
	    echo "== $$script"; $(UV_RUN) python "$$script"; done; \
	  [ "$$found" = 1 ] || echo "no benchmarks yet (bench/run.sh or bench/*.py)"; \
	fi

clean: ## stop everything, delete .run (topics, database, logs) and caches
	@$(LOCAL)/services.sh stop
	@$(LOCAL)/kafka.sh reset
	@$(LOCAL)/postgres.sh reset
	rm -rf "$(HEARTH_RUN_DIR)" .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.venv -prune -o -path ./.git -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

where:
	@echo
	@echo "Hearth is up:"
	@echo "  Kafka       $(KAFKA_BOOTSTRAP)   (KRaft, topics hearth.<service>.events / .dlq)"
	@echo "  PostgreSQL  $(DATABASE_URL_LOCAL)"
	@i=0; for s in $(SERVICES); do i=$$((i + 1)); \
	  printf '  %-10s  http://127.0.0.1:%s   (/healthz, /readyz, /docs; /metrics on :%s)\n' "$$s" "$$((HEARTH_HTTP_PORT_BASE + i))" "$$((HEARTH_HTTP_PORT_BASE + i + 1000))"; done
	@printf '  %-10s  http://127.0.0.1:%s/sign-in   (the staff web app: sign in here)\n' web "$$((HEARTH_HTTP_PORT_BASE + 6))"
	@if [ -r "$(HEARTH_RUN_DIR)/web-accounts" ]; then \
	  echo "  development accounts, one per role ($(HEARTH_RUN_DIR)/web-accounts, mode 600):"; \
	  awk -F'\t' '{ printf "    %-13s staff id %-14s password %s\n", $$2, $$1, $$3 }' "$(HEARTH_RUN_DIR)/web-accounts"; \
	fi
	@echo "  state/logs  $(HEARTH_RUN_DIR)   (make status, make down)"
