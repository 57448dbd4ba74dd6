# Embeval: `make demo` runs the main job, `make test` passes the tests. Both install what they need first.
SWIFT ?= swift
CONFIG ?= release
BIN = .build/$(CONFIG)/embeval

.PHONY: bootstrap build test demo bench fixtures clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build -c $(CONFIG) --product embeval

# EMBEVAL_SLOW_TESTS: also the full t-SNE parity runs against openTSNE (minutes in a debug build).
test: bootstrap
	$(SWIFT) build --product embeval
	EMBEVAL_SLOW_TESTS=1 $(SWIFT) test

demo: build
	@scripts/demo $(BIN)

bench: build
	@bench/run $(BIN)

fixtures:
	@tools/fixtures/run

clean:
	rm -rf .build
