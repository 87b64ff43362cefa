#!/usr/bin/env bash
# One command for a GPU machine (docs/gpu.md): builds the core against the machine's LibTorch (pip's CUDA torch when
# python3 has one, else the system's), runs every CUDA test (CPU-vs-CUDA parity of every renderer and point kernel,
# the CUDA chamfer), the CUDA benchmarks beside their CPU baselines in the same run, a 200-step `paper` training
# run and a profiled 20-step `dvr-paper` run on the built-in sample; then prints one table of figures and a pass/fail summary. Without a usable GPU it runs
# the CPU parts and says what it skipped and why.
#   scripts/gpu-check.sh                 # build dir build-gpu (BUILD=... to reuse another), results in gpu-check/
# Exit code: 1 when a step that ran failed.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build-gpu}
out=${OUT:-gpu-check}
mkdir -p "$out"
declare -a rows=() failed=() skipped=()
row() { rows+=("| $1 | $2 | $3 |"); }

torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
torch_cuda=$(python3 -c 'import torch; print(int(torch.cuda.is_available()))' 2>/dev/null || echo 0)
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -n 1)
if [[ -n "$gpu" && "$torch_cuda" == 1 ]]; then
  mode=gpu
else
  mode=cpu
  skipped+=("CUDA tests, CUDA benchmarks and CUDA training: ${gpu:+python torch sees no CUDA device}${gpu:-no GPU (nvidia-smi finds none)}")
fi
echo "gpu-check: mode $mode${gpu:+ ($gpu)}, LibTorch ${torch_prefix:-from the system}"

prefix="${torch_prefix}"
[[ -d .deps/usr ]] && prefix="${prefix:+$prefix;}$PWD/.deps/usr"
if [[ ! -f "$build/CMakeCache.txt" || -n "$torch_prefix" ]]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DDIBR_CORE_ONLY=ON ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} \
    >"$out/cmake.log" 2>&1 || { echo "gpu-check: cmake failed (see $out/cmake.log)"; exit 1; }
fi
if cmake --build "$build" -j "$(nproc)" --target dibr dibr_render_tests dibr_trainer_tests dibr_bench >"$out/build.log" 2>&1; then
  row build ok "$build"
else
  row build FAILED "$out/build.log"
  failed+=(build)
  printf '%s\n' "${rows[@]}"
  exit 1
fi

# Every CUDA test: they skip with "no CUDA device: skipped" without one.
(cd "$build" && ctest -R 'Cuda|Parity' --output-on-failure) >"$out/ctest_cuda.log" 2>&1
cuda_status=$?
passed=$(grep -c ' Passed ' "$out/ctest_cuda.log" || true)
skips=$(grep -c 'Skipped' "$out/ctest_cuda.log" || true)
if ((cuda_status == 0)); then row "CUDA tests" ok "$passed passed, $skips skipped"; else row "CUDA tests" FAILED "$out/ctest_cuda.log"; failed+=("CUDA tests"); fi

# The benchmarks: CUDA cases with the CPU and brute-force baselines of the same run (CPU only without a GPU).
filter='Cuda|BruteForce|Baseline|cuda'
[[ $mode == cpu ]] && filter='BruteForce|Baseline|Cpu|cpu'
"$build/bench/dibr_bench" --benchmark_filter="$filter" --benchmark_min_time=0.5 --benchmark_format=console \
  --benchmark_out="$out/bench.json" --benchmark_out_format=json >"$out/bench.log" 2>&1
bench_status=$?
if ((bench_status == 0)); then row benchmarks ok "$out/bench.json ($(grep -c '"name"' "$out/bench.json" || true) cases)"; else row benchmarks FAILED "$out/bench.log"; failed+=(benchmarks); fi

# 200 steps of the paper preset on the built-in sample, on the GPU (5 CPU steps without one: ~1 minute on 2 cores).
steps=200 device=cuda
[[ $mode == cpu ]] && { steps=5; device=cpu; skipped+=("the 200-step CUDA paper run: ran 5 steps on the CPU instead"); }
rm -rf "$out/paper"
start=$(date +%s.%N)
if "$build/trainer/dibr" train --preset paper --max-steps "$steps" --device "$device" --out "$out/paper" --log-every 50 \
    >"$out/train.log" 2>&1; then
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  rate=$(tail -n 1 "$out/paper/metrics.csv" | awk -F, '{ if ($2 > 0) printf "%.2f", $1 / $2 }')
  row "paper preset, $steps steps ($device)" ok "$seconds s wall, $rate steps/s"
else
  row "paper preset, $steps steps ($device)" FAILED "$out/train.log"
  failed+=("paper training")
fi

# DVR: 20 profiled steps of dvr-paper on the GPU (5 of dvr-quick on the CPU), the time per phase in dvr.log.
dvr_preset=dvr-paper dvr_steps=20
[[ $mode == cpu ]] && { dvr_preset=dvr-quick; dvr_steps=5; skipped+=("the CUDA dvr-paper run: ran 5 dvr-quick steps on the CPU instead"); }
rm -rf "$out/dvr"
if "$build/trainer/dibr" train --preset "$dvr_preset" --max-steps "$dvr_steps" --device "$device" --out "$out/dvr" \
    --profile --log-every 10 >"$out/dvr.log" 2>&1; then
  rate=$(tail -n 1 "$out/dvr/metrics.csv" | awk -F, '{ if ($2 > 0) printf "%.2f", $1 / $2 }')
  march=$(awk '$1 == "march" {print $2}' "$out/dvr.log")
  row "$dvr_preset, $dvr_steps steps ($device)" ok "$rate steps/s; march $march ms/step (phases in $out/dvr.log)"
else
  row "$dvr_preset, $dvr_steps steps ($device)" FAILED "$out/dvr.log"
  failed+=("dvr training")
fi

{
  echo "| part | result | figures |"
  echo "|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$out/summary.md"
grep -E '^BM_.*(cuda|Cuda)' "$out/bench.log" | grep -v 'ERROR OCCURRED' | awk '{print "  " $1 ": " $2 " " $3}' | head -40
# The tiled DIB-R rasterizer against the brute-force baseline of the same run (issue targets: >= 20x).
ms() { awk -v n="$1" '$1 == n {t = $2; if ($3 == "us") t /= 1000; if ($3 == "s") t *= 1000; print t}' "$out/bench.log"; }
for size in 64/64 128/224; do
  for dev in Cpu Cuda; do
    brute=$(ms "BM_RasterizeForwardBackward${dev}BruteForce/$size/real_time")
    [[ -z "$brute" ]] && brute=$(ms "BM_RasterizeForwardBackward${dev}BruteForce/$size/iterations:1/real_time")
    tiled=$(ms "BM_RasterizeForwardBackward${dev}/$size/real_time")
    [[ -z "$tiled" ]] && tiled=$(ms "BM_RasterizeForwardBackward${dev}/$size/iterations:1/real_time")
    [[ -n "$brute" && -n "$tiled" ]] &&
      awk -v d="$dev" -v s="$size" -v b="$brute" -v t="$tiled" 'BEGIN {printf "  DIB-R fwd+bwd %s (B/S %s): tiled %.3f ms, brute force %.1f ms, %.1fx\n", d, s, t, b, b / t}'
  done
done
for s in "${skipped[@]}"; do echo "gpu-check: skipped: $s"; done
if ((${#failed[@]} > 0)); then
  echo "gpu-check: FAILED: ${failed[*]}"
  exit 1
fi
echo "gpu-check: ok ($mode)"
