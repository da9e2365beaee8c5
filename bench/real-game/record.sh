#!/usr/bin/env bash
# Records labelled frames of a real game (OpenArena, ioquake3 engine) with smashsight's `capture`.
#
#   bench/real-game/record.sh --out /tmp/realgame-data/session1 --session 1
#
# For each scene (map) one game process is started under Xvfb (Mesa llvmpipe) in third person
# with cheats on (devmap: god mode and a fixed side camera).  For each character the script sets
# the player model + skin through the game's stdin console, points the camera at the player's
# left side (label `left`) and right side (label `right`) and captures frames of the window with
#   node bin/smashsight.js capture --source window:ioquake3 --label <char>_<skin>_<map>_<facing>
# The player keeps turning (+left/+right) so the background changes; bots (drawn with the
# player's model, cg_forcemodel 1, so every figure in the frame is the labelled character) run
# around and shoot.  --session seeds the turning direction/speed, the camera distance, the
# skin rotation and the bot choice, so two sessions differ.  See README.md beside this file.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: record.sh --out DIR [--session S] [--repo PATH] [--characters "a b ..."]
                 [--colors "default red blue"] [--scenes "oa_dm1 ..."] [--frames N] [--fps F]
                 [--bots N] [--display :N] [--dry-run]
  --out DIR       frames go to DIR/<character>/<label>_bg_on_NNN.jpg (required)
  --session S     session id / random seed (default 1); also written to DIR/session.json
  --repo PATH     smashsight checkout (default: this script's ../..)
  --frames N      frames per (character, scene) in total, half per facing (default 40)
  --fps F         capture rate (default 3)
  --bots N        bots in the arena (default: 1 or 2, from the session seed)
  --display :N    X display to use (default: start Xvfb on a free one)
EOF
}

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT=""
SESSION=1
CHARACTERS="sarge penguin gargoyle skelebot angelyss tony"
COLORS="default red blue"
SCENES="oa_dm1 oa_dm4 am_lavaarena"
FRAMES=40
FPS=3
BOTS=""
DISP=""
DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --session) SESSION="$2"; shift 2 ;;
    --repo) REPO="$(cd "$2" && pwd)"; shift 2 ;;
    --characters) CHARACTERS="$2"; shift 2 ;;
    --colors) COLORS="$2"; shift 2 ;;
    --scenes) SCENES="$2"; shift 2 ;;
    --frames) FRAMES="$2"; shift 2 ;;
    --fps) FPS="$2"; shift 2 ;;
    --bots) BOTS="$2"; shift 2 ;;
    --display) DISP="$2"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "record.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ -n "$OUT" ] || { usage >&2; exit 2; }
[ -f "$REPO/bin/smashsight.js" ] || { echo "record.sh: no bin/smashsight.js in $REPO (use --repo)" >&2; exit 2; }

# ---- dependencies (installed only when missing) ----
need=()
[ -x /usr/games/openarena ] || need+=(openarena)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v xwininfo >/dev/null || need+=(x11-utils)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
  echo "record.sh: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${need[@]}"; }
fi

