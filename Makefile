# Itinérance — the two commands that matter: `make run` and `make test`.
CARGO ?= cargo
DATA_DIR ?= var
DEMO_EMAIL ?= agence@demo.itinerance.fr
DEMO_PASSWORD ?= demo-itinerance
BIN := target/release/itinerance

.PHONY: run build test contract browser lint unit openapi bench clean check-toolchain

check-toolchain:
	@command -v $(CARGO) >/dev/null 2>&1 || { echo "cargo not found: install Rust from https://rustup.rs (rustup, stable toolchain)"; exit 1; }

build: check-toolchain
	$(CARGO) build --release --locked

## Serve the API on the embedded SQLite database under ./var, with the demo network on first run.
run: build
	ITINERANCE_DATA_DIR=$(DATA_DIR) $(BIN) demo-data --if-empty
	@echo "Demo logins (password $(DEMO_PASSWORD)): $(DEMO_EMAIL), amiens@demo.itinerance.fr, bibliotheque@demo.itinerance.fr, point-lecture@demo.itinerance.fr (village), ecole@demo.itinerance.fr, ..."
	@echo "API docs: http://127.0.0.1:8080/docs/"
	ITINERANCE_DATA_DIR=$(DATA_DIR) $(BIN) serve

## Format check, clippy, the whole suite on SQLite and PostgreSQL, then the contract as partners
## meet it: a generated client and schemathesis against the real binary (tools from PyPI into
## target/contract-venv), then the portal in headless Chromium (.ci/browser: the venue journey,
## CSRF, a deactivated session, axe-core on every page; on SQLite, then on a fresh PostgreSQL
## database dropped afterwards).
test: check-toolchain lint
	rm -rf target/einvoice-samples
	.ci/with-postgres $(CARGO) test --locked
	REQUIRE_EINVOICE_SAMPLES=1 .ci/contract
	.ci/browser

## Only the contract check (a generated client, then schemathesis) against a fresh demo server.
contract: check-toolchain
	$(CARGO) build --locked
	.ci/contract

## Only the portal in a real browser (headless Chromium, selenium, axe-core) against a demo server,
## on SQLite and on PostgreSQL.
browser: check-toolchain
	$(CARGO) build --locked
	.ci/browser

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

## Regenerate the committed OpenAPI document from the code.
openapi: check-toolchain
	$(CARGO) run --quiet --locked -- openapi > openapi/openapi.json

## Benchmarks (release build): the API on SQLite and PostgreSQL (medians, p99), the venue
## portal's pages under wrk on both (server-side p99 ≤ 50 ms a page, find ≤ 2× the API search it
## wraps, HTML + CSS ≤ 100 KB a page; PASS or FAIL each), a season of
## allocation on the demo network (equity against first come), the notification outbox against
## the booking race (throughput with and without the worker, time until the mails arrive at a
## local SMTP sink, on both backends), tours against LKH-3 (elkai, installed from PyPI into
## target/bench-venv), day routing against PyVRP given 10 s (same venv; every plan checked by an
## independent checker), the login throttle under bursts of 20 parallel logins (attempts checked
## per burst, target exactly 5), the printed documents (a Factur-X PDF's p99 ≤ 100 ms, a ZIP of
## 500 invoices ≤ 10 s, on both backends), photos (a 5 MB JPEG uploaded through the API and the
## portal ≤ 1 s with both resizes, against the bare resize; the files, labels and copy pages p99 ≤
## 50 ms), the observatory page and a drivers' day sheet in headless Chromium,
## Lighthouse on the portal's find and loan pages (npm lighthouse under target/lighthouse; every
## category ≥ 95).
bench: check-toolchain
	.ci/ensure-wrk
	.ci/with-postgres $(CARGO) bench --locked --bench api
	.ci/with-postgres $(CARGO) bench --locked --bench portal
	.ci/with-postgres $(CARGO) bench --locked --bench allocation
	.ci/with-postgres $(CARGO) bench --locked --bench notify
	.ci/with-postgres $(CARGO) bench --locked --bench login_burst
	.ci/with-postgres $(CARGO) bench --locked --bench documents
	.ci/with-postgres $(CARGO) bench --locked --bench media
	.ci/bench-tours
	.ci/bench-vrp
	.ci/observatory-page
	.ci/day-sheet-page
	.ci/lighthouse

clean:
	$(CARGO) clean
	rm -rf $(DATA_DIR)
