#!/usr/bin/env bash
# Live ground truth for smashsight: runs OpenArena in its window (title "ioquake3") and switches
# the player's character every --every seconds through the game's stdin console, writing a
# JSON-lines timeline of what is on screen:
#   {"t": <ms epoch>, "label": "<character>", "color": "<skin>", "scene": "<map>", "facing": "left"}
# Point smashsight at the window meanwhile, e.g. in another shell (same DISPLAY):
#   node bin/smashsight.js serve --source window:ioquake3 ...
# and score the server's smoothed label against the timeline afterwards.
#
#   bench/real-game/live.sh --duration 120 --every 10 --timeline /tmp/live.jsonl
#
# `t` is taken right after the switch command is written; the game applies it on its next frame
# (com_maxfps 10: ≤ 0.1 s, plus the model load the first time a model is used — the script
# preloads every model once before the timeline starts so later switches are immediate).
set -euo pipefail

usage() {
  cat <<'EOF'
usage: live.sh [--duration S] [--every N] [--timeline FILE] [--characters "a b ..."]
               [--colors "default red blue"] [--scene MAP] [--session S] [--bots N]
               [--display :N] [--facing left|right|alternate] [--ready-file FILE]
  --duration S    seconds of timeline after the game is ready (default 120)
  --every N       seconds between character switches (default 10)
  --timeline FILE JSON lines {"t","label","color","scene","facing"} (default ./live-timeline.jsonl)
  --display :N    use this X display (default: $DISPLAY if set and reachable, else a new Xvfb)
  --ready-file F  touched once the game shows gameplay (for a harness that starts `serve` then)
EOF
}

DURATION=120; EVERY=10; TIMELINE="$PWD/live-timeline.jsonl"
CHARACTERS="sarge penguin gargoyle skelebot angelyss tony"; COLORS="default red blue"
SCENE=oa_dm4; SESSION=live; BOTS=1; DISP=""; FACING=left; READY=""
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=game-lib.sh
RG_NAME=live.sh
. "$HERE/game-lib.sh"
rg_parse_args "--duration=DURATION --every=EVERY --timeline=TIMELINE --characters=CHARACTERS --colors=COLORS
  --scene=SCENE --session=SESSION --bots=BOTS --display=DISP --facing=FACING --ready-file=READY" "$@"

rg_need_packages

rg_seed "$SESSION"
read -r -a CHARS <<<"$CHARACTERS"
read -r -a COLS <<<"$COLORS"
scene="$(echo "$SCENE" | tr -c 'a-zA-Z0-9\n' '-')"
trap rg_cleanup EXIT
trap 'exit 130' INT TERM
rg_work_dir
rg_display "$DISP" reuse
echo "live.sh: display $DISPLAY, window title 'ioquake3', timeline $TIMELINE" >&2

bots=(); for _ in $(seq "$BOTS"); do bots+=(sarge); done
rg_start_game "$SCENE" 75 20 left 0.5 "${bots[@]}" || exit 1
# preload every model once so that timed switches don't wait for a model load
for ch in "${CHARS[@]}"; do for col in "${COLS[@]}"; do say "model $ch/$col"; say "headmodel $ch/$col"; sleep 0.5; done; done
sleep 2
[ -z "$READY" ] || touch "$READY"

: >"$TIMELINE"
end=$(( $(date +%s) + DURATION ))
i=0; prev=""
while [ "$(date +%s)" -lt "$end" ]; do
  # a random character different from the previous one, a random skin
  while :; do ch="${CHARS[$((RANDOM % ${#CHARS[@]}))]}"; [ "$ch" != "$prev" ] || [ ${#CHARS[@]} -eq 1 ] && break; done
  col="${COLS[$((RANDOM % ${#COLS[@]}))]}"
  case "$FACING" in
    alternate) facing=$([ $((i % 2)) -eq 0 ] && echo left || echo right) ;;
    *) facing="$FACING" ;;
  esac
  say "set cg_thirdpersonangle $([ "$facing" = left ] && echo 90 || echo 270)"
  say "model $ch/$col"; say "headmodel $ch/$col"
  say "cg_forcemodel 0"; say "cg_forcemodel 1"   # re-dress the bots as the new model
  printf '{"t": %s, "label": "%s", "color": "%s", "scene": "%s", "facing": "%s"}\n' \
    "$(date +%s%3N)" "$ch" "$col" "$scene" "$facing" >>"$TIMELINE"
  prev="$ch"; i=$((i + 1))
  sleep "$EVERY" & wait $!   # (a plain sleep would hold off the TERM trap until it ends)
done
printf '{"t": %s, "label": null, "end": true}\n' "$(date +%s%3N)" >>"$TIMELINE"
say "quit"
echo "live.sh: $i switches in $DURATION s -> $TIMELINE" >&2
