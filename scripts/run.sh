#!/usr/bin/env bash
# Quick start, part 1: install what is missing, build, and train on the built-in sample dataset,
# then evaluate the trained network and print its chamfer report.
#   scripts/run.sh [extra `dibr train` flags, e.g. --max-steps 2000]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build=${BUILD:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release ${CMAKE_FLAGS:-}
cmake --build "$build" -j "$(nproc)"

run_dir=${RUN_DIR:-runs/quick}
dibr="$build/trainer/dibr"
"$dibr" train --preset quick --out "$run_dir" "$@"
"$dibr" eval --checkpoint "$run_dir/latest.pt" --out "$run_dir/eval"
"$dibr" chamfer --pred "$run_dir/eval" --out "$run_dir/chamfer"
echo "run.sh: checkpoints, metrics.csv, predictions and the chamfer report are in $run_dir"
