# Shared by record.sh, live.sh and live-score.sh (sourced, not run): dependencies, the X display,
# the OpenArena process with its stdin console (a FIFO on fd 3), and cleanup of what was started.
# The sourcing script sets RG_NAME (used in messages) before calling anything here.
#
#   rg_parse_args "--flag=VAR --switch!VAR ..." "$@"
#                                  sets VAR from `--flag VALUE` (VAR=1 for `--switch`); -h/--help
#                                  calls the script's usage(); anything else is an error (exit 2)
#   rg_need_packages [cmd ...]     apt-installs openarena, Xvfb, x11-utils and each extra command
#                                  that is missing (package named as the command)
#   rg_seed SESSION                seeds $RANDOM from a session id (sets RG_SEED)
#   rg_work_dir                    makes RG_WORK (a temp dir, removed by rg_cleanup); call first
#   rg_display [:N] [reuse]        exports DISPLAY: :N if given, $DISPLAY if `reuse` and reachable,
#                                  else a new Xvfb on a free display (XVFB_PID)
#   rg_start_game MAP RANGE YAWSPEED TURN LOOKDOWN_S BOT...
#                                  starts the game on MAP, waits for gameplay, god mode, side camera
#                                  at RANGE, adds one easy bot per BOT name, tilts the camera down
#                                  for LOOKDOWN_S seconds and keeps turning TURN (left|right)
#   say LINE                       a line on the game's console
#   rg_stop_game                   `quit`, then kill if it lingers
#   rg_cleanup [pid ...]           kills the given pids (-PGID: a process group), the game and our
#                                  Xvfb; removes RG_WORK

RG_NAME="${RG_NAME:-game-lib}"
XVFB_PID=""; GAME_PID=""; RG_WORK=""

rg_parse_args() {
  local table=" $1 " entry
  shift
  while [ $# -gt 0 ]; do
    case "$1" in -h | --help) usage; exit 0 ;; esac
    if [ "${1#--}" != "$1" ] && entry="$(grep -o -- " $1[=!][A-Z_]*" <<<"$table")"; then
      entry="${entry# }"
      if [ "${entry:${#1}:1}" = "!" ]; then
        printf -v "${entry:${#1}+1}" '%s' 1; shift
      elif [ $# -ge 2 ]; then
        printf -v "${entry:${#1}+1}" '%s' "$2"; shift 2
      else
        echo "$RG_NAME: $1 needs a value" >&2; usage >&2; exit 2
      fi
    else
      echo "$RG_NAME: unknown argument $1" >&2; usage >&2; exit 2
    fi
  done
}

rg_need_packages() {
  local need=()
  [ -x /usr/games/openarena ] || need+=(openarena)
  command -v Xvfb >/dev/null || need+=(xvfb)
  command -v xdpyinfo >/dev/null || need+=(x11-utils)
  local p
  for p in "$@"; do command -v "$p" >/dev/null || need+=("$p"); done
  [ ${#need[@]} -gt 0 ] || return 0
  echo "$RG_NAME: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${need[@]}"; }
}

rg_seed() {  # not in a subshell: $(rg_seed) would seed the subshell's RANDOM only
  RG_SEED=$(printf '%s' "$1" | cksum | cut -d' ' -f1)
  RANDOM=$((RG_SEED % 32768))
}

rg_work_dir() { RG_WORK="$(mktemp -d "/tmp/rg-${RG_NAME%.sh}.XXXXXX")"; }

rg_display() {
  local disp="${1:-}" n
  if [ -z "$disp" ] && [ "${2:-}" = reuse ] && [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1; then disp="$DISPLAY"; fi
  if [ -z "$disp" ]; then
    n=90
    while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
    disp=":$n"
    Xvfb "$disp" -screen 0 640x480x24 -nolisten tcp >"$RG_WORK/xvfb.log" 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 50); do xdpyinfo -display "$disp" >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  export DISPLAY="$disp"
  export LIBGL_ALWAYS_SOFTWARE=1
}

say() { echo "$*" >&3; }

rg_start_game() {
  local map="$1" range="$2" yawspeed="$3" turn="$4" lookdown="$5" t=0 b
  shift 5
  rm -f "$RG_WORK/cmd.fifo"; mkfifo "$RG_WORK/cmd.fifo"
  mkdir -p "$RG_WORK/home"
  HOME="$RG_WORK/home" nice -n 5 /usr/games/openarena \
    +set s_initsound 0 +set r_fullscreen 0 +set r_mode -1 +set r_customwidth 640 +set r_customheight 480 \
    +set com_maxfps 10 +set con_notifytime 0 +set cg_draw2d 0 +set cg_drawGun 0 +set cg_thirdperson 1 \
    +set cg_thirdpersonrange "$range" +set cg_thirdpersonangle 90 +set cg_forcemodel 1 +set cg_deferPlayers 0 \
    +set model "${CHARS[0]}/default" +set headmodel "${CHARS[0]}/default" \
    +set g_gametype 0 +set fraglimit 0 +set timelimit 0 +set cl_yawspeed "$yawspeed" +set cl_pitchspeed 40 \
    +set sv_pure 0 +devmap "$map" <"$RG_WORK/cmd.fifo" >"$RG_WORK/game.log" 2>&1 &
  GAME_PID=$!
  exec 3>"$RG_WORK/cmd.fifo"
  until grep -aq "entered the game" "$RG_WORK/game.log"; do
    sleep 1; t=$((t + 1))
    if ! kill -0 "$GAME_PID" 2>/dev/null || [ $t -ge 180 ]; then
      echo "$RG_NAME: game did not reach gameplay on $map" >&2; tail -20 "$RG_WORK/game.log" >&2; return 1
    fi
  done
  say "god"
  # cheat-protected cvars: set on the command line they are reset when devmap turns cheats on
  say "set cg_thirdpersonrange $range"; say "set cg_thirdpersonangle 90"
  for b in "$@"; do say "addbot $b 1"; done
  sleep 6   # "entered the game" is printed while the loading screen is still up
  say "+lookdown"; sleep "$lookdown"; say "-lookdown"   # tilt the camera down onto the player
  say "+$turn"   # the player keeps turning, so the background changes
  sleep 1
}

rg_stop_game() {
  say "quit" 2>/dev/null || true
  exec 3>&-
  for _ in $(seq 20); do kill -0 "$GAME_PID" 2>/dev/null || break; sleep 0.5; done
  kill "$GAME_PID" 2>/dev/null || true
  wait "$GAME_PID" 2>/dev/null || true
  GAME_PID=""
}

rg_cleanup() {
  local p
  exec 3>&- 2>/dev/null || true
  for p in "$@" $GAME_PID $XVFB_PID; do kill -- "$p" 2>/dev/null || true; done
  for _ in $(seq 15); do   # up to 3 s to exit on their own (live.sh's trap cleans up after itself)
    local alive=0
    for p in "$@" $GAME_PID $XVFB_PID; do kill -0 -- "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 1 ] || break
    sleep 0.2
  done
  for p in "$@" $GAME_PID $XVFB_PID; do kill -9 -- "$p" 2>/dev/null || true; done
  [ -z "$RG_WORK" ] || rm -rf "$RG_WORK"
}
