#!/usr/bin/env bash
# End-to-end test of a point method in the studio, clicked by name through the --ui-map file under Xvfb: a DIFFER
# run trained by the CLI is opened (the views show its latest checkpoint), and the 3D view must show a
# coloured point cloud (not a mesh) with the GT overlay; the point-size slider must change the sprite size; the
# distance colouring, the input camera and Fit must take effect; with
# "ASCII PLY" ticked, Export must write a text PLY with colours. The window close must end it with exit code 0.
#   studio_e2e_points.sh DIBR_STUDIO DIBR STUDIO_CHECK UI_QUERY X11_CLOSE
set -euo pipefail

source "$(dirname "$0")/e2e_lib.sh"
[[ $# -eq 5 ]] || die "usage: studio_e2e_points.sh DIBR_STUDIO DIBR STUDIO_CHECK UI_QUERY X11_CLOSE"
require_tools
run_under_xvfb "$0" "$@"

studio=$1 dibr=$2 check=$3 ui_query=$4 close_window=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/dibr_studio_points.XXXXXX")
pid=""
trap cleanup EXIT
keep=1

export XDG_CONFIG_HOME="$work/config" DIBR_CACHE="$work/cache"
export LIBGL_ALWAYS_SOFTWARE=1

echo "studio_e2e: a tiny dataset and a DIFFER run in $work"
"$dibr" make-sample "$work/data" --objects-per-class 3 --points 3000 --supersample 1 >"$work/make_sample.log" 2>&1 ||
  { cat "$work/make_sample.log" >&2; die "dibr make-sample failed"; }
"$dibr" train --preset differ-quick --data "$work/data" --out "$work/differ" --max-steps 3 --batch 2 --views 2 \
  --size 32 --points 300 --workers 1 --preview-count 2 --device cpu >"$work/train.log" 2>&1 ||
  { cat "$work/train.log" >&2; die "training differ-quick failed"; }

"$studio" --data "$work/data" --out "$work/differ" --ui-map "$work/ui_map.json" --window 1280x760 \
  --screenshot-dir "$work/shots" >"$work/studio.log" 2>&1 &
pid=$!
find_window
wait_until 60 "the studio to be ready with the DIFFER run" state_is /run/loss_rows 3

# A reopened run shows its latest checkpoint.
wait_until 60 "the checkpoint's point cloud in the 3D view" state_is /viewport/has_cloud true
state_has /showing "checkpoint" || die "the views do not show the checkpoint: $(state /showing)"
state_is /prediction_kind "point cloud" || die "the shown prediction is not a point cloud: $(state /prediction_kind)"
state_is /viewport/has_mesh false || die "a point method's prediction was drawn as a mesh"
state_is /viewport/gt_points true || die "the GT overlay is off"

before=$(state /viewport/cloud_point_size)
point_size_changed() { [[ "$(state /viewport/cloud_point_size)" != "$before" ]]; }
click viewport.point_size
wait_until 10 "the point size to follow the slider" point_size_changed

# Views for single-image reconstruction: distance colouring, the input camera over its picture, fit-to-view.
click viewport.distance
wait_until 20 "the distance colouring" state_has /viewport/distance_summary "GT -> prediction"
state_is /viewport/distance_colors true || die "the distance colouring is not on"
click viewport.input_camera
wait_until 20 "the input camera view" state_is /viewport/input_camera true
click viewport.input_camera
wait_until 20 "the orbit view again" state_is /viewport/input_camera false
orbit=$(state /viewport/view_matrix)
view_changed() { [[ "$(state /viewport/view_matrix)" != "$orbit" ]]; }
click viewport.fit
wait_until 10 "Fit to frame the cloud" view_changed
click viewport.distance
wait_until 20 "the prediction's own colours again" state_is /viewport/distance_summary ""

click export.tab:files
click export.ply_ascii
wait_until 10 "ASCII PLY to be chosen" state_is /ply_encoding ascii
click export.obj
wait_until 20 "the exported PLY" first_file "$work/differ/exports/*.ply"
ply=$(ls "$work"/differ/exports/*.ply | head -n 1)
head -n 2 "$ply" | grep -qx "format ascii 1.0" || die "$ply is not an ASCII PLY"
grep -qx "element vertex 300" "$ply" || die "$ply does not hold the 300 predicted points"
grep -qx "property uchar red" "$ply" || die "$ply has no colours"

key ctrl+p
wait_until 20 "the screenshot" first_file "$work/shots/studio_*[0-9].png"
png=$(ls "$work"/shots/studio_*[0-9].png | head -n 1)
"$check" screenshot "$png" "${png%.png}.regions.json" viewport silhouettes loss_plot || die "screenshot check failed ($png)"

# Live view before any training: nothing is shown, and the 3D view must not keep the checkpoint's cloud.
key ctrl+k
wait_until 20 "the 3D view to empty in the live view" state_is /viewport/has_cloud false

close_and_expect_clean_exit
keep=0
echo "studio_e2e_points: ok"
