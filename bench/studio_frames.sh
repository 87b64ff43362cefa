#!/usr/bin/env bash
# Frame rate of dibr-studio while it trains (the studio issue asks for 60 fps, never below 30).
# Runs the real studio under Xvfb (Mesa llvmpipe unless a GPU display is given with DISPLAY and
# DIBR_BENCH_USE_DISPLAY=1) on a small sample, starts training, samples the --ui-map file once a second
# and prints fps (ImGui's running average), the slowest frame of each second, and training it/s.
#   bench/studio_frames.sh [BUILD_DIR] [SECONDS] [WINDOW]     (defaults: build, 30, 1600x960)
set -euo pipefail
build=$(realpath "${1:-build}") seconds=${2:-30} window=${3:-1600x960}
studio="$build/app/dibr-studio" dibr="$build/trainer/dibr"
for f in "$studio" "$dibr"; do [[ -x "$f" ]] || { echo "studio_frames: $f is not built" >&2; exit 1; }; done

if [[ -z "${DIBR_BENCH_UNDER_XVFB:-}" && -z "${DIBR_BENCH_USE_DISPLAY:-}" ]]; then
  export DIBR_BENCH_UNDER_XVFB=1
  exec xvfb-run -a -s "-screen 0 2000x1200x24" "$0" "$build" "$seconds" "$window"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dibr_studio_frames.XXXXXX")
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
export XDG_CONFIG_HOME="$work/config" DIBR_CACHE="$work/cache"
"$dibr" make-sample "$work/data" --objects-per-class 8 --points 3000 >/dev/null 2>&1
"$studio" --data "$work/data" --out "$work/run" --preset quick --max-steps 100000 --start \
  --ui-map "$work/ui_map.json" --window "$window" >"$work/studio.log" 2>&1 &
pid=$!
# Read with grep, not a JSON tool: a helper that loads LibTorch would take the CPU being measured.
number() { grep -o "\"$1\": [0-9]*" "$work/ui_map.json" 2>/dev/null | head -n1 | grep -o '[0-9]*$' || true; }
step() { grep -o 'running step [0-9]*' "$work/ui_map.json" 2>/dev/null | head -n1 | grep -o '[0-9]*$' || true; }

for _ in $(seq 120); do [[ -n "$(step)" && "$(step)" -ge 20 ]] && break; sleep 0.5; done
[[ -n "$(step)" ]] || { echo "studio_frames: training did not start" >&2; tail "$work/studio.log" >&2; exit 1; }
sleep 2  # past warm-up
first_step=$(step) start=$SECONDS fps=() worst=()
while ((SECONDS - start < seconds)); do
  sleep 1
  fps+=("$(number fps)")
  worst+=("$(number worst_ms_last_second)")
done
last_step=$(step)
elapsed=$((SECONDS - start))
sorted_fps=$(printf '%s\n' "${fps[@]}" | sort -n)
echo "studio_frames: ${#fps[@]} samples over ${elapsed}s while training (quick preset, $window window)"
echo "  fps (ImGui average): min $(head -n1 <<<"$sorted_fps"), median $(sed -n "$(((${#fps[@]} + 1) / 2))p" <<<"$sorted_fps"), max $(tail -n1 <<<"$sorted_fps")"
echo "  slowest frame per second: max $(printf '%s\n' "${worst[@]}" | sort -n | tail -n1) ms, median $(printf '%s\n' "${worst[@]}" | sort -n | sed -n "$(((${#worst[@]} + 1) / 2))p") ms"
rate=$(awk -v a="$first_step" -v b="$last_step" -v t="$elapsed" 'BEGIN { printf "%.1f", (b - a) / t }')
echo "  training: $rate it/s ($first_step -> $last_step)"
