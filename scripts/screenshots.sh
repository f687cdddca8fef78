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

for n in $(seq 141 190); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then DISP=":$n"; break; fi
done
Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp -noreset >/dev/null 2>&1 &
XVFB=$!
GAME=
trap 'kill $GAME $XVFB 2>/dev/null; wait 2>/dev/null; rm -rf "$SCRATCH"' EXIT
export DISPLAY=$DISP
for _ in $(seq 1 100); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done

# Relative moves around a circle, ~2 ms apart, for $1 seconds (as e2e.sh).
circles() {
    python3 - "$1" <<'EOF'
import math, sys
steps = int(float(sys.argv[1]) / 0.002)
point = lambda i: (round(70 * math.cos(i * 2 * math.pi / 80)), round(70 * math.sin(i * 2 * math.pi / 80)))
args = []
for i in range(steps):
    (x0, y0), (x1, y1) = point(i), point(i + 1)
    args += ["mousemove_relative", "--", str(x1 - x0), str(y1 - y0), "sleep", "0.002"]
print(" ".join(args))
EOF
}

"$BIN" --duration 40 "$@" >/tmp/why-threads-screenshots.log 2>&1 &
GAME=$!
WID=
for _ in $(seq 1 300); do
    WID=$(xdotool search --onlyvisible --name '^why-threads' 2>/dev/null | head -n1) && [ -n "$WID" ] && break
    sleep 0.1
done
[ -n "$WID" ] || { echo "screenshots: no window"; cat /tmp/why-threads-screenshots.log; exit 1; }
sleep 2
xdotool mousemove --window "$WID" 330 300
for _ in $(seq 1 50); do
    xdotool windowfocus "$WID" 2>/dev/null
    [ "$(xdotool getwindowfocus 2>/dev/null)" = "$WID" ] && break
    sleep 0.1
done
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
WID=
for _ in $(seq 1 300); do
    WID=$(xdotool search --onlyvisible --name '^why-threads' 2>/dev/null | head -n1) && [ -n "$WID" ] && break
    sleep 0.1
done
sleep 2
xdotool mousemove --window "$WID" 330 300
for _ in $(seq 1 50); do
    xdotool windowfocus "$WID" 2>/dev/null
    [ "$(xdotool getwindowfocus 2>/dev/null)" = "$WID" ] && break
    sleep 0.1
done
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
