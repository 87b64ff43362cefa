#!/usr/bin/env bash
# Makes README's `dibr reconstruct` example with README's command: a quick-preset checkpoint of the sample dataset
# run on view 0 of the sample's first test chair. Writes docs/reconstruct_input.png and docs/reconstruct_turntable.png.
#   scripts/reconstruct-example.sh [MAX_STEPS]     (default 800, the README's figure)
# Environment: BUILD (default build), DIBR (the dibr binary), WORK (scratch folder, default runs/reconstruct_example),
# DOCS_DIR (default docs), SAMPLE_FLAGS (extra `dibr make-sample` flags; none = the built-in sample).
# tests/trainer/test_cli.cpp (Cli.TheReadmeReconstructExampleIsMadeByItsScript) runs it with 2 steps.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-800}
dibr=${DIBR:-${BUILD:-build}/trainer/dibr}
work=${WORK:-runs/reconstruct_example}
docs=${DOCS_DIR:-docs}
[[ -x "$dibr" ]] || { echo "reconstruct-example: no dibr binary at $dibr (build first, or set DIBR)" >&2; exit 1; }
mkdir -p "$work" "$docs"

# shellcheck disable=SC2086  # SAMPLE_FLAGS is a list of flags
"$dibr" make-sample "$work/sample" ${SAMPLE_FLAGS:-} >/dev/null
chair=sample_chair
id=$(head -n 1 "$work/sample/$chair/softras_test.lst" | tr -d '[:space:]')
[[ -n "$id" ]] || { echo "reconstruct-example: the sample has no test chair" >&2; exit 1; }
cp "$work/sample/$chair/$id/image/0000.png" "$work/chair.png"

# --resume: a run already in WORK is continued (or kept, when it has reached MAX_STEPS).
"$dibr" train --preset quick --data "$work/sample" --out "$work/run" --max-steps "$steps" --resume
# README's command:
"$dibr" reconstruct --checkpoint "$work/run/latest.pt" "$work/chair.png" --out "$work/mine"
cp "$work/mine/chair_input.png" "$docs/reconstruct_input.png"
cp "$work/mine/chair_turntable.png" "$docs/reconstruct_turntable.png"
echo "reconstruct-example: $docs/reconstruct_input.png and $docs/reconstruct_turntable.png (step $steps, test chair $id)"
