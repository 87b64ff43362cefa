#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build everything and run every test (ctest).
# GUI tests run under Xvfb, so no display is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/check-layers.sh
build=${BUILD:-build}
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release ${CMAKE_FLAGS:-}
cmake --build "$build" -j "$(nproc)"
if [[ "${CI:-}" == "true" || -n "${DIBR_CHECK_NO_PCH:-}" ]]; then
  # Every file must include what it uses: the core once more without the precompiled <torch/torch.h>.
  cmake -S . -B "$build-nopch" -DCMAKE_BUILD_TYPE=Release -DDIBR_CORE_ONLY=ON -DDIBR_WITH_CUDA=OFF -DDIBR_NO_PCH=ON \
    -DDIBR_BUILD_TESTS=OFF -DDIBR_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build-nopch" -j "$(nproc)" --target dibr
fi
(cd "$build" && ctest --output-on-failure -j "$(nproc)" --timeout 900)
if [[ "${CI:-}" == "true" ]]; then
  # The GPU check's CPU half on the same build: the CUDA tests skip with their reason, the CPU benchmarks run
  # beside their brute-force baselines, and 5 paper-preset steps train on the CPU.
  BUILD="$build" OUT="$build/gpu-check" scripts/gpu-check.sh
fi
