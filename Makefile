# SPDX-License-Identifier: Apache-2.0
# Entry points. `make test` is what CI runs: install what is missing, build with -Werror, run
# every test, then the sanitizer build and the fuzzers.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60

.PHONY: all deps build test test-plain test-asan fuzz checksrc config-doc-check bench demo clean

all: build

deps:
	bash scripts/install-deps.sh

build:
	cmake -S . -B $(BUILD) -DSL_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

test: deps
	bash scripts/test.sh

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan:
	cmake -S . -B $(ASAN_BUILD) -DSL_WERROR=ON -DSL_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS) -L 'unit|golden'

fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

checksrc:
	bash scripts/checksrc.sh

bench: deps build
	bash bench/run.sh

demo: deps build
	bash scripts/demo.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
