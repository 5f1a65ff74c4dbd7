# The two commands a new user needs:  make run   and   make test
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
PORT ?= 8000
DEMO_CUSTOMERS ?= 2000

.PHONY: run install test lint format lock worker beat deploy-check bench-ui bench-seed bench-febrl bench-identity bench-models bench-scoring bench-satisfaction bench-api bench-outage bench-security bench-retention bench-ci clean

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else "Python 3.12 is required, found " + sys.version.split()[0] + " (set PYTHON=/path/to/python3.12)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.lock
	$(PY) -m pip install --quiet --upgrade pip
	# The lock lists every package at an exact version, so no resolver runs: django-celery-beat
	# 2.9 and django-prometheus 2.5 still declare Django<6.1 although they work with 6.1 (covered by our tests). Each pin
	# carries the hashes of its files on PyPI: a file that differs is refused.
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements.lock
	@touch $@

# axe-core, which the browser tests load into pages, from the npm registry at its locked version;
# without npm those tests say so and skip (CI requires them).
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility checks of the browser tests will be skipped"; fi

install: $(VENV)/.installed node_modules/.installed

# Links printed and sent (the login, survey invitations) follow PORT unless CRM_PUBLIC_URL is set.
run: export CRM_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: install
	$(PY) manage.py demo_setup --customers $(DEMO_CUSTOMERS)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Two test processes (pytest-xdist), a file's tests in the same one; each has its own test
# database and Redis database (crm/settings/test.py).
TEST_PROCESSES ?= 2
test: install
	$(BIN)/pytest --numprocesses $(TEST_PROCESSES) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Pins what the virtualenv holds, with the SHA-256 of each release's files from PyPI.
lock: install
	(echo "# Exact versions and their files' hashes: pip install --no-deps --require-hashes -r requirements.lock"; \
	 echo "# Regenerate with: make lock"; \
	 $(BIN)/pip list --format=freeze --exclude-editable --exclude pip | $(PY) .ci/lock_hashes.py) > requirements.lock.new
	mv requirements.lock.new requirements.lock

# One worker on every queue (crm/jobs/queues.py), as on one machine; production runs a worker
# per queue group (compose.yaml, docs/production.md).
worker: install
	$(BIN)/celery -A crm worker --loglevel=INFO -Q "$$($(PY) -c 'from crm.jobs.queues import worker_queues; print(worker_queues())')"

beat: install
	$(BIN)/celery -A crm beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Benchmarks on PostgreSQL. bench-ui uses DATABASE_URL and seeds it up to SIZE customers (a later
# run reuses them); bench-seed times seed_demo on a database it recreates for the purpose.
SIZE ?= 1000000
BENCH_SERVER ?= postgres://postgres@127.0.0.1:5432
BENCH_SEED_DB ?= crm_bench_seed

bench-ui: install
	$(PY) bench/bench_ui.py --customers $(SIZE)

bench-seed: install
	psql "$(BENCH_SERVER)/postgres" -q -c 'DROP DATABASE IF EXISTS $(BENCH_SEED_DB)' -c 'CREATE DATABASE $(BENCH_SEED_DB)'
	DATABASE_URL=$(BENCH_SERVER)/$(BENCH_SEED_DB) $(PY) manage.py migrate --no-input -v0
	time DATABASE_URL=$(BENCH_SERVER)/$(BENCH_SEED_DB) $(PY) manage.py seed_demo --customers $(SIZE)

# Duplicate-detection quality on the FEBRL data (through the product's import and scan).
DATASET ?= febrl3
bench-febrl: install
	$(PY) bench/bench_febrl.py --dataset $(DATASET) --national-id both

# Candidate search, full duplicate scan and a 100,000-row import on SIZE seeded customers.
BENCH_IDENTITY_DB ?= crm_bench_identity
IMPORT_ROWS ?= 100000
bench-identity: install
	psql "$(BENCH_SERVER)/postgres" -q -c 'CREATE DATABASE $(BENCH_IDENTITY_DB)' 2>/dev/null || true
	DATABASE_URL=$(BENCH_SERVER)/$(BENCH_IDENTITY_DB) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_SERVER)/$(BENCH_IDENTITY_DB) $(PY) bench/bench_identity.py --customers $(SIZE) --import-rows $(IMPORT_ROWS)

# Churn model and credit scorecard on real labelled data (IBM Telco churn, German credit), loaded
# into the CRM's tables and trained through the product's own feature pipeline.
bench-models: install
	$(PY) bench/bench_models.py --dataset all --max-synthetic-gap 0.01 --min-churn-auc 0.85 --min-credit-auc 0.78

# A full scoring run of SIZE seeded customers through a real Celery worker (2 processes) against a
# naive per-customer loop, single-customer rescore latency, and the fraud rings the top 1 % of
# fraud scores catch. Add SCORING_ARGS=--reuse to keep the seeded database of an earlier run.
BENCH_SCORING_DB ?= crm_bench_scoring
SCORING_ARGS ?=
bench-scoring: install
	$(PY) bench/bench_scoring.py --customers $(SIZE) --database-url $(BENCH_SERVER)/$(BENCH_SCORING_DB) $(SCORING_ARGS)

