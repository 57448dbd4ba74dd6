# Embeval: `make demo` runs the main job, `make test` passes the tests. Both install what they need first.
SWIFT ?= swift
CONFIG ?= release
BIN = .build/$(CONFIG)/embeval

.PHONY: bootstrap build test test-slurm demo bench fixtures fuzz fuzz-regressions clean

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build -c $(CONFIG) --product embeval

# EMBEVAL_SLOW_TESTS: also the full t-SNE parity runs against openTSNE (minutes in a debug build).
test: bootstrap
	$(SWIFT) build --product embeval
	EMBEVAL_SLOW_TESTS=1 $(SWIFT) test

# Opt-in (needs root): a single-node Slurm from Debian's packages runs docs/slurm/embed-array.sbatch; the merged
# shards must equal one process's bytes. See README, "Scaling out".
test-slurm: build
	@scripts/test-slurm $(BIN)

demo: build
	@scripts/demo $(BIN)

bench: build
	@bench/run $(BIN)

fixtures:
	@tools/fixtures/run

# libFuzzer targets of every parser (Fuzz/, docs/fuzzing.md): FUZZ_SECONDS each; FUZZ_TARGETS="npy image" for a few.
# Exits non-zero when a target crashed; the inputs are kept in out/fuzz/crashes/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: bootstrap
	@SWIFT=$(SWIFT) FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run $(FUZZ_TARGETS)

# Replays the saved crash inputs (Fuzz/Regressions/<target>/); fails while any of them still crashes.
fuzz-regressions: bootstrap
	@SWIFT=$(SWIFT) Fuzz/replay

clean:
	rm -rf .build
