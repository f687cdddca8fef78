#!/usr/bin/env bash
# Remakes README's screenshots (the overlay and the thread timeline): the release game
# under Xvfb (software Vulkan), the pointer circling, `G` pressed, each
# mode shown for a few seconds, the window captured with ImageMagick.
#
#   scripts/screenshots.sh [OUT-DIR [GAME-OPTIONS...]]  (after `cargo build --release`;
#                                         default OUT-DIR: docs)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/why-threads}
OUT=${1:-docs}
[ $# -gt 0 ] && shift
mkdir -p "$OUT"
for tool in Xvfb xdotool import python3; do
    command -v "$tool" >/dev/null || { echo "screenshots: $tool is missing (scripts/setup installs it)"; exit 1; }
done
[ -x "$BIN" ] || { echo "screenshots: $BIN is missing: cargo build --release first"; exit 1; }
BIN=$(realpath "$BIN")
OUT=$(realpath "$OUT")
# Lecture mode records frames (step 8) into ./recordings: keep them out of the tree.
SCRATCH=$(mktemp -d)

# shellcheck source=scripts/x11-helpers.sh
. scripts/x11-helpers.sh
DISP=$(free_display 141 190)
Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp -noreset >/dev/null 2>&1 &
XVFB=$!
GAME=
trap 'kill $GAME $XVFB 2>/dev/null; wait 2>/dev/null; rm -rf "$SCRATCH"' EXIT
export DISPLAY=$DISP
for _ in $(seq 1 100); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done

"$BIN" --duration 40 "$@" >/tmp/why-threads-screenshots.log 2>&1 &
GAME=$!
WID=$(wait_for_window /tmp/why-threads-screenshots.log)
sleep 2
focus "$WID"
xdotool key g
# Every mode in the table, in T's order: a screenshot of each.
for mode in polled threaded blocking events green-blocking green-yield; do
    # shellcheck disable=SC2046
    xdotool $(circles 2.5)
    [ "$mode" = blocking ] || import -window "$WID" "$OUT/timeline-$mode.png"
    # README's first picture: polled then threaded, side by side.
    [ "$mode" = threaded ] && cp "$OUT/timeline-$mode.png" "$OUT/screenshot.png"
    xdotool key t
    sleep 0.3
done
kill -TERM $GAME
wait $GAME || true
GAME=

# The lecture's second act: the long handler (step 13), timeline on.
(cd "$SCRATCH" && exec "$BIN" --duration 40 --mode threaded "$@") >/tmp/why-threads-screenshots.log 2>&1 &
GAME=$!
WID=$(wait_for_window /tmp/why-threads-screenshots.log)
sleep 2
focus "$WID"
xdotool key g
for step in $(seq 1 13); do
    xdotool key n
    sleep 0.2
    case $step in
    13)
        # shellcheck disable=SC2046
        xdotool $(circles 2.5)
        import -window "$WID" "$OUT/lecture-$step.png"
        ;;
    esac
done
kill -TERM $GAME
wait $GAME || true
GAME=
echo "screenshots: $OUT/screenshot.png, $OUT/timeline-*.png, $OUT/lecture-13.png"
