#!/usr/bin/env bash
# Distributed training's speed against one process, in the same run: the quick preset on a small sample for STEPS
# steps, (1) one process with every core, (2) --nproc 2 (one intra-op thread each, torchrun's default split), (3)
# --nproc 2 with the paper preset's rule of a kept global batch (per-rank batch halved). Steps/s and objects/s
# (global batch x steps/s) from each run's metrics.csv, skipping the first 5 steps (start-up, first allocations).
#   bench/distributed_steps.sh [BUILD_DIR] [STEPS]      (defaults: build, 60)
# On a 2-core machine the 2 processes share the cores that one process used: this measures the cost of the group
# (collectives, buffer broadcasts, the split of the cores), not a speed-up; that needs one GPU or machine per rank
# (the multi-GPU recipe is in BENCHMARKS.md).
set -euo pipefail
build=$(realpath "${1:-build}") steps=${2:-60}
dibr="$build/trainer/dibr"
[[ -x "$dibr" ]] || { echo "distributed_steps: $dibr is not built" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/dibr_distributed_steps.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$dibr" make-sample "$work/data" --objects-per-class 8 --points 3000 >/dev/null 2>&1
common=(--data "$work/data" --preset quick --max-steps "$steps" --preview-count 0 --checkpoint-every 100000 --device cpu)

# steps/s over the rows after the first 5 (metrics.csv: step,seconds,...)
rate() { awk -F, 'NR>6 { if (!t0) { t0=$2; s0=$1 } t=$2; s=$1 } END { if (t>t0) printf "%.2f", (s-s0)/(t-t0); else print "n/a" }' "$1/metrics.csv"; }
batch=$("$dibr" train "${common[@]}" --print-config | grep -o '"batch_objects": *[0-9]*' | grep -o '[0-9]*$')
cores=$(nproc)

"$dibr" train "${common[@]}" --out "$work/one" --threads "$cores" >/dev/null 2>&1
"$dibr" train "${common[@]}" --out "$work/two" --nproc 2 --master-port 0 --threads $(( cores > 1 ? cores / 2 : 1 )) >/dev/null 2>&1
"$dibr" train "${common[@]}" --out "$work/two_kept" --nproc 2 --master-port 0 --threads $(( cores > 1 ? cores / 2 : 1 )) \
  --batch $(( batch / 2 > 0 ? batch / 2 : 1 )) >/dev/null 2>&1

r1=$(rate "$work/one") r2=$(rate "$work/two") r3=$(rate "$work/two_kept")
echo "distributed_steps: quick preset, $steps steps, $cores cores, $(date -u +%F)"
printf '%-34s %10s %14s\n' "run" "steps/s" "objects/s"
printf '%-34s %10s %14s\n' "1 process, batch $batch" "$r1" "$(awk -v r="$r1" -v b="$batch" 'BEGIN{printf "%.1f", r*b}')"
printf '%-34s %10s %14s\n' "2 processes, $batch per rank" "$r2" "$(awk -v r="$r2" -v b="$batch" 'BEGIN{printf "%.1f", r*b*2}')"
printf '%-34s %10s %14s\n' "2 processes, $(( batch / 2 )) per rank (kept)" "$r3" "$(awk -v r="$r3" -v b="$batch" 'BEGIN{printf "%.1f", r*int(b/2)*2}')"
