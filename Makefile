# Alchemiser: every target works from a clean clone. `make` alone lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

MODULES  := contracts pkg services/strategy services/portfolio services/execution services/orchestrator services/notifier infra/local infra/aws
SERVICES := strategy portfolio execution orchestrator notifier
STAGE    ?= dev
FUZZTIME ?= 2m
BENCHTIME ?= 1s
BENCH ?= .
# staticcheck 2026.2.2, the release that supports Go 1.26.
STATICCHECK_VERSION ?= v0.8.2
# Modules build on their own: the workspace (go.work) is for day-to-day editing only.
export GOWORK := off
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export npm_config_update_notifier := false

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: build
build: ## build each Lambda's bootstrap (linux/arm64) into build/<service>/, and build/alchemiser
	@for s in $(SERVICES); do \
	  echo "build/$$s/bootstrap"; \
	  (cd services/$$s && GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o ../../build/$$s/bootstrap ./cmd/lambda) || exit 1; \
	done
	@cd infra/local && CGO_ENABLED=0 go build -trimpath -o ../../build/alchemiser ./cmd/alchemiser && echo build/alchemiser

.PHONY: alchemiser
alchemiser:
	@cd infra/local && CGO_ENABLED=0 go build -trimpath -o ../../build/alchemiser ./cmd/alchemiser

.PHONY: run
run: alchemiser ## run one full local trading cycle: signals, plan, orders, timeline, email
	./build/alchemiser run $(ARGS)

.PHONY: up
up: alchemiser ## run the local cloud (bus, Alpaca simulator, SMTP inbox, scheduler) until Ctrl-C
	./build/alchemiser local up $(ARGS)

.PHONY: test
test: cdk-deps ## run every module's tests on its own (GOWORK=off), then the end-to-end checks
	@set -e; for m in $(MODULES); do \
	  echo "=== $$m"; \
	  (cd $$m && go vet ./... && go test -count=1 ./...); \
	done
	@if [ -x .ci/aws-cli-smoke.sh ] && command -v aws >/dev/null; then echo "=== aws CLI smoke test"; .ci/aws-cli-smoke.sh; fi

.PHONY: lint
lint: ## gofmt, go vet and staticcheck on every module
	@sc=$(CURDIR)/build/tools/staticcheck; \
	if ! GOBIN=$(CURDIR)/build/tools go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); then \
	  echo "lint: could not install staticcheck $(STATICCHECK_VERSION) from the Go module proxy: running gofmt and go vet only"; sc=""; \
	fi; \
	rc=0; echo "=== gofmt"; \
	unformatted=$$(find $(MODULES) -name '*.go' -not -path '*/node_modules/*' -not -path '*/cdk.out/*' -print0 | xargs -0 gofmt -l) || rc=1; \
	if [ -n "$$unformatted" ]; then echo "$$unformatted"; echo "gofmt: the files above need formatting (gofmt -w)"; rc=1; fi; \
	for m in $(MODULES); do echo "=== $$m"; \
	  (cd $$m && go vet ./... && { [ -z "$$sc" ] || $$sc ./...; }) || rc=1; \
	done; exit $$rc

.PHONY: bench
bench: ## run every benchmark (BENCH, BENCHTIME) and print ratios against the baselines measured in the same run
	@mkdir -p var build
	@cd infra/local && go build -o ../../build/benchreport ./cmd/benchreport
	@set -o pipefail; { rc=0; for m in $(filter-out infra/aws,$(MODULES)); do \
	  (cd $$m && go test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) ./...) 2>&1 || rc=1; \
	done; exit $$rc; } | tee var/bench.txt | ./build/benchreport

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME (default 2m) each
	@set -e; for m in $(filter-out infra/aws,$(MODULES)); do \
	  (cd $$m && for pkg in $$(go list ./...); do \
	    for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	      echo "=== $$pkg $$f ($(FUZZTIME))"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	    done; done); \
	done

.PHONY: cdk-deps
cdk-deps:
	@cd infra/aws && { [ -x node_modules/.bin/cdk ] && [ -x node_modules/.bin/dynalite ] || npm ci --no-audit --no-fund --loglevel=error; }

.PHONY: synth
synth: build cdk-deps ## synthesize the CloudFormation template for STAGE (dev|prod) into infra/aws/cdk.out/, offline
	cd infra/aws && node_modules/.bin/cdk synth --quiet -c stage=$(STAGE) && echo "infra/aws/cdk.out/alchemiser-$(STAGE).template.json"

.PHONY: diff
diff: build cdk-deps ## cdk diff for STAGE (needs AWS credentials)
	cd infra/aws && node_modules/.bin/cdk diff -c stage=$(STAGE)

.PHONY: deploy
deploy: build cdk-deps ## cdk deploy for STAGE (needs AWS credentials)
	cd infra/aws && node_modules/.bin/cdk deploy -c stage=$(STAGE) --require-approval broadening

.PHONY: replay
replay: alchemiser ## replay the archive of STAGE (local by default) from FROM to TO; replays never trade
	./build/alchemiser replay --stage $(STAGE) --from "$(FROM)" --to "$(TO)" $(ARGS)

.PHONY: pause
pause: alchemiser ## disable the trading schedule of STAGE (the rollback lever)
	./build/alchemiser schedule pause --stage $(STAGE)

.PHONY: resume
resume: alchemiser ## enable the trading schedule of STAGE again
	./build/alchemiser schedule resume --stage $(STAGE)

.PHONY: clean
clean: ## remove build outputs and local state
	rm -rf build var infra/aws/cdk.out
