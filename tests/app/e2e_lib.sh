# Shared by the studio end-to-end scripts (sourced, not run). Before using it, set `ui_query`
# (dibr_ui_query), `close_window` (dibr_x11_close) and `work` (a fresh folder); after launching the
# studio, set `pid` and `wid`.
# Controls are found by name through the studio's --ui-map file ($work/ui_map.json).

die() {
  echo "studio_e2e: FAIL: $*" >&2
  if [[ -n "${work:-}" ]] && command -v import >/dev/null; then
    import -window root "$work/failure.png" 2>/dev/null && echo "studio_e2e: the screen at the failure: $work/failure.png" >&2
  fi
  if [[ -n "${work:-}" && -f "$work/studio.log" ]]; then
    echo "---- last lines of the studio's output ----" >&2
    tail -n 30 "$work/studio.log" >&2
  fi
  exit 1
}

require_tools() {
  local tool
  for tool in xvfb-run xdotool xauth; do
    command -v "$tool" >/dev/null || die "'$tool' is not installed: run scripts/install-deps.sh"
  done
}

# Re-runs the calling script under its own Xvfb server (once).
run_under_xvfb() {
  if [[ -z "${DIBR_E2E_UNDER_XVFB:-}" ]]; then
    export DIBR_E2E_UNDER_XVFB=1
    exec xvfb-run -a -s "-screen 0 1280x800x24" "$@"
  fi
}

cleanup() {
  if [[ -n "${pid:-}" ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [[ "${keep:-0}" == 1 || -n "${DIBR_E2E_KEEP:-}" ]]; then echo "studio_e2e: files kept in $work"; else rm -rf "$work"; fi
}

title() { xdotool getwindowname "$wid" 2>/dev/null || true; }
title_has() { [[ "$(title)" == *"$1"* ]]; }
title_matches() { [[ "$(title)" =~ $1 ]]; }
title_step() { [[ "$(title)" =~ step\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"; }
first_file() { compgen -G "$1" >/dev/null; }
log_has() { grep -qF -- "$1" "$work/studio.log"; }

# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.5 s while the studio lives.
wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || die "the studio exited while waiting for $what"
    ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for $what (window title: '$(title)')"
    sleep 0.5
  done
  echo "studio_e2e: ok: $what ($(title))"
}

# double_click_until NAME WHAT COMMAND...: double-clicks the named control until COMMAND holds (3 tries, 10 s each).
# On a loaded machine one frame can take longer than the two clicks, and ImGui 1.86 then sees a single click
# (its GLFW backend keeps one press a frame): a user would double-click again, and so does the test.
double_click_until() {
  local name=$1 what=$2 try
  shift 2
  for try in 1 2 3; do
    click "$name" 2
    local deadline=$((SECONDS + 10))
    until "$@"; do
      kill -0 "$pid" 2>/dev/null || die "the studio exited while waiting for $what"
      ((SECONDS < deadline)) || break
      sleep 0.5
    done
    if "$@"; then
      echo "studio_e2e: ok: $what (double click, try $try) ($(title))"
      return 0
    fi
  done
  die "timed out waiting for $what after 3 double clicks (window title: '$(title)')"
}

# Waits for the studio's window, then for its UI map.
find_window() {
  wid=$(timeout 60 xdotool search --sync --name "DIB-R Studio" | head -n 1) || die "no 'DIB-R Studio' window within 60 s"
  [[ -n "$wid" ]] || die "no 'DIB-R Studio' window found"
  echo "studio_e2e: window $wid"
}

focus() {
  xdotool windowfocus "$wid" 2>/dev/null || true
  sleep 0.2
}

key() {
  xdotool mousemove --window "$wid" 640 400
  focus
  xdotool key --clearmodifiers "$1"
  echo "studio_e2e: key $1"
}

# state POINTER: a value of the studio's state from the UI map ("" when absent).
state() { "$ui_query" state "$work/ui_map.json" "$1" 2>/dev/null || true; }
state_is() { [[ "$(state "$1")" == "$2" ]]; }
state_has() { [[ "$(state "$1")" == *"$2"* ]]; }
control_shown() { "$ui_query" point "$work/ui_map.json" "$1" >/dev/null 2>&1; }

# click NAME [COUNT]: moves the pointer onto the named control and clicks it (COUNT 2: double-click).
click() {
  local point deadline=$((SECONDS + 5))
  until control_shown "$1"; do  # a window that just opened is in the map from its second frame
    ((SECONDS < deadline)) || die "control '$1' is not on screen"
    sleep 0.1
  done
  point=$("$ui_query" point "$work/ui_map.json" "$1") || die "control '$1' is not on screen"
  focus
  # shellcheck disable=SC2086
  xdotool mousemove --window "$wid" $point
  sleep 0.3  # one frame with the pointer over the control, so it is hovered when the button goes down
  xdotool click --repeat "${2:-1}" --delay 120 1
  sleep 0.2
  echo "studio_e2e: click $1"
}

# type_into NAME TEXT: clicks a text field, replaces its content and presses Return.
type_into() {
  click "$1"
  xdotool key --clearmodifiers ctrl+a
  xdotool type --delay 15 -- "$2"
  xdotool key Return
  echo "studio_e2e: typed '$2' into $1"
}

# Closes the window like a window manager does and expects exit code 0.
close_and_expect_clean_exit() {
  "$close_window" "$wid" || die "could not send WM_DELETE_WINDOW"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || die "the studio did not exit within 60 s of the window close"
    sleep 0.5
  done
  local status=0
  wait "$pid" || status=$?
  pid=""
  [[ $status -eq 0 ]] || die "the studio exited with status $status"
}
