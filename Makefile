# Parley: `make run` and `make test` are the two commands a newcomer needs.
GO        ?= go
BIN       := bin/parley
SLIM_BIN  := bin/parley-slim
# What `parley version` prints of a `make build` binary.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
# Release binaries: no build machine paths in them (-trimpath), no symbol table or DWARF
# (-s -w; panics still show functions and lines). 30% smaller; debug with `go build`.
BUILD_FLAGS := -trimpath -ldflags "-s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)"
STATICCHECK_VERSION := v0.8.2
FUZZTIME  ?= 60s

export GOTOOLCHAIN := local

.PHONY: run test web web-test web-dev screenshots build build-slim bench schemas fmt lint lint-openapi apidocs fuzz soak security clean

## run: build parley and run `parley dev`: embedded Temporal, worker, HTTP API on :8080, SQLite in .data
run: build
	./$(BIN) dev

## test: run every test (PostgreSQL tests run when PARLEY_TEST_DATABASE_URL is set)
test: web-test
	$(GO) test -timeout 20m ./...

## web: rebuild the web app (web/src) into web/dist, which is committed and embedded in the binary
web: web/node_modules
	cd web && npm run build

## web-test: the web app's unit tests (vitest), part of `make test`
web-test: web/node_modules
	cd web && npm test

## web-dev: serve the web app from Vite on :5173 with /v1 proxied to `make run`'s :8080
web-dev: web/node_modules
	cd web && npm run dev

## screenshots: the README's pictures of the web app, taken by its browser tests (needs chromium)
screenshots:
	PARLEY_SCREENSHOTS=1 $(GO) test -count=1 -run 'InBrowser' ./web

web/node_modules: web/package-lock.json
	cd web && npm ci --no-fund --no-audit --loglevel=error && touch node_modules

## build: build bin/parley, every command, with the embedded Temporal server of `parley dev`
build:
	$(GO) build $(BUILD_FLAGS) -o $(BIN) ./cmd/parley

## build-slim: build bin/parley-slim for production: serve, worker, migrate, validate, test, schema; no dev, no bench
build-slim:
	$(GO) build $(BUILD_FLAGS) -tags slim -o $(SLIM_BIN) ./cmd/parley

## bench: Go benchmarks, then turn latency and throughput of the embedded stack over HTTP (last line: JSON)
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	./$(BIN) bench

## schemas: regenerate schemas/flow.schema.json from the node specs and join schemas/openapi/*.yaml into schemas/openapi.yaml
schemas:
	$(GO) run ./cmd/parley schema > schemas/flow.schema.json
	$(GO) run ./schemas/internal/joinopenapi > schemas/openapi.yaml.new && mv schemas/openapi.yaml.new schemas/openapi.yaml

## fmt: format the Go code
fmt:
	gofmt -w $$(git ls-files '*.go')

## lint: gofmt, go vet and staticcheck (also on the slim build of cmd/parley), and the OpenAPI document
lint: lint-openapi
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags slim ./cmd/...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -tags slim ./cmd/...

## lint-openapi: lint schemas/openapi.yaml with Redocly CLI's strict recommended rules (npm, server/apidocs)
lint-openapi: server/apidocs/node_modules
	cd server/apidocs && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx --no-install redocly lint --config redocly.yaml ../../schemas/openapi.yaml

server/apidocs/node_modules: server/apidocs/package-lock.json
	cd server/apidocs && npm ci --no-fund --no-audit --loglevel=error && touch node_modules

## apidocs: copy Redoc's standalone bundle (server/apidocs/package.json) into the binary's /docs page
apidocs: server/apidocs/node_modules
	cd server/apidocs && npm run --silent viewer

## fuzz: run each fuzz target for FUZZTIME (default 60s; .ci/run gives 30s): the bot loader, expressions,
## templates, Bot.one's variables, webhook signatures, JWTs and uploads; seeds in each package's testdata/fuzz
FUZZ_TARGETS = nodes:FuzzLoad flows:FuzzExpr flows:FuzzTemplate server/botone:FuzzVariables webhooks:FuzzSign \
	server:FuzzTokens server:FuzzReadUpload
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		echo "fuzzing $${t#*:} in ./$${t%%:*} for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s ./$${t%%:*}; \
	done

## soak: one dialog through 5,000 turns (SOAK_TURNS) across continue-as-new (p50 of the first and last
## 500 turns within 10%, heap, goroutines); the kill loop with CHAOS_KILLS (200) SIGKILLs on parley dev
## and on serve x2 + worker x2 (PostgreSQL when PARLEY_TEST_DATABASE_URL is set), reporting kills
## survived and violations; PAUSED_WORKER (20000) dialogs paused at a question on a parley worker of its
## own with a workflow cache of 2,000 (its RSS and goroutines, with PostgreSQL), and PAUSED (100000,
## about an hour on 2 cores) on the embedded stack of parley bench: RSS and the first answer after
## eviction. make test runs 300 turns, 20 kills and 400 paused dialogs.
SOAK_TURNS ?= 5000
CHAOS_KILLS ?= 200
PAUSED_WORKER ?= 20000
PAUSED ?= 100000
soak: build
	@PARLEY_SOAK_TURNS=$(SOAK_TURNS) $(GO) test -run '^TestSoak$$' -count 1 -v -timeout 60m ./engine > .soak.log 2>&1; \
		status=$$?; grep -E 'SOAK|^(--- |ok|FAIL)|soak_test' .soak.log; rm -f .soak.log; [ $$status -eq 0 ] || exit $$status; \
	CHAOS_KILLS=$(CHAOS_KILLS) $(GO) test -run '^TestChaos' -count 1 -v -timeout 120m ./cmd/parley > .chaos.log 2>&1; \
		status=$$?; grep -E 'CHAOS|violation|^(--- |ok|FAIL)' .chaos.log; rm -f .chaos.log; [ $$status -eq 0 ] || exit $$status; \
	PARLEY_PAUSED_DIALOGS=$(PAUSED_WORKER) PARLEY_PAUSED_CACHE=2000 $(GO) test -run '^TestPausedWorker$$' -count 1 -v -timeout 60m ./cmd/parley > .paused.log 2>&1; \
		status=$$?; grep -E 'PAUSED|paused_worker|^(--- |ok|FAIL)' .paused.log; rm -f .paused.log; [ $$status -eq 0 ] || exit $$status; \
	./$(BIN) bench -paused $(PAUSED) -sticky-cache 500

## security: the SSRF set on every outbound path, the access matrix of every documented route, the secret
## sweep, expression memory bounds, tool-call checks and the limits per key, printing their figures
## (refused of tried, cells and leaks, secrets found)
security:
	@$(GO) test -run 'SSRF|^TestAccessMatrix$$|^TestSecretLeaks$$|^TestExpressionsCannotExhaustMemory$$|^TestToolCallsChecked$$|^TestStreamsPerKey|^TestDialogBudget$$|^TestProjectCORS$$' \
		-count 1 -v ./... > .security.log 2>&1; status=$$?; \
		grep -E 'SSRF |ACCESS MATRIX|SECRET SWEEP|^--- FAIL|^FAIL|^ok .*(netguard|server|worker|webhooks|nodes|flows|engine)' .security.log; \
		rm -f .security.log; exit $$status

clean:
	rm -rf bin