# The satisfaction results page over RESPONSES survey answers (a million by default), loaded with
# COPY on a database it recreates; median and p95 per page. SATISFACTION_ARGS=--reuse keeps the
# loaded database of an earlier run; SATISFACTION_ARGS="--max-median-ms 300" fails above target.
BENCH_SATISFACTION_DB ?= crm_bench_satisfaction
RESPONSES ?= 1000000
SATISFACTION_ARGS ?=
bench-satisfaction: install
	$(PY) bench/bench_satisfaction.py --responses $(RESPONSES) --database-url $(BENCH_SERVER)/$(BENCH_SATISFACTION_DB) $(SATISFACTION_ARGS)

# The partner API (TMF629) on SIZE seeded customers, a fifth of them a big partner's, through
# gunicorn with 2 workers: median and p95 of list, deep list, retrieve and filtered lists, the SQL
# queries of each, and retrieve requests per second under wrk. API_ARGS=--reuse keeps the seeded
# database of an earlier run; API_ARGS="--max-list-ms 30 --max-filtered-ms 60" fails above target.
BENCH_API_DB ?= crm_bench_api
API_ARGS ?=
bench-api: install
	$(PY) bench/bench_api.py --customers $(SIZE) --database-url $(BENCH_SERVER)/$(BENCH_API_DB) $(API_ARGS)

# Every benchmark at a tiny size, on throw-away databases, so none of them rots (.ci/run).
# Each request that hands work to Celery, with the broker up and on a closed port.
bench-outage: install
	$(PY) bench/bench_outage.py --database-url $(BENCH_SERVER)/crm_bench_outage

# A security review's hostile cases over HTTP against gunicorn (production settings) and a Celery
# worker on Redis db 13: partner isolation, tokens, hostile inputs, schemathesis, staff roles, CSRF
# and redirects, XSS, survey links, CSV imports, a worker killed mid-run. SECURITY_ARGS=--quick
# runs it small.
BENCH_SECURITY_DB ?= crm_bench_security
SECURITY_ARGS ?=
bench-security: install
	$(PY) bench/bench_security.py --database-url $(BENCH_SERVER)/$(BENCH_SECURITY_DB) $(SECURITY_ARGS)

# A dry run and a real run of the retention rules (every rule on) over SIZE seeded customers, a
# share of them aged, through a real Celery worker (2 processes) on Redis db 7: wall time,
# customers per second and the counts of each rule; a worker is killed with SIGKILL in the middle
# of the real run, and the run must still end done, each chunk once, no customer erased twice.
# RETENTION_ARGS=--reuse keeps a seeded database no retention run has touched yet.
BENCH_RETENTION_DB ?= crm_bench_retention
RETENTION_ARGS ?=
bench-retention: install
	$(PY) bench/bench_retention.py --customers $(SIZE) --database-url $(BENCH_SERVER)/$(BENCH_RETENTION_DB) $(RETENTION_ARGS)

bench-ci: install
	psql "$(BENCH_SERVER)/postgres" -q -c 'DROP DATABASE IF EXISTS crm_ci_bench' -c 'CREATE DATABASE crm_ci_bench'
	DATABASE_URL=$(BENCH_SERVER)/crm_ci_bench $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_SERVER)/crm_ci_bench $(PY) bench/bench_ui.py --customers 300 --requests 3 --warmups 1
	DATABASE_URL=$(BENCH_SERVER)/crm_ci_bench $(PY) bench/bench_identity.py --customers 300 --searches 10 --import-rows 200 --chunk-size 100
	$(MAKE) bench-seed SIZE=300 BENCH_SEED_DB=crm_ci_bench_seed
	$(PY) bench/bench_febrl.py --dataset febrl1 --national-id both --min-f1 0.95 --database-url $(BENCH_SERVER)/crm_ci_febrl
	$(PY) bench/bench_models.py --dataset all --synthetic-customers 3000 --min-churn-auc 0.85 --min-credit-auc 0.76 --database-url $(BENCH_SERVER)/crm_ci_models
	$(PY) bench/bench_scoring.py --customers 2000 --naive-sample 100 --rescores 20 --fraud-rings 3 --database-url $(BENCH_SERVER)/crm_ci_scoring
	$(PY) bench/bench_satisfaction.py --responses 3000 --requests 3 --warmups 1 --database-url $(BENCH_SERVER)/crm_ci_satisfaction
	$(PY) bench/bench_outage.py --rounds 2 --database-url $(BENCH_SERVER)/crm_ci_outage
	$(PY) bench/bench_api.py --customers 2000 --requests 5 --warmups 1 --ids 200 --wrk-seconds 2 --wrk-warmup-seconds 1 --database-url $(BENCH_SERVER)/crm_ci_api
	$(PY) bench/bench_security.py --quick --database-url $(BENCH_SERVER)/crm_ci_security
	$(PY) bench/bench_retention.py --customers 2000 --chunk-size 100 --database-url $(BENCH_SERVER)/crm_ci_retention

# compose.yaml, deploy/env.example and the Dockerfile checked without a container daemon.
deploy-check: install
	$(PY) deploy/check
