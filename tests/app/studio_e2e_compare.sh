#!/usr/bin/env bash
# End-to-end test of comparing runs in the studio, clicked by name through the --ui-map file under Xvfb: a DIB-R
# run is open, an NMR run trained by the CLI is added through the folder browser (its curves are overlaid), Compare
# runs in the background, and then the table, the picture grid, a column of silhouettes per run and the 3D view's
# run chooser show both; a click on the NMR run's silhouette puts its mesh in the 3D view. The window close must end
# it with exit code 0.
#   studio_e2e_compare.sh DIBR_STUDIO DIBR STUDIO_CHECK UI_QUERY X11_CLOSE
set -euo pipefail

source "$(dirname "$0")/e2e_lib.sh"
[[ $# -eq 5 ]] || die "usage: studio_e2e_compare.sh DIBR_STUDIO DIBR STUDIO_CHECK UI_QUERY X11_CLOSE"
require_tools
run_under_xvfb "$0" "$@"

studio=$1 dibr=$2 check=$3 ui_query=$4 close_window=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/dibr_studio_compare.XXXXXX")
pid=""
trap cleanup EXIT
keep=1

export XDG_CONFIG_HOME="$work/config" DIBR_CACHE="$work/cache"
export LIBGL_ALWAYS_SOFTWARE=1

echo "studio_e2e: a tiny dataset and two runs of different methods in $work"
"$dibr" make-sample "$work/data" --objects-per-class 3 --points 3000 --supersample 1 >"$work/make_sample.log" 2>&1 ||
  { cat "$work/make_sample.log" >&2; die "dibr make-sample failed"; }
for preset in quick nmr-quick; do
  "$dibr" train --preset "$preset" --data "$work/data" --out "$work/$preset" --max-steps 3 --batch 2 --workers 1 \
    --preview-count 2 --device cpu >"$work/train_$preset.log" 2>&1 || { cat "$work/train_$preset.log" >&2; die "training $preset failed"; }
done

"$studio" --data "$work/data" --out "$work/quick" --ui-map "$work/ui_map.json" --window 1280x760 \
  --screenshot-dir "$work/shots" >"$work/studio.log" 2>&1 &
pid=$!
find_window
wait_until 60 "the studio to be ready with the DIB-R run" state_is /run/loss_rows 3

click export.tab:compare
click compare.add
wait_until 10 "the folder browser" state_is /browser/open true
type_into browser.path "$work/nmr-quick"
wait_until 10 "the browser in the NMR run" state_is /browser/path "$work/nmr-quick"
click browser.use
wait_until 10 "the NMR run in the comparison" state_has /compare/runs "nmr-quick"
log_has "overlay: 3 steps of $work/nmr-quick/metrics.csv" || die "the NMR run's curves were not overlaid"

click compare.start
wait_until 240 "the comparison report" state_has /compare/report/runs "nmr · nmr-quick"
state_has /compare/report/runs "dibr · quick" || die "the run on show is not in the comparison"
wait_until 30 "a column of silhouettes per compared run" control_shown silhouettes.compare:1:0
first_file "$(state /compare/report/dir)/compare_grid.png" || die "no compare_grid.png"
control_shown compare.table || die "no comparison table"
control_shown compare.grid || die "no comparison picture"
control_shown viewport.compare_run || die "no run chooser in the 3D view"

click silhouettes.compare:1:0
wait_until 10 "the NMR run's mesh in the 3D view" state_is /compare/view 1

key ctrl+p
wait_until 20 "the screenshot" first_file "$work/shots/studio_*[0-9].png"
png=$(ls "$work"/shots/studio_*[0-9].png | head -n 1)
"$check" screenshot "$png" "${png%.png}.regions.json" viewport silhouettes loss_plot || die "screenshot check failed ($png)"

close_and_expect_clean_exit
keep=0
echo "studio_e2e_compare: ok"
