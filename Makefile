# crowdhire developer tasks. Everything runs from the project venv without activating it.
# Works on a fresh Debian 12 as root with only python3 (and make): missing system packages
# (python3-venv, memcached) are installed with apt-get when needed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: help venv install run test services check format schema schema-release clean distclean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

venv: $(BIN)/pip ## create .venv

# Debian's python3 cannot create a venv without python3-venv (ensurepip).
$(BIN)/pip:
	@if ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: $(PYTHON) lacks ensurepip; installing python3-venv with apt-get"; \
	    $(APT_GET) update && $(APT_GET) install -y --no-install-recommends python3-venv; \
	  else \
	    echo "make: $(PYTHON) cannot create a venv: install python3-venv" \
	      "(sudo apt-get install python3-venv)" >&2; \
	    exit 1; \
	  fi; \
	fi
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml changes.
# hnswlib (a dev dependency, for the MATCHING_INDEX=hnsw tests) ships only as an sdist: pip needs g++.
$(VENV)/.installed: pyproject.toml | $(BIN)/pip
	@if ! command -v g++ >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "make: no g++ to build hnswlib; installing g++ with apt-get"; \
	  $(APT_GET) update && $(APT_GET) install -y --no-install-recommends g++; \
	fi
	$(BIN)/pip install --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## install crowdhire and its dev tools into .venv

run: install ## serve the API (dev: starts an embedded mongod under .data/)
	$(BIN)/crowdhire serve

services: ## make sure memcached, nutcracker, nginx and chromium are installed (apt-get, as root)
	@missing=""; export PATH="$$PATH:/usr/sbin"; \
	for tool in memcached nutcracker nginx chromium; do \
	  command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: missing:$$missing; installing with apt-get"; \
	    $(APT_GET) update && $(APT_GET) install -y --no-install-recommends $$missing; \
	  else \
	    echo "make: the tests need$$missing on PATH and we are not root:" \
	      "run 'sudo apt-get install$$missing' (or your system's equivalent)" >&2; \
	    exit 1; \
	  fi; \
	fi

test: install services ## run the tests against real mongod + memcached (PYTEST_ARGS=...)
	$(BIN)/pytest $(PYTEST_ARGS)

check: install ## lint, format check, type check, import layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict crowdhire tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m crowdhire.dev.schema_guard

format: install ## fix lint and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmark: bench/ owns everything it runs
BENCH_ARGS ?=
.PHONY: bench bench-crowd wrk
wrk: ## make sure the wrk load generator is installed (apt-get, as root)
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: wrk is missing; installing it with apt-get"; \
	    $(APT_GET) update && $(APT_GET) install -y --no-install-recommends wrk; \
	  else \
	    echo "make: the benchmark needs wrk: run 'sudo apt-get install wrk'" >&2; exit 1; \
	  fi; \
	fi

bench: install services wrk ## benchmark N/D/O/S/F on real servers (BENCH_SCALE=1 BENCH_ROUNDS=3 BENCH_SECONDS=3)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

.PHONY: bench-changes
bench-changes: install ## outbox cost per write, changes-feed page cost (admin vs a 1 % company)
	$(BIN)/python -m bench.changes_feed

.PHONY: bench-events
bench-events: install ## subscriptions: commit-to-subscriber latency p50/p99 (500 sockets, 200 events/s), memory per idle subscriber
	$(BIN)/python -m bench.events_latency

.PHONY: bench-backup
bench-backup: install ## peak RSS of `backup create` (small vs large collection), restore speed
	$(BIN)/python -m bench.backup

bench-crowd: install services wrk ## crowd mix: many identities, 0/2/10 % real writes, D/O/S/F (about 4 min)
	$(BIN)/python -m bench.crowd $(BENCH_ARGS)

.PHONY: bench-read-path
bench-read-path: install services ## uncached read path: server CPU per request of D, each switch off, G (all off) and F (about 3 min)
	$(BIN)/python -m bench.read_path_ab $(BENCH_ARGS)

PROFILE_ARGS ?= --scenario jobs_page --no-response-cache
.PHONY: profile
profile: install services ## pyinstrument call tree of one scenario (PROFILE_ARGS="--scenario hot_profile")
	$(BIN)/python -m bench.profile $(PROFILE_ARGS)

# Scale-out: a whole cluster on loopback, failure drills
CLUSTER_DIR ?= .cluster
CLUSTER_ARGS ?=
DRILLS_ARGS ?=
.PHONY: cluster cluster-down drills
cluster: install services ## start 3 mongod + 2 memcached/nutcracker + 3 app + nginx in $(CLUSTER_DIR)
	$(BIN)/crowdhire cluster up --dir $(CLUSTER_DIR) $(CLUSTER_ARGS)

cluster-down: install ## stop every process `make cluster` started (data kept)
	$(BIN)/crowdhire cluster down --dir $(CLUSTER_DIR)

drills: install services ## failure drills on a fresh cluster; writes bench/results/drills.md
	$(BIN)/python -m bench.drills $(DRILLS_ARGS)

.PHONY: eval eval-set bench-matching bench-ann
eval: install ## matching quality (nDCG@10, P@10) and model cost; writes bench/results/matching.json
	$(BIN)/python -m bench.matching.evaluate

eval-set: install ## regenerate the frozen matching evaluation set (fixed seed)
	$(BIN)/python -m bench.matching.make_eval_set

bench-matching: install services ## recommendation latency at BENCH_SCALE (default 10) on real servers
	$(BIN)/python -m bench.matching.scale

bench-ann: install ## ANN libraries vs the exact scan (pip install hnswlib usearch faiss-cpu first)
	$(BIN)/python -m bench.matching.ann

schema: install ## write the GraphQL SDL to schema.graphql
	$(BIN)/crowdhire schema > schema.graphql.tmp
	mv schema.graphql.tmp schema.graphql

schema-release: install ## at a release: the current schema becomes the baseline the guard compares with
	cp schema.graphql schema.released.graphql

clean: ## remove caches and build output (keeps .venv and .data)
	rm -rf .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info schema.graphql.tmp
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## also remove .venv
	rm -rf $(VENV)
