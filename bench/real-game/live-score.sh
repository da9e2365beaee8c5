#!/usr/bin/env bash
# Live score of a model on real OpenArena play: runs live.sh (the game, switching character every
# --every seconds, writing the timeline), `smashsight serve --source window:ioquake3` on the same
# display, and score-live.ts (the server's smoothed label against the timeline) together.
#
#   bench/real-game/live-score.sh --model /tmp/rg/models/x-rg-s2 --duration 90 --every 10
#
# Everything it starts runs in its own process group and is killed on exit or Ctrl-C.
# The timeline, the logs of live.sh and serve, and the score are kept in --out.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: live-score.sh --model PKG [--duration S] [--every N] [--settle S] [--port P] [--out DIR]
                     [--threads N] [--fps F] [--display :N] [--repo PATH] [-- live.sh options]
  --model PKG     smashsight model package (folder with meta.json; required)
  --duration S    seconds of timeline (default 90)       --every N   seconds per character (default 10)
  --settle S      seconds skipped after each switch when scoring (default 2)
  --port P        server port (default 8091)             --out DIR   results (default: a new /tmp/live-score.*)
  --threads N     serve's engine threads (default 1)     --fps F     serve's inference cap (default 5)
  --display :N    X display (default: a new Xvfb)        --repo PATH smashsight checkout (default: ../..)
  after --:       passed to live.sh (e.g. -- --scene oa_dm1 --facing alternate --characters "sarge tony")
EOF
}

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
MODEL=""; DURATION=90; EVERY=10; SETTLE=2; PORT=8091; OUTDIR=""; THREADS=1; FPS=5; DISP=""
ARGS=(); LIVE_ARGS=()
while [ $# -gt 0 ]; do
  if [ "$1" = -- ]; then shift; LIVE_ARGS=("$@"); break; fi
  ARGS+=("$1"); shift
done
# shellcheck source=game-lib.sh
RG_NAME=live-score.sh
. "$HERE/game-lib.sh"
rg_parse_args "--model=MODEL --duration=DURATION --every=EVERY --settle=SETTLE --port=PORT --out=OUTDIR
  --threads=THREADS --fps=FPS --display=DISP --repo=REPO" "${ARGS[@]}"
REPO="$(cd "$REPO" && pwd)"
[ -n "$MODEL" ] || { echo "live-score.sh: --model is required" >&2; usage >&2; exit 2; }
[ -f "$MODEL/meta.json" ] || { echo "live-score.sh: $MODEL: no meta.json (not a model package)" >&2; exit 2; }
MODEL="$(cd "$MODEL" && pwd)"
[ -n "$OUTDIR" ] || OUTDIR="$(mktemp -d /tmp/live-score.XXXXXX)"
mkdir -p "$OUTDIR"
TIMELINE="$OUTDIR/timeline.jsonl"
rm -f "$TIMELINE"   # score-live stops at the timeline's end line: no stale one

rg_need_packages xdotool curl
LIVE_PID=""; SERVE_PID=""; SCORE_PID=""
trap 'rg_cleanup ${SCORE_PID:+-$SCORE_PID} ${SERVE_PID:+-$SERVE_PID} ${LIVE_PID:+-$LIVE_PID}' EXIT
trap 'echo "live-score.sh: interrupted" >&2; exit 130' INT TERM
rg_work_dir
rg_display "$DISP"
echo "live-score.sh: display $DISPLAY, results in $OUTDIR" >&2

alive() { kill -0 "$1" 2>/dev/null || { echo "live-score.sh: $2 exited early (see $3)" >&2; exit 1; }; }

# setsid: each part in its own process group, so cleanup reaches its children (the game, ffmpeg)
setsid "$HERE/live.sh" --display "$DISPLAY" --duration "$DURATION" --every "$EVERY" \
  --timeline "$TIMELINE" "${LIVE_ARGS[@]}" >"$OUTDIR/live.log" 2>&1 &
LIVE_PID=$!
for _ in $(seq 180); do
  xdotool search --onlyvisible --name '^ioquake3$' >/dev/null 2>&1 && break
  alive "$LIVE_PID" live.sh "$OUTDIR/live.log"; sleep 1
done

# the server loads its model while live.sh preloads the characters (before the timeline starts)
(cd "$REPO" && exec setsid node bin/smashsight.js serve --model "$MODEL" --source window:ioquake3 \
  --port "$PORT" --threads "$THREADS" --fps "$FPS" --capture-fps 10) >"$OUTDIR/serve.log" 2>&1 &
SERVE_PID=$!
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do
  alive "$SERVE_PID" serve "$OUTDIR/serve.log"; sleep 0.5
done

# --duration is only a cap: score-live stops once live.sh writes the timeline's end line
(cd "$REPO" && exec setsid node --import tsx bench/real-game/score-live.ts --port "$PORT" \
  --timeline "$TIMELINE" --duration $((DURATION + 300)) --settle "$SETTLE") >"$OUTDIR/score.txt" 2>&1 &
SCORE_PID=$!
rc=0; wait "$SCORE_PID" || rc=$?
SCORE_PID=""
cat "$OUTDIR/score.txt"
wait "$LIVE_PID" 2>/dev/null || true
LIVE_PID=""
echo "live-score.sh: model $MODEL, $DURATION s, switch every $EVERY s, settle $SETTLE s -> $OUTDIR" >&2
exit "$rc"
