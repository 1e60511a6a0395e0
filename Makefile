# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)
PYTEST_ARGS ?= -n 2

.PHONY: install run test quality lint migrations-check messages bench bench-300k topology clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m rbx_portal.devstack run

test: install
	$(BIN)/python -m rbx_portal.devstack test $(PYTEST_ARGS)

# The test suite, then docs/QUALITY.md rebuilt from its report and the figures the tests recorded.
quality: install
	rm -rf var/quality
	# The report is rebuilt even when a test fails (it then says so); the target still fails.
	$(BIN)/python -m rbx_portal.devstack test $(PYTEST_ARGS) --junitxml=var/quality/junit.xml; \
	status=$$?; $(BIN)/python -m rbx_portal.quality; exit $$status

# Style, formatting and the import contracts between apps (pyproject.toml, [tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Every model change has its migration (with the development settings and the embedded services when unset).
migrations-check: install
	DEBUG=$${DEBUG:-true} $(BIN)/python -m rbx_portal.devstack exec $(BIN)/python manage.py makemigrations --check --dry-run

# Regenerate the English catalogue after changing interface strings (needs GNU gettext), then compile it.
messages: install
	$(BIN)/python -m rbx_portal.devstack exec $(BIN)/python manage.py makemessages -l en --no-obsolete --ignore .venv --ignore var
	$(BIN)/python -m rbx_portal.devstack exec $(BIN)/python manage.py compilemessages --ignore .venv

# Benchmark at national scale (not part of `make test`): BENCH_PRACTICES=100000 BENCH_SECONDS=10 BENCH_FOLLOWERS=10000
# BENCH_CACHE=on+off|on|off (see bench/run.py). bench-300k: the second volume in a database of its own, with the
# growth from the last 100,000 run.
bench: install
	$(BIN)/python bench/run.py

bench-300k: install
	BENCH_PRACTICES=300000 $(BIN)/python bench/run.py

# The portal as a multi-host deployment on this machine (topology/run.py): primary + replica, two web nodes behind
# nginx, a worker per queue, S3-API storage; kills and floods, then a table. Needs Debian's nginx (else skipped).
topology: install
	$(BIN)/python topology/run.py
	# The replica router against a real streaming standby under gunicorn (about 100 s; not in make test).
	RBX_TOPOLOGY_RUNTIME=1 $(BIN)/python -m rbx_portal.devstack test -q -p no:randomly tests/topology_runtime

clean:
	rm -rf var/staticfiles .pytest_cache
