# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
NODE_MODULES := node_modules/.package-lock.json

.PHONY: run test build deps tools lint typecheck bench verify clean

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NODE_MODULES)

deps: $(NODE_MODULES)

tools:
	bash hack/install-tools.sh

build: deps
	npx tsc -p tsconfig.build.json

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

lint: deps
	npx eslint src test bench

run: deps build
	bash hack/install-tools.sh etcd
	node dist/src/main.js --local $(ARGS)

test: deps tools typecheck lint
	node hack/run-tests.mjs

bench: deps build
	bash hack/install-tools.sh etcd
	node --import tsx bench/imagestreams.ts $(ARGS)

clean:
	rm -rf dist
