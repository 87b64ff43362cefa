#!/usr/bin/env bash
# End-to-end test of the studio's dataset, training and export controls, clicked by name through the
# --ui-map file with real X events under Xvfb:
#   dataset: drag and drop a folder (XDND) and a file, a folder that is no dataset, the recent-folders
#            list, the in-app folder browser (type a path, double-click a sub-folder, Up, a bad path),
#            a typed path that does not exist;
#   training: Start, Pause, Resume, Space, Stop buttons and keys, resume from latest.pt, Ctrl+Shift+T;
#   greyed controls: Stop, Pause and Batch export say why before training, Start while it runs;
#   export: batch export of the test split, chamfer report (table, CSV, JSON), the Pictures tab (a click shows
#           that test object), the save dialog (extension added, an existing name kept), an unreadable
#           checkpoint, a failing OBJ export;
#   images: drop a PNG, wait for its mesh in the 3D view, export it from the Images panel and read it back.
# Every error must show as a message while the studio keeps its dataset and training state; the window
# close must end it with exit code 0.
#   studio_e2e_workflow.sh DIBR_STUDIO DIBR STUDIO_CHECK UI_QUERY X11_CLOSE X11_DROP
set -euo pipefail

source "$(dirname "$0")/e2e_lib.sh"
[[ $# -eq 6 ]] || die "usage: studio_e2e_workflow.sh DIBR_STUDIO DIBR STUDIO_CHECK UI_QUERY X11_CLOSE X11_DROP"
require_tools
run_under_xvfb "$0" "$@"

studio=$1 dibr=$2 check=$3 ui_query=$4 close_window=$5 drop=$6
work=$(mktemp -d "${TMPDIR:-/tmp}/dibr_studio_workflow.XXXXXX")
pid=""
trap cleanup EXIT
keep=1

export XDG_CONFIG_HOME="$work/config" DIBR_CACHE="$work/cache"
export LIBGL_ALWAYS_SOFTWARE=1

echo "studio_e2e: making tiny datasets in $work"
"$dibr" make-sample "$work/data_a" --objects-per-class 3 --points 3000 --supersample 1 >"$work/make_sample.log" 2>&1 ||
  { cat "$work/make_sample.log" >&2; die "dibr make-sample failed"; }
classes_a=$(find "$work/data_a" -mindepth 1 -maxdepth 1 -type d | wc -l)
cp -r "$work/data_a" "$work/data_b"
rm -rf "$work/data_b/$(ls "$work/data_b" | head -n 1)"
classes_b=$((classes_a - 1))
mkdir "$work/not_a_dataset"
echo "not a folder" >"$work/a_file"

"$studio" --data "$work/data_a" --out "$work/run" --preset quick --max-steps 5000 --size 32 --batch 2 \
  --checkpoint-every 5 --keep-every 5 --screenshot-dir "$work/shots" --ui-map "$work/ui_map.json" --window 1280x760 \
  >"$work/studio.log" 2>&1 &
pid=$!
find_window
wait_until 30 "dataset A to be checked" state_is /dataset/classes "$classes_a"
errors=$(state /errors)

# ---- dataset -----------------------------------------------------------------------------------------
"$drop" "$wid" "$work/data_b" || die "the drop of a folder failed"
wait_until 30 "the dropped dataset B" state_is /dataset/root "$work/data_b"
state_is /dataset/classes "$classes_b" || die "dataset B shows $(state /dataset/classes) classes, expected $classes_b"
grep -qF "\"$work/data_b\"" "$XDG_CONFIG_HOME/dibr-studio/recent.json" || die "data_b is not in the recent folders file"

"$drop" "$wid" "$work/a_file" || die "the drop of a file failed"
wait_until 10 "an error for the dropped file" log_has "dropped '$work/a_file' is neither a folder (a dataset) nor an image"
"$drop" "$wid" "$work/not_a_dataset" || die "the drop of an empty folder failed"
wait_until 30 "an error for a folder without a dataset" log_has "holds no class folder with softras_"
state_is /dataset/root "$work/data_b" || die "a bad folder replaced the dataset in use (now '$(state /dataset/root)')"
# The UI map trails the log by up to 100 ms.
wait_until 5 "both errors among the studio's messages" eval '(( $(state /errors) >= errors + 2 ))'

click dataset.recent
wait_until 10 "the recent-folders list" control_shown "dataset.recent:$work/data_a"
click "dataset.recent:$work/data_a"
wait_until 30 "data_a picked from the recent folders" state_is /dataset/root "$work/data_a"

key ctrl+o
wait_until 10 "the folder browser" state_is /browser/open true
type_into browser.path "$work"
wait_until 10 "the browser at the work folder" state_is /browser/path "$work"
double_click_until browser.entry:data_a "the browser inside data_a" state_is /browser/path "$work/data_a"
click browser.up
wait_until 10 "the browser back at the work folder (Up)" state_is /browser/path "$work"
type_into browser.path "$work/no_such_folder"
wait_until 10 "the browser's error for a missing folder" state_has /browser/error "no_such_folder"
state_is /browser/path "$work" || die "the browser left its folder for a missing one"
double_click_until browser.entry:data_b "the browser inside data_b" state_is /browser/path "$work/data_b"
click browser.use
wait_until 30 "dataset B chosen in the browser" state_is /dataset/root "$work/data_b"
state_is /browser/open false || die "the browser is still open"

type_into dataset.path "$work/no_such_folder"
wait_until 10 "an error for a typed path that does not exist" log_has "'$work/no_such_folder' is not a folder"
state_is /dataset/root "$work/data_b" || die "a typed bad path replaced the dataset in use"

# ---- training ----------------------------------------------------------------------------------------
# The preset switch keeps what the command line set (--size 32, --batch 2, --max-steps, --out).
pick_preset() {
  click training.preset
  wait_until 10 "the preset list" control_shown "training.preset:$1"
  click "training.preset:$1"
  wait_until 10 "the $1 preset" state_is /config/preset "$1"
  state_is /config/data/image_size 32 || die "the switch to $1 dropped --size 32 (image_size $(state /config/data/image_size))"
  state_is /config/data/batch_objects 2 || die "the switch to $1 dropped --batch 2"
  state_is /config/optim/max_steps 5000 || die "the switch to $1 dropped --max-steps"
  state_is /config/run/out_dir "$work/run" || die "the switch to $1 dropped --out"
}
pick_preset paper
state_is /config/model/decoder_hidden 256 || die "the paper preset did not set the decoder width"
pick_preset quick
state_is /config/model/decoder_hidden 64 || die "back on quick, the decoder width is $(state /config/model/decoder_hidden)"

# Controls that cannot act are greyed with the reason (their tooltip; the UI map lists them).
state_is /unavailable/training.stop "nothing is training" || die "Stop is not greyed before training: '$(state /unavailable/training.stop)'"
state_is /unavailable/training.pause "nothing is training" || die "Pause is not greyed before training"
state_has /unavailable/export.batch "no checkpoint in" || die "Batch export is not greyed without a checkpoint: '$(state /unavailable/export.batch)'"
state_is /unavailable/training.start "" || die "Start is greyed before training: '$(state /unavailable/training.start)'"
click training.start
wait_until 60 "training to start (Start button)" title_matches "running step [1-9]"
wait_until 10 "Start greyed while training" state_is /unavailable/training.start "training is running"
state_is /unavailable/training.stop "" || die "Stop is greyed while training: '$(state /unavailable/training.stop)'"
wait_until 150 "a checkpoint" first_file "$work/run/step_*.pt"
click training.pause
wait_until 30 "training to pause (Pause button)" title_has "paused step"
paused_at=$(title_step)
sleep 3
[[ "$(title_step)" == "$paused_at" ]] || die "the step moved from $paused_at to $(title_step) while paused"
click training.start
wait_until 30 "training to resume (Resume button)" title_has "running step"
wait_until 60 "steps after resuming" eval '(( $(title_step) > paused_at ))'
key space
wait_until 30 "training to pause (Space)" title_has "paused step"
key space
wait_until 30 "training to resume (Space)" title_has "running step"
click training.stop
wait_until 60 "training to stop (Stop button)" title_has "stopped step"
stopped_at=$(title_step)
[[ -f "$work/run/latest.pt" ]] || die "no latest.pt after Stop"
key ctrl+t
wait_until 60 "training to resume from latest.pt (Ctrl+T)" log_has "resuming training from $work/run"
wait_until 60 "steps after the restart" eval '(( $(title_step) > stopped_at ))'
key ctrl+shift+t
wait_until 60 "training to stop (Ctrl+Shift+T)" title_has "stopped step"

# ---- export ------------------------------------------------------------------------------------------
test_objects=$(state /dataset/splits/test)
((test_objects > 0)) || die "dataset B has no test objects"
click export.batch
wait_until 240 "the batch export of the test split" log_has "batch export: $test_objects/$test_objects objects written"
# The log line comes first; the state file of the frame that shows the new predictions folder may come a frame later.
predictions_dir_ready() { local d; d=$(state /predictions_dir); [[ -n "$d" && -d "$d" ]]; }
wait_until 10 "the batch export folder in the studio's state" predictions_dir_ready
pred_dir=$(state /predictions_dir)
[[ -d "$pred_dir" ]] || die "the batch export folder '$pred_dir' does not exist"
objs=$(find "$pred_dir" -name '*.obj' | wc -l)
((objs == test_objects)) || die "$objs OBJ files in $pred_dir, expected $test_objects"
"$check" obj "$(find "$pred_dir" -name '*.obj' | head -n 1)" 642 1280 || die "a batch-exported OBJ does not read back"

click export.chamfer
wait_until 240 "the chamfer report" state_has /chamfer_report/saved_as "$pred_dir/chamfer"
prefix=$(state /chamfer_report/saved_as)
"$check" chamfer-report "$prefix" "$classes_b" "$test_objects" || die "the chamfer report is wrong"
click export.screenshot
wait_until 20 "the screenshot" first_file "$work/shots/studio_*[0-9].png"
png=$(ls "$work"/shots/studio_*[0-9].png | head -n 1)
"$check" screenshot "$png" "${png%.png}.regions.json" export.chamfer_table viewport || die "the chamfer table is not drawn ($png)"

# ---- the batch export's pictures: a click shows that test object -----------------------------------------
picture_id=$(cd "$pred_dir" && find . -name '*_0.png' | sed 's|^\./||; s|_0\.png$||' | LC_ALL=C sort | head -n 1)
[[ -n "$picture_id" ]] || die "the batch export wrote no pictures in $pred_dir"
click export.tab:pictures
wait_until 10 "the batch export's pictures in the Pictures tab" control_shown "export.picture:$picture_id"
click "export.picture:$picture_id"
wait_until 120 "the clicked picture's object in the 3D view" state_is /selected_id "$picture_id"
title_has "view: checkpoint step" || die "the clicked object is not shown from the checkpoint"
click export.tab:files
key ctrl+k
wait_until 30 "the live view again (Ctrl+K)" title_has "view: live step"

# ---- a dropped picture, reconstructed with the newest checkpoint, shown and exported --------------------
picture="$work/picture.png"
cp "$(find "$work/data_b" -path '*/image/0000.png' | sort | head -n 1)" "$picture"
"$drop" "$wid" "$picture" || die "the drop of an image failed"
wait_until 10 "the dropped picture in the gallery" state_is /images/count 1
wait_until 120 "the dropped picture's mesh" state_is /images/items/0/state done
state_is /view_subject image || die "the 3D view does not show the dropped picture ($(state /view_subject))"
wait_until 10 "the picture's mesh in the 3D view" state_is /viewport/has_mesh true
state_has /images/items/0/mask_source "background" || die "the picture's mask came from '$(state /images/items/0/mask_source)'"
wait_until 10 "the Images panel's Export button" control_shown images.export
click images.export
wait_until 20 "the picture's OBJ export" log_has "(reconstructed from $picture)"
obj=$(compgen -G "$work/run/exports/picture_step*.obj" | head -n 1)
[[ -n "$obj" ]] || die "no exports/picture_step*.obj after Export"
"$check" obj "$obj" 642 1280 || die "the exported OBJ of the dropped picture does not read back"

# The save dialog (the picture's mesh is on show): the extension is added, an existing name is kept.
mkdir -p "$work/saved"
click export.save_as
wait_until 10 "the save dialog" state_is /browser/saving true
type_into browser.path "$work/saved"
wait_until 10 "the save dialog in the saved folder" state_is /browser/path "$work/saved"
type_into browser.file_name "my_mesh"
wait_until 20 "the mesh written from the save dialog" log_has "wrote $work/saved/my_mesh.obj"
"$check" obj "$work/saved/my_mesh.obj" 642 1280 || die "the mesh saved from the dialog does not read back"
state_is /export_path "$work/saved/my_mesh.obj" || die "the Export field does not keep the saved path: '$(state /export_path)'"
click export.save_as
wait_until 10 "the save dialog again, at the saved name" state_has /browser/save_target "$work/saved/my_mesh_1.obj"
click browser.save
wait_until 20 "a second save beside the first (never overwritten)" log_has "wrote $work/saved/my_mesh_1.obj"

# ---- an unreadable checkpoint (its sidecar says step 99999, the file is garbage) ----------------------
listed=$(state /checkpoints)
echo '{"loss": 0.5, "step": 99999}' >"$work/run/step_99999.pt.json"
echo "not a checkpoint" >"$work/run/step_99999.pt"
wait_until 10 "the unreadable checkpoint listed (the run folder is rescanned every second)" eval '(( $(state /checkpoints) > listed ))'
key ctrl+k
wait_until 30 "an error for the unreadable checkpoint" log_has "checkpoint: "
key Left
wait_until 60 "a good checkpoint in the views after the bad one" title_has "view: checkpoint step"

type_into export.obj_path "$work/a_file/mesh.obj"
wait_until 10 "the typed path in the export field" state_is /export_path "$work/a_file/mesh.obj"
errors=$(state /errors)
click export.obj
wait_until 10 "an error for an OBJ path that cannot be written" log_has "export:"
wait_until 5 "the failed export among the studio's messages" eval '(( $(state /errors) > errors ))'
[[ "$(state /title)" == *"stopped step"* ]] || die "the training state changed after a failed export: $(state /title)"

close_and_expect_clean_exit
keep=0
echo "studio_e2e: PASS"
