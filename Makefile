# POSC Tracker — developer commands. `make run` and `make test` are the two that matter.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BENCH_SIZE ?= large

.PHONY: run venv install migrate seed test unit e2e lint check messages screenshots bench bench-data vendor clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo

## Create .venv, install, migrate SQLite, load the demo data, print the logins and serve on 127.0.0.1:8000.
run: seed
	$(PY) manage.py compilemessages --ignore=.venv -v0
	@echo ""
	@echo "  POSC Tracker is starting at http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password: posc-demo):"
	@echo "    admin    administrator (everything, including /admin/)"
	@echo "    staff    civil-affairs staff of a Changchun district bureau"
	@echo "    ngo      manager of one rehabilitation NGO"
	@echo "    analyst  read-only, all data, CSV exports"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole suite (unit tests, then browser tests). DATABASE_URL picks the database (default SQLite).
test: install
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) -m pytest -q -m "not e2e"
	$(MAKE) e2e

unit: install
	$(PY) -m pytest -q -m "not e2e"

e2e: install
	$(PY) manage.py compilemessages --ignore=.venv -v0
	@if [ -d tests/e2e ]; then $(PY) -m pytest -q -m e2e tests/e2e; else echo "no browser tests yet"; fi

## Regenerate the README's screenshots (docs/screenshots/*.png): demo data, Chinese UI, Chromium at 1366 px wide.
screenshots: install
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) -m pytest -q tests/e2e/screenshots.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

## Regenerate the zh_Hans catalogue from the code and templates, then compile it.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=static/vendor --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

## A benchmark data set on PostgreSQL (DATABASE_URL=postgres://…): BENCH_SIZE=large (default; a province, ≈10k
## organizations, 200k contracts) or BENCH_SIZE=national (≈100k organizations, 2M contracts: regions, purchasers and
## the first organization first, then two processes share the rest).
bench-data: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "Set DATABASE_URL=postgres://… (benchmarks run on PostgreSQL only)"; exit 2;; esac
	$(PY) manage.py migrate --no-input
	@case "$(BENCH_SIZE)" in large|national) ;; *) echo "BENCH_SIZE is large or national"; exit 2;; esac
	@if [ "$(BENCH_SIZE)" = national ]; then \
		$(PY) manage.py seed_demo --size national --scale 0.00001 -v0 && \
		{ $(PY) manage.py seed_demo --size national --part 1/2 -v2 & \
		  $(PY) manage.py seed_demo --size national --part 2/2 -v2; s2=$$?; wait $$!; s1=$$?; [ $$s1 = 0 ] && [ $$s2 = 0 ]; }; \
	else $(PY) manage.py seed_demo --size large -v2; fi

## Benchmarks on the BENCH_SIZE set, side by side with PostgreSQL's own floor; writes docs/performance.md (not a test).
bench: bench-data
	@command -v wrk >/dev/null || { echo "Installing wrk (HTTP load generator)"; $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q wrk; }
	$(PY) bench/run.py --size $(BENCH_SIZE) $(BENCH_ARGS)

## Copy Bootstrap 5 and Chart.js 4 from their npm packages into static/vendor (needs npm; results are committed).
vendor:
	rm -rf /tmp/posc-vendor && mkdir -p /tmp/posc-vendor
	cd /tmp/posc-vendor && npm pack --silent bootstrap@5.3 chart.js@4 >/dev/null && for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done
	mkdir -p static/vendor/bootstrap/css static/vendor/bootstrap/js static/vendor/chartjs
	cp /tmp/posc-vendor/bootstrap-*/package/dist/css/bootstrap.min.css* static/vendor/bootstrap/css/
	cp /tmp/posc-vendor/bootstrap-*/package/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/js/
	cp /tmp/posc-vendor/bootstrap-*/package/LICENSE static/vendor/bootstrap/
	cp /tmp/posc-vendor/chart.js-*/package/dist/chart.umd.min.js* static/vendor/chartjs/
	cp /tmp/posc-vendor/chart.js-*/package/LICENSE.md static/vendor/chartjs/

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
