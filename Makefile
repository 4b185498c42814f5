# The two commands a newcomer types are `make run` and `make test`; both install what is missing
# (scripts/install-deps), configure and build. The rest are for developers. Every target calls
# CMake; nothing here compiles by itself.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# Rotates the simulator's start seed between runs; the seed in use is always printed.
SEED ?= $(shell date +%s)

.PHONY: all deps configure build run test bench sim asan fuzz clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

configure: $(BUILD)/build.ninja

build: deps configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@$(BUILD)/meridian

test: build
	@cd $(BUILD) && MERIDIAN_SEED=$(SEED) ctest --output-on-failure -j $(JOBS) --timeout 900

bench: build
	@scripts/bench $(BUILD)

sim: build
	@scripts/sim $(BUILD) $(SEED)

asan: deps
	@$(MAKE) --no-print-directory test BUILD=build-asan CMAKE_FLAGS="-DMERIDIAN_SANITIZE=ON"

fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DMERIDIAN_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/fuzz build-fuzz

clean:
	@rm -rf $(BUILD) build-asan build-fuzz
