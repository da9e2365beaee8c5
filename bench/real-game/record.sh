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
# around and shoot.  --session seeds the turning direction/speed, the camera distance and the
# bot choice, so two sessions differ; the skin rotation over (character, scene) is the same in
# every session.  See README.md beside this file.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: record.sh --out DIR [--session S] [--repo PATH] [--characters "a b ..."]
                 [--colors "default red blue"] [--scenes "oa_dm1 ..."] [--frames N] [--fps F]
                 [--bots N] [--display :N] [--dry-run]
  --out DIR       frames go to DIR/<character>/<label>_bg_on_NNN.jpg (required); the log and
                  session.json to DIR/.record/ (hidden: `smashsight split` ignores it)
  --session S     session id / random seed (default 1)
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
# shellcheck source=game-lib.sh
RG_NAME=record.sh
. "$HERE/game-lib.sh"
rg_parse_args "--out=OUT --session=SESSION --repo=REPO --characters=CHARACTERS --colors=COLORS --scenes=SCENES
  --frames=FRAMES --fps=FPS --bots=BOTS --display=DISP --dry-run!DRY" "$@"
REPO="$(cd "$REPO" && pwd)"
[ -n "$OUT" ] || { usage >&2; exit 2; }
[ -f "$REPO/bin/smashsight.js" ] || { echo "record.sh: no bin/smashsight.js in $REPO (use --repo)" >&2; exit 2; }

rg_need_packages xdotool ffmpeg

# ---- session randomness (deterministic per session id) ----
rg_seed "$SESSION"; seed=$RG_SEED
if [ $((RANDOM % 2)) -eq 0 ]; then TURN=left; else TURN=right; fi  # +left / +right (no $(): subshells reseed RANDOM)
YAWSPEED=$((12 + RANDOM % 20))                                  # degrees per second
RANGE=$((60 + RANDOM % 30))                                     # camera distance
[ -n "$BOTS" ] || BOTS=$((1 + RANDOM % 2))
LOOKDOWN="0.$((4 + RANDOM % 3))"                                # s at 40 deg/s: 16-24 deg down
BOTNAMES=(sarge grism kyonshi major sergei ayumi)
read -r -a CHARS <<<"$CHARACTERS"
read -r -a COLS <<<"$COLORS"
read -r -a MAPS <<<"$SCENES"
# Skins are NOT drawn per session: (character, scene) -> colour is the same rotation in every
# session, so a held-out session tests new camera, turning, bots and spawns, not unseen colours.

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
META="$OUT/.record"   # a dot-folder: `smashsight split` skips it, so the folder splits as it is
mkdir -p "$META"
LOG="$META/record.log"
echo "session=$SESSION seed=$seed turn=$TURN yawspeed=$YAWSPEED range=$RANGE bots=$BOTS lookdown=$LOOKDOWN" | tee -a "$LOG"

# ---- cleanup: every child we started, on exit or Ctrl-C ----
CAP_PID=""
trap 'rg_cleanup $CAP_PID' EXIT
trap 'echo "record.sh: interrupted" >&2; exit 130' INT TERM
rg_work_dir
rg_display "$DISP"

start_game() {  # $1 = map; bot names drawn from the session's $RANDOM
  local bots=() b
  for b in $(seq "$BOTS"); do bots+=("${BOTNAMES[$(((RANDOM + b) % ${#BOTNAMES[@]}))]}"); done
  rg_start_game "$1" "$RANGE" "$YAWSPEED" "$TURN" "$LOOKDOWN" "${bots[@]}"
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
    col="${COLS[$(((ci + si) % ${#COLS[@]}))]}"
    has_skin "$ch" "$col" || col=default
    echo "$(date +%T) $map $ch/$col" | tee -a "$LOG"
    if [ $DRY -eq 1 ]; then ci=$((ci + 1)); continue; fi
    say "model $ch/$col"; say "headmodel $ch/$col"
    say "cg_forcemodel 0"; sleep 0.3; say "cg_forcemodel 1"   # re-dress the bots as the new model
    sleep 2
    say "set cg_thirdpersonangle 90"; sleep 1
    capture "${ch}_${col}_${scene}_left" "$half" || echo "record.sh: capture failed (see $LOG)" >&2
    say "set cg_thirdpersonangle 270"; sleep 1
    capture "${ch}_${col}_${scene}_right" "$rest" || echo "record.sh: capture failed (see $LOG)" >&2
    ci=$((ci + 1))
  done
  [ $DRY -eq 1 ] || rg_stop_game
  si=$((si + 1))
done
t1=$(date +%s)
cat >"$META/session.json" <<EOF
{"game":"openarena","session":"$SESSION","seed":$seed,"turn":"$TURN","yawspeed":$YAWSPEED,"camera_range":$RANGE,"bots":$BOTS,"characters":"$CHARACTERS","colors":"$COLORS","scenes":"$SCENES","frames_per_character_scene":$FRAMES,"fps":$FPS,"seconds":$((t1 - t0))}
EOF
echo "done in $((t1 - t0)) s: $(find "$OUT" -name '*.jpg' | wc -l) frames in $OUT" | tee -a "$LOG"
