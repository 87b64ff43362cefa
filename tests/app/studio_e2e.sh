#!/usr/bin/env bash
# End-to-end test of dibr-studio with real X input events: under Xvfb (Mesa llvmpipe GL), start training
# with Ctrl+T, wait for a checkpoint and a live snapshot, take a screenshot with Ctrl+P and check that the
# 3D view, the silhouettes and the loss curves are drawn, hover the loss plot for its read-out, pick the
# next preview object with Down, rotate, zoom, pan and reset the 3D view with the mouse, scrub to a checkpoint with Ctrl+K / Left, export an OBJ with Ctrl+E and
# read it back (checkpoints and preview objects are also picked by clicking), then close the window like a window manager does and expect exit code 0.
#   studio_e2e.sh DIBR_STUDIO DIBR STUDIO_CHECK UI_QUERY X11_CLOSE
set -euo pipefail

source "$(dirname "$0")/e2e_lib.sh"
[[ $# -eq 5 ]] || die "usage: studio_e2e.sh DIBR_STUDIO DIBR STUDIO_CHECK UI_QUERY X11_CLOSE"
require_tools
run_under_xvfb "$0" "$@"

studio=$1 dibr=$2 check=$3 ui_query=$4 close_window=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/dibr_studio_e2e.XXXXXX")
pid=""
trap cleanup EXIT
keep=1  # until the end: a failure leaves the files for a look

# Our own config and cache folders: the user's recent-folders list and sample cache are not touched.
export XDG_CONFIG_HOME="$work/config" DIBR_CACHE="$work/cache"
export LIBGL_ALWAYS_SOFTWARE=1

echo "studio_e2e: making a tiny dataset in $work/data"
"$dibr" make-sample "$work/data" --objects-per-class 4 --points 3000 --supersample 1 >"$work/make_sample.log" 2>&1 ||
  { cat "$work/make_sample.log" >&2; die "dibr make-sample failed"; }

"$studio" --data "$work/data" --out "$work/run" --preset quick --max-steps 20 --size 32 --batch 2 \
  --checkpoint-every 5 --keep-every 5 --screenshot-dir "$work/shots" --ui-map "$work/ui_map.json" --window 1280x760 \
  >"$work/studio.log" 2>&1 &
pid=$!

find_window
wait_until 30 "the studio to be ready" title_has "idle"

key ctrl+t
wait_until 60 "training to start" title_matches "(running|finished) step"
wait_until 150 "a checkpoint" first_file "$work/run/step_*.pt"
wait_until 60 "a live snapshot in the views" title_has "view: live step"

key ctrl+p
wait_until 20 "the screenshot" first_file "$work/shots/studio_*[0-9].png"
png=$(ls "$work"/shots/studio_*[0-9].png | head -n 1)
"$check" screenshot "$png" "${png%.png}.regions.json" viewport silhouettes loss_plot || die "screenshot check failed ($png)"

# Hover read-out of the loss curves: the pointer over the plot shows the values of a step.
point=$("$ui_query" point "$work/ui_map.json" loss_plot) || die "no loss plot on screen"
focus
xdotool mousemove --window "$wid" $point
wait_until 20 "the loss read-out under the pointer" eval '[[ "$(state /loss_plot/hovered_step)" =~ ^[0-9]+$ ]]'

state_is /selected_object 0 || die "the 3D view does not start on the first preview object"
key Down
wait_until 10 "the second preview object in the 3D view (Down)" state_is /selected_object 1

# 3D view with the mouse: left drag rotates, the wheel zooms, right drag pans, a double click resets.
read -r vx vy <<<"$("$ui_query" point "$work/ui_map.json" viewport)" || die "no 3D view on screen"
view() { state /viewport/view_matrix; }
view_is_not() { [[ "$(view)" != "$1" ]]; }
drag() {  # drag BUTTON DX DY
  xdotool mousemove --window "$wid" "$vx" "$vy" mousedown "$1"
  for f in 1 2 3 4 5; do
    sleep 0.1
    xdotool mousemove --window "$wid" $((vx + $2 * f / 5)) $((vy + $3 * f / 5))
  done
  sleep 0.2
  xdotool mouseup "$1"
}
focus
initial=$(view)
drag 1 120 40
wait_until 10 "the 3D view rotated (left drag)" view_is_not "$initial"
before=$(view)
xdotool mousemove --window "$wid" "$vx" "$vy" click --repeat 3 --delay 100 4
wait_until 10 "the 3D view zoomed (wheel)" view_is_not "$before"
before=$(view)
drag 3 60 -30
wait_until 10 "the 3D view panned (right drag)" view_is_not "$before"
double_click_until viewport "the 3D view reset" state_is /viewport/view_matrix "$initial"
for toggle in wireframe:viewport.wireframe gt_points:viewport.points; do
  was=$(state "/viewport/${toggle%%:*}")
  click "${toggle#*:}"
  wait_until 10 "the ${toggle%%:*} toggle" eval '! state_is "/viewport/${toggle%%:*}" "$was"'
done
# Training runs on the CPU here, so meshes must take the host-upload path, and the reason is reported.
state_is /viewport/upload_path "host upload" || die "meshes reach GL by '$(state /viewport/upload_path)', expected the host upload"
[[ -n "$(state /viewport/interop)" && "$(state /viewport/interop)" != *"not decided"* ]] ||
  die "the studio does not say why CUDA-GL interop is (not) used: '$(state /viewport/interop)'"
echo "studio_e2e: meshes reach GL by host upload; interop: $(state /viewport/interop)"

# Two checkpoints at least, so that Left has one to step back to.
wait_until 150 "a second checkpoint" eval '(( $(state /checkpoints) >= 2 ))'
key ctrl+k
wait_until 60 "a checkpoint in the views" title_has "view: checkpoint step"
wait_until 60 "the checkpoint's previews loaded" state_is /jobs/checkpoint false
shown=$(state /showing)
key Left
wait_until 60 "the views after stepping back (Left)" eval '[[ "$(state /showing)" == "checkpoint step"* && "$(state /showing)" != "$shown" ]]'

# With the mouse: a checkpoint from the table, another from the timeline, a preview object from the grid.
# The timeline's markers move while new checkpoints arrive: wait until training is done and all are listed
# (step_5..step_20; latest.pt holds step 20 too and is one row with step_20.pt), so the click lands where the map says.
wait_until 240 "training to finish" title_has "finished step 20"
wait_until 10 "every checkpoint in the timeline" state_is /checkpoints 4
click checkpoints.step:5
wait_until 60 "checkpoint step 5 from the table" title_matches "view: checkpoint step 5$"
click checkpoints.timeline
wait_until 60 "another checkpoint from the timeline" title_matches "view: checkpoint step (10|15|20)$"
click silhouettes.row:2
wait_until 10 "the third preview object picked in the silhouette grid" state_is /selected_object 2

key ctrl+e
wait_until 20 "the OBJ export" first_file "$work/run/exports/*.obj"
obj=$(ls "$work"/run/exports/*.obj | head -n 1)
[[ "$obj" == *checkpoint* ]] || die "the export '$obj' is not labelled as a checkpoint mesh"
"$check" obj "$obj" 642 1280 || die "exported OBJ check failed"

# A small window: the panels become tabs of one window, and none is cut off.
xdotool windowsize "$wid" 480 320
wait_until 20 "the compact layout at 480x320" state_is /window/compact true
inside_window() {
  local x y
  read -r x y <<<"$("$ui_query" point "$work/ui_map.json" "$1")" || return 1
  ((x >= 0 && x < 480 && y >= 0 && y < 320))
}
click "tab:3D view"
wait_until 10 "the 3D view tab" control_shown viewport
inside_window viewport || die "the 3D view is outside the 480x320 window"
click "tab:Checkpoints"
wait_until 10 "the Checkpoints tab" control_shown checkpoints.scrub
inside_window checkpoints.scrub || die "the checkpoint slider is outside the 480x320 window"
if control_shown viewport; then die "the 3D view is still drawn behind the Checkpoints tab"; fi

close_and_expect_clean_exit
[[ -f "$work/run/latest.pt" ]] || die "no latest.pt after closing (training must be stopped with a checkpoint)"
keep=0
echo "studio_e2e: PASS"
