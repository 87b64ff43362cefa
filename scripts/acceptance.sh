#!/usr/bin/env bash
# The learning check of every method's quick preset on the built-in sample (minutes; not part of CI):
# for each method and seed, the test chamfer of the untrained network (a step-0 checkpoint) and after the quick
# preset, with the training wall time. Fails when a run lowers the chamfer by less than MIN_DROP percent or
# trains longer than MAX_SECONDS (default 300; 600 for dvr, whose quick preset is sized for 10 minutes).
#   scripts/acceptance.sh                       # every method, seed 0
#   SEEDS="0 1 2" METHODS=softras scripts/acceptance.sh
# Needs a build (BUILD, default build). Writes OUT (default runs/acceptance)/<preset>_seed<N>/ and a Markdown
# table OUT/acceptance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
out=${OUT:-runs/acceptance}
methods=${METHODS:-"dibr softras nmr drwr 2dpm capnet differ dvr"}
seeds=${SEEDS:-0}
min_drop=${MIN_DROP:-30}
max_seconds=${MAX_SECONDS:-300}
dibr="$build/trainer/dibr"
[[ -x "$dibr" ]] || { echo "acceptance.sh: $dibr not found; build first (scripts/test.sh or cmake --build $build)" >&2; exit 2; }

quick_preset() {
  case "$1" in
    dibr) echo quick ;;
    *) echo "$1-quick" ;;
  esac
}

# mean_of_class_means x100 from a chamfer report's JSON
chamfer_of() {
  sed -n 's/.*"mean_of_class_means": *\([-0-9.eE+]*\).*/\1/p' "$1" | head -n 1 | awk '{printf "%.3f", 100 * $1}'
}

score() {  # checkpoint dir -> chamfer x100
  "$dibr" eval --checkpoint "$1/latest.pt" --out "$1/eval" > /dev/null
  "$dibr" chamfer --pred "$1/eval" --out "$1/chamfer" > /dev/null
  chamfer_of "$1/chamfer.json"
}

mkdir -p "$out"
table="$out/acceptance.md"
{
  echo "| method | preset | seed | untrained chamfer ×100 | trained chamfer ×100 | drop | training wall time | steps/s |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|"
} > "$table"
failed=0
for method in $methods; do
  preset=$(quick_preset "$method")
  for seed in $seeds; do
    dir="$out/${preset}_seed$seed"
    rm -rf "$dir"
    "$dibr" train --preset "$preset" --seed "$seed" --max-steps 0 --out "$dir/untrained" > /dev/null
    before=$(score "$dir/untrained")
    start=$(date +%s.%N)
    "$dibr" train --preset "$preset" --seed "$seed" --out "$dir/trained" --log-every 100
    seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}')
    after=$(score "$dir/trained")
    steps=$(tail -n 1 "$dir/trained/metrics.csv" | cut -d, -f1)
    drop=$(awk -v a="$before" -v b="$after" 'BEGIN {printf "%.1f", 100 * (a - b) / a}')
    rate=$(awk -v s="$steps" -v t="$seconds" 'BEGIN {printf "%.2f", s / (t > 0 ? t : 1)}')
    verdict=ok
    if awk -v d="$drop" -v m="$min_drop" 'BEGIN {exit !(d < m)}'; then verdict="FAIL: drop below $min_drop %"; failed=1; fi
    limit=$max_seconds
    # DVR's quick preset is sized for 10 minutes (its issue): a decoder evaluation per march step and ray.
    [[ "$method" == dvr && -z "${MAX_SECONDS:-}" ]] && limit=600
    if (( seconds > limit )); then verdict="FAIL: over $limit s"; failed=1; fi
    echo "| $method | $preset | $seed | $before | $after | −$drop % | $seconds s | $rate |" >> "$table"
    echo "acceptance.sh: $preset seed $seed: chamfer x100 $before -> $after (-$drop %) in $seconds s: $verdict"
  done
done
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u +%F)"
cat "$table"
exit $failed
