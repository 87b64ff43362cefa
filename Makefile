# Quick start:  make run   (install deps, build, train on the built-in sample)
#               make test  (build and run every test)
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
RUN_ARGS ?= --preset quick --max-steps 600

.PHONY: deps configure build run test bench clean

deps:
	scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: deps
	$(MAKE) build
	$(BUILD)/trainer/dibr train $(RUN_ARGS)

test: deps
	$(MAKE) build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/dibr_bench

clean:
	rm -rf $(BUILD)