# ---- session randomness (deterministic per session id) ----
seed=$(printf '%s' "$SESSION" | cksum | cut -d' ' -f1)
RANDOM=$((seed % 32768))
TURN=$([ $((RANDOM % 2)) -eq 0 ] && echo left || echo right)   # +left / +right
YAWSPEED=$((12 + RANDOM % 20))                                  # degrees per second
RANGE=$((85 + RANDOM % 40))                                     # camera distance
[ -n "$BOTS" ] || BOTS=$((1 + RANDOM % 2))
BOTNAMES=(sarge grism kyonshi major sergei ayumi)
read -r -a CHARS <<<"$CHARACTERS"
read -r -a COLS <<<"$COLORS"
read -r -a MAPS <<<"$SCENES"
COLOR_SHIFT=$((RANDOM % ${#COLS[@]}))

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
WORK="$(mktemp -d /tmp/rg-record.XXXXXX)"
LOG="$OUT/record.log"
echo "session=$SESSION seed=$seed turn=$TURN yawspeed=$YAWSPEED range=$RANGE bots=$BOTS" | tee -a "$LOG"

# ---- cleanup: every child we started, on exit or Ctrl-C ----
XVFB_PID=""; GAME_PID=""; CAP_PID=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  for p in $CAP_PID $GAME_PID $XVFB_PID; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  for p in $CAP_PID $GAME_PID $XVFB_PID; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "record.sh: interrupted" >&2; exit 130' INT TERM

# ---- X display ----
if [ -z "$DISP" ]; then
  n=90
  while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
  DISP=":$n"
  Xvfb "$DISP" -screen 0 640x480x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 50); do xdpyinfo -display "$DISP" >/dev/null 2>&1 && break; sleep 0.2; done
fi
export DISPLAY="$DISP"
export LIBGL_ALWAYS_SOFTWARE=1

say() { echo "$*" >&3; }   # a line on the game's console (its stdin)

start_game() {  # $1 = map
  local map="$1"
  rm -f "$WORK/cmd.fifo"; mkfifo "$WORK/cmd.fifo"
  mkdir -p "$WORK/home"
  HOME="$WORK/home" nice -n 5 /usr/games/openarena \
    +set s_initsound 0 +set r_fullscreen 0 +set r_mode -1 +set r_customwidth 640 +set r_customheight 480 \
    +set com_maxfps 10 +set cg_draw2d 0 +set cg_drawGun 0 +set cg_thirdperson 1 \
    +set cg_thirdpersonrange "$RANGE" +set cg_thirdpersonangle 90 +set cg_forcemodel 1 \
    +set model "${CHARS[0]}/default" +set headmodel "${CHARS[0]}/default" \
    +set g_gametype 0 +set fraglimit 0 +set timelimit 0 +set cl_yawspeed "$YAWSPEED" \
    +set sv_pure 0 +devmap "$map" <"$WORK/cmd.fifo" >"$WORK/game.log" 2>&1 &
  GAME_PID=$!
  exec 3>"$WORK/cmd.fifo"
  local t=0
  until grep -aq "entered the game" "$WORK/game.log"; do
    sleep 1; t=$((t + 1))
    if ! kill -0 "$GAME_PID" 2>/dev/null || [ $t -ge 180 ]; then
      echo "record.sh: game did not reach gameplay on $map" >&2; tail -20 "$WORK/game.log" >&2; return 1
    fi
  done
  say "god"
  for b in $(seq "$BOTS"); do say "addbot ${BOTNAMES[$(((RANDOM + b) % ${#BOTNAMES[@]}))]} 1"; done
  say "+$TURN"
  sleep 3
}

stop_game() {
  say "quit" 2>/dev/null || true
  exec 3>&-
  for _ in $(seq 20); do kill -0 "$GAME_PID" 2>/dev/null || break; sleep 0.5; done
  kill "$GAME_PID" 2>/dev/null || true
  wait "$GAME_PID" 2>/dev/null || true
  GAME_PID=""
}

SKINS="$(for f in /usr/share/games/openarena/baseoa/*.pk3; do unzip -l "$f"; done 2>/dev/null | grep -o 'models/players/[^/]*/upper_[^ ]*\.skin' || true)"
has_skin() { grep -qx "models/players/$1/upper_$2.skin" <<<"$SKINS"; }

capture() {  # $1 = label, $2 = frames
  (cd "$REPO" && exec node bin/smashsight.js capture --source window:ioquake3 --label "$1" \
     --out "$OUT" --frames "$2" --fps "$FPS") >>"$LOG" 2>&1 &
  CAP_PID=$!
  wait "$CAP_PID"; local rc=$?; CAP_PID=""
  return $rc
}

half=$((FRAMES / 2)); rest=$((FRAMES - half))
t0=$(date +%s)
si=0
for map in "${MAPS[@]}"; do
  scene="$(echo "$map" | tr -c 'a-zA-Z0-9\n' '-')"
  if [ $DRY -eq 1 ]; then echo "would start $map"; else start_game "$map"; fi
  ci=0
  for ch in "${CHARS[@]}"; do
    col="${COLS[$(((ci + si + COLOR_SHIFT) % ${#COLS[@]}))]}"
    has_skin "$ch" "$col" || col=default
    echo "$(date +%T) $map $ch/$col" | tee -a "$LOG"
    if [ $DRY -eq 1 ]; then ci=$((ci + 1)); continue; fi
    say "model $ch/$col"; say "headmodel $ch/$col"
    sleep 2
    say "set cg_thirdpersonangle 90"; sleep 1
    capture "${ch}_${col}_${scene}_left" "$half" || echo "record.sh: capture failed (see $LOG)" >&2
    say "set cg_thirdpersonangle 270"; sleep 1
    capture "${ch}_${col}_${scene}_right" "$rest" || echo "record.sh: capture failed (see $LOG)" >&2
    ci=$((ci + 1))
  done
  [ $DRY -eq 1 ] || stop_game
  si=$((si + 1))
done
t1=$(date +%s)
cat >"$OUT/session.json" <<EOF
{"game":"openarena","session":"$SESSION","seed":$seed,"turn":"$TURN","yawspeed":$YAWSPEED,"camera_range":$RANGE,"bots":$BOTS,"characters":"$CHARACTERS","colors":"$COLORS","scenes":"$SCENES","frames_per_character_scene":$FRAMES,"fps":$FPS,"seconds":$((t1 - t0))}
EOF
echo "done in $((t1 - t0)) s: $(find "$OUT" -name '*.jpg' | wc -l) frames in $OUT" | tee -a "$LOG"
