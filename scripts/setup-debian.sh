#!/usr/bin/env bash
# Installs the system tools the tests drive for real: ffmpeg (capture, x11grab), Debian's
# Chromium (overlay end-to-end tests), Xvfb + xdotool + x11-utils (window-capture tests), OBS
# Studio (test/obs-source.test.ts: the obs: source against the real OBS; obs-websocket built in).
# Idempotent: installs only what is missing, so CI and a second run cost seconds.
set -euo pipefail
need=()
command -v ffmpeg   >/dev/null || need+=(ffmpeg)
command -v chromium >/dev/null || need+=(chromium)
command -v Xvfb     >/dev/null || need+=(xvfb)
command -v xdotool  >/dev/null || need+=(xdotool)
command -v xwininfo >/dev/null || need+=(x11-utils)
command -v obs      >/dev/null || need+=(obs-studio)
if [ ${#need[@]} -eq 0 ]; then
  echo "setup-debian: ffmpeg, chromium, Xvfb, xdotool, x11-utils, obs-studio already present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup-debian: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core
