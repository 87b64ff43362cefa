#!/usr/bin/env bash
# End-to-end test of the studio's layout and what it remembers, with real X input under Xvfb: drag the gap
# between two columns and between two stacked panels, maximise and restore the 3D view (F11, its button), pick a
# UI scale in the View menu, open Help > About; in the folder browser type "~", see the dataset marked, pick it
# with one click + "Use", reopen it where it was left and close it with Escape. After a clean exit the studio is
# started again without --window: it must come back at the same size, splits and UI scale. A corrupt settings
# file is kept aside (settings.json.bad) with a message, never overwritten.
#   studio_e2e_layout.sh DIBR_STUDIO DIBR UI_QUERY X11_CLOSE
set -euo pipefail

source "$(dirname "$0")/e2e_lib.sh"
[[ $# -eq 4 ]] || die "usage: studio_e2e_layout.sh DIBR_STUDIO DIBR UI_QUERY X11_CLOSE"
require_tools
run_under_xvfb "$0" "$@"

studio=$1 dibr=$2 ui_query=$3 close_window=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/dibr_studio_layout.XXXXXX")
work=$(cd "$work" && pwd -P)
pid=""
trap cleanup EXIT
keep=1

export XDG_CONFIG_HOME="$work/config" DIBR_CACHE="$work/cache" HOME="$work/home"
export LIBGL_ALWAYS_SOFTWARE=1
settings="$XDG_CONFIG_HOME/dibr-studio/settings.json"
mkdir -p "$HOME"

echo "studio_e2e: a tiny dataset in $work/data, and a copy in $HOME/nmr for the folder browser"
"$dibr" make-sample "$work/data" --objects-per-class 2 --points 500 --supersample 1 >"$work/make_sample.log" 2>&1 ||
  { cat "$work/make_sample.log" >&2; die "dibr make-sample failed"; }
cp -r "$work/data" "$HOME/nmr"

launch() {
  "$studio" --data "$work/data" --out "$work/run" --ui-map "$work/ui_map.json" --no-validate "$@" >>"$work/studio.log" 2>&1 &
  pid=$!
  find_window
  wait_until 60 "the studio to draw its panels" control_shown "panel:3D view"
}

# drag NAME DX DY: presses on the named gap, moves the pointer there in two steps and releases.
drag() {
  local x y
  read -r x y <<<"$("$ui_query" point "$work/ui_map.json" "$1")" || die "no '$1' on screen"
  focus
  xdotool mousemove --window "$wid" "$x" "$y"
  wait_until 10 "the pointer over $1" state_is /layout/hovered_splitter "${1#splitter:}"
  xdotool mousedown 1
  wait_until 10 "a drag of $1" state_is /layout/dragging true
  xdotool mousemove --window "$wid" $((x + $2 / 2)) $((y + $3 / 2))
  xdotool mousemove --window "$wid" $((x + $2)) $((y + $3))
  wait_until 10 "$1 to follow the pointer" moved_by "$1" "$2" "$3"
  xdotool mouseup 1
  wait_until 10 "the end of the drag of $1" state_is /layout/dragging false
}
# moved_by NAME DX DY: the gap is within 3 px of where it was plus (DX, DY).
moved_by() {
  local x y w h
  read -r x y w h <<<"$("$ui_query" rect "$work/ui_map.json" "$1")" || return 1
  (( (x - start_x - $2) ** 2 <= 9 && (y - start_y - $3) ** 2 <= 9 ))
}
remember_start() { read -r start_x start_y _ _ <<<"$("$ui_query" rect "$work/ui_map.json" "$1")" || die "no '$1' on screen"; }
width_of() { "$ui_query" rect "$work/ui_map.json" "$1" | cut -d' ' -f3; }
height_of() { "$ui_query" rect "$work/ui_map.json" "$1" | cut -d' ' -f4; }

launch --window 1400x860
wait_until 30 "the studio to be ready" title_has "idle"

# Columns: the gap between the left and the middle column, 120 px to the right.
left_before=$(width_of panel:Dataset)
middle_before=$(width_of panel:Silhouettes)
right_before=$(width_of "panel:3D view")
remember_start splitter:columns:0
drag splitter:columns:0 120 0
(( $(width_of panel:Dataset) - left_before >= 117 )) || die "the left column did not widen by 120 px ($left_before -> $(width_of panel:Dataset))"
(( middle_before - $(width_of panel:Silhouettes) >= 117 )) || die "the middle column did not give the 120 px"
(( $(width_of "panel:3D view") == right_before )) || die "the right column changed although it is not a neighbour"
# Rows: the gap under the 3D view, 80 px up.
view_before=$(height_of "panel:3D view")
remember_start splitter:right:0
drag splitter:right:0 0 -80
(( view_before - $(height_of "panel:3D view") >= 77 )) || die "the 3D view did not shrink by 80 px"
wait_until 10 "the splits to be saved" state_is /settings/saved true
columns=$(state /layout/columns)
right=$(state /layout/right)
grep -qF '"columns"' "$settings" || die "no settings file after a drag"

# Maximise and restore the 3D view.
key F11
wait_until 10 "the 3D view maximised (F11)" state_is /layout/maximise_viewport true
if control_shown panel:Dataset; then die "the Dataset panel is still drawn beside the maximised 3D view"; fi
(( $(width_of "panel:3D view") == 1400 )) || die "the maximised 3D view is not as wide as the window"
click viewport.maximise
wait_until 10 "the 3D view restored (its button)" state_is /layout/maximise_viewport false
wait_until 10 "the Dataset panel back" control_shown panel:Dataset
state_is /layout/columns "$columns" || die "maximising lost the splits"

# View > UI scale > 150 %.
click menu:View
wait_until 10 "the View menu" control_shown menu.ui_scale
point=$("$ui_query" point "$work/ui_map.json" menu.ui_scale)
xdotool mousemove --window "$wid" $point
wait_until 10 "the UI scale sub-menu" control_shown menu.ui_scale:150
click menu.ui_scale:150
wait_until 10 "UI scale 150 %" state_is /window/ui_scale 1.5
(( $(width_of panel:Dataset) >= 570 )) || die "at 150 % the left column is narrower than its minimum (570 px)"

# Help > About.
click menu:Help
wait_until 10 "the Help menu" control_shown menu.about
click menu.about
wait_until 10 "the About window" state_is /help/about true
click about.close
wait_until 10 "the About window closed" state_is /help/about false

# The folder browser: "~" is home, the dataset in it is marked, one click + Use picks it.
key ctrl+o
wait_until 10 "the folder browser" state_is /browser/open true
type_into browser.path "~"
wait_until 10 "home in the browser" state_is /browser/path "$HOME"
wait_until 10 "the dataset marked" state_is /browser/marks/nmr dataset
click browser.entry:nmr
wait_until 10 "nmr/ highlighted" state_is /browser/highlighted nmr
click browser.use
wait_until 10 "the browser closed" state_is /browser/open false
wait_until 60 "the highlighted dataset opened" state_is /dataset/root "$HOME/nmr"
wait_until 10 "the last folder remembered" state_is /browser/last_folder "$HOME/nmr"
# It reopens where the last choice was (an image is picked from no particular folder), and Escape closes it.
key ctrl+i
wait_until 10 "the image browser at the last folder" state_is /browser/path "$HOME/nmr"
key Escape
wait_until 10 "Escape to close the browser" state_is /browser/open false

close_and_expect_clean_exit
grep -qF '"ui_scale": 1.5' "$settings" || die "the UI scale was not saved: $(cat "$settings")"
grep -qF "\"$HOME/nmr\"" "$settings" || die "the browser's last folder was not saved"

# Started again without --window: the same size, splits and scale.
launch
wait_until 10 "the remembered window size" state_is /window/width 1400
state_is /window/height 860 || die "the window height was not remembered: $(state /window/height)"
wait_until 10 "the remembered UI scale" state_is /window/ui_scale 1.5
state_is /layout/columns "$columns" || die "the column splits were not remembered: $(state /layout/columns) vs $columns"
state_is /layout/right "$right" || die "the 3D view's split was not remembered"
close_and_expect_clean_exit

# A corrupt file is kept aside, not overwritten, and the studio says so.
printf '{"window": {"width": 90' >"$settings"
launch --window 1280x760
wait_until 20 "the message about the bad settings" log_has "settings.json.bad"
[[ "$(cat "$settings.bad")" == '{"window": {"width": 90' ]] || die "the corrupt settings file was not kept as it was"
close_and_expect_clean_exit
keep=0
echo "studio_e2e_layout: ok"
