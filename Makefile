# Developer shortcuts; the README's quick start uses scripts/run.sh and scripts/test.sh directly.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: run test build bench clean

run:
	scripts/run.sh

test:
	scripts/test.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

bench: build
	$(BUILD)/bench/dibr_bench
	bench/studio_frames.sh $(BUILD)

clean:
	rm -rf $(BUILD)
