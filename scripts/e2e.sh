#!/usr/bin/env bash
# End-to-end test of the real game: the release binary in a real window
# under Xvfb with software Vulkan (lavapipe), the pointer driven by xdotool,
# the report and a screenshot checked.
#
#   scripts/e2e.sh            (after `cargo build --release`)
#   scripts/e2e.sh failures   only the failure cases (scripts/e2e-failures.sh)
#
# Writes target/e2e/{shot.png,report*.json,*.log}. Ends with the line
# "e2e: N passed, M failed" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-target/release/why-threads}
OUT=${E2E_OUT:-target/e2e}
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.png "$OUT"/*.csv
OUT=$(realpath "$OUT")

passed=0
failed=0
check() { # check NAME COMMAND...
    local name=$1
    shift
    if "$@"; then
        echo "ok   $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name"
        failed=$((failed + 1))
    fi
}

# Every wait is bounded: a hung game fails its check, never the whole run.
# Waits up to $2 seconds for process $1 to end; its status, or 124 if it did not.
wait_at_most() { # wait_at_most PID SECONDS
    local _
    for _ in $(seq 1 $(($2 * 10))); do
        if ! kill -0 "$1" 2>/dev/null; then
            wait "$1"
            return $?
        fi
        sleep 0.1
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 124
}

for tool in Xvfb xdotool import convert python3; do
    command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (scripts/setup installs it)"; exit 1; }
done
[ -x "$BIN" ] || { echo "e2e: $BIN is missing: cargo build --release first"; exit 1; }
BIN=$(realpath "$BIN")

# shellcheck source=scripts/x11-helpers.sh
. scripts/x11-helpers.sh
DISP=$(free_display 91 140) || exit 1
# -noreset: by default Xvfb resets when its last client leaves, and a game
# connecting during that reset is refused ("Failed to open connection").
Xvfb "$DISP" -screen 0 1280x800x24 -nolisten tcp -noreset >"$OUT/xvfb.log" 2>&1 &
XVFB=$!
GAME=
XDYING=
WESTON=
trap 'kill $GAME $XVFB $XDYING $WESTON 2>/dev/null; umount "$OUT/full-disk" 2>/dev/null; wait 2>/dev/null' EXIT
export DISPLAY=$DISP
for _ in $(seq 1 100); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done

# Presses KEY and waits until the game says PATTERN once more in LOG. An
# injected key can be lost before the window has settled, so after 5 s of
# silence it is pressed once more (and says so). Returns 1 if never answered.
press() { # press KEY LOG PATTERN
    local before attempt
    before=$(grep -c -- "$3" "$2")
    for attempt in 1 2; do
        xdotool key "$1"
        for _ in $(seq 1 50); do
            [ "$(grep -c -- "$3" "$2")" -gt "$before" ] && return 0
            sleep 0.1
        done
        echo "e2e: no answer to key $1 after 5 s (press $attempt)" >&2
    done
    return 1
}

json() { # json FILE PYTHON-EXPRESSION-ON-r
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"
}

ONLY=${1:-all}
if [ "$ONLY" != failures ]; then
# --- 1. The lecture: polled, move the mouse, T, move again, screenshot. ---
# Long enough for both circles under load (xdotool slows down with the machine).
"$BIN" --duration 20 --report "$OUT/report.json" --mode polled \
    --trace "$OUT/trace.json" --frames "$OUT/frames.csv" >"$OUT/game.log" 2>&1 &
GAME=$!
WID=$(wait_for_window "$OUT/game.log") || exit 1
sleep 2 # first frames (lavapipe compiles its shaders)
focus "$WID" # the pointer at (330, 300): the circle is centred 70 px left of it
# shellcheck disable=SC2046
xdotool $(circles 3.5)
xdotool key t
sleep 0.2
xdotool key g # the thread timeline, for the screenshot
sleep 0.3
# shellcheck disable=SC2046
xdotool $(circles 3.5)
import -window root "$OUT/shot.png"
wait_at_most $GAME 60
status=$?
GAME=
check "game exits 0 after --duration" test "$status" -eq 0
check "report written" test -s "$OUT/report.json"
check "both modes ticked" json "$OUT/report.json" 'r["modes"]["polled"]["ticks"] > 0 and r["modes"]["threaded"]["ticks"] > 0'
check "the real X11 mouse was read" json "$OUT/report.json" 'r["mouse"].startswith("X11")'
check "threaded saw more reports per tick than polled" json "$OUT/report.json" \
    'r["modes"]["threaded"]["samples_per_tick"] > 1.0 and r["modes"]["threaded"]["mouse_samples"] / r["modes"]["threaded"]["ticks"] > r["modes"]["polled"]["reports_seen"] / r["modes"]["polled"]["ticks"]'
check "polled read one sample per tick" json "$OUT/report.json" 'r["modes"]["polled"]["samples_per_tick_max"] == 1'
check "threaded dropped nothing" json "$OUT/report.json" 'r["modes"]["threaded"]["dropped"] == 0'
check "frames were shown in both modes" json "$OUT/report.json" 'r["modes"]["polled"]["frames"] > 10 and r["modes"]["threaded"]["frames"] > 10'
# The screenshot: the arena (left) and the overlay (right) both drawn, not blank.
region_sd() { convert "$OUT/shot.png" -crop "$1" +repage -colorspace Gray -format '%[fx:standard_deviation]' info:; }
check "screenshot taken" test -s "$OUT/shot.png"
check "arena is drawn (not blank)" python3 -c "import sys; sys.exit(0 if float('$(region_sd 600x500+40+120)') > 0.03 else 1)"
check "overlay is drawn (not blank)" python3 -c "import sys; sys.exit(0 if float('$(region_sd 500x700+760+40)') > 0.03 else 1)"
colors=$(identify -format '%k' "$OUT/shot.png")
check "screenshot has many colours ($colors)" test "$colors" -gt 200
check "the thread timeline is drawn (not blank)" python3 -c "import sys; sys.exit(0 if float('$(region_sd 480x90+100+490)') > 0.03 else 1)"
# --trace: Chrome trace-event JSON, parsed back; --frames: CSV, parsed back.
check "--trace written and parsed: threads named, spans on loop and read_mouse, report flows, each frame's way to the screen" python3 - "$OUT/trace.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
ev = t["traceEvents"]
names = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
tid = {v: k for k, v in names.items()}
spans = [e for e in ev if e["ph"] == "X"]
ok = {"loop", "read_mouse", "ai", "video", "signals"} <= set(names.values())
ok &= all(isinstance(e["ts"], (int, float)) and e["dur"] >= 0 and "pid" in e for e in spans)
ok &= any(e["tid"] == tid["loop"] and e["name"] == "display" for e in spans)
ok &= any(e["tid"] == tid["read_mouse"] and e["name"] == "blocked in read" for e in spans)
ok &= sum(e["ph"] == "s" for e in ev) > 100 and sum(e["ph"] == "f" for e in ev) > 100
ok &= any(e["ph"] == "i" and e["name"].endswith("reports lost") for e in ev)
# Each frame's newest report, leg by leg, on the "mouse → screen" track.
way = [e for e in spans if e.get("cat") == "latency"]
ok &= len(way) > 50 and {e["name"] for e in way} == {"made_to_read", "read_to_consumed", "consumed_to_simulated", "simulated_to_submitted", "submitted_to_presented"}
ok &= all("seq" in e["args"] for e in way)
sys.exit(0 if ok else 1)
EOF
check "--frames written and parsed: a row per frame, both modes" python3 - "$OUT/frames.csv" "$OUT/report.json" <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r = json.load(open(sys.argv[2]))
frames = r["modes"]["polled"]["frames"] + r["modes"]["threaded"]["frames"]
ok = {"TimeInSeconds", "MsBetweenPresents", "MsCPUBusy", "MsInputAge", "MsWorkDisplay"} <= set(rows[0])
ok &= {row["Mode"] for row in rows} == {"polled", "threaded"}
ok &= abs(len(rows) - frames) <= 2
ok &= all(float(row["MsWorkDisplay"]) > 0 for row in rows[1:])
sys.exit(0 if ok else 1)
EOF

# --- 1b. Every mode: T moves through the whole mode table with the real
#         X11 mouse moving; the report has every mode, each with ticks. ---
MODES=$("$BIN" --help 2>/dev/null | python3 -c "
import re, sys
m = re.search(r'Who reads the mouse at start: (.*?) \(default', sys.stdin.read(), re.S)
print(' '.join(re.split(r',\s*|\s+or\s+', ' '.join(m.group(1).split()))) if m else '')")
NMODES=$(echo "$MODES" | wc -w)
check "--help lists the modes ($MODES)" test "$NMODES" -ge 6
"$BIN" --duration $((3 + 2 * NMODES)) --report "$OUT/report-modes.json" --mode polled \
    --frames "$OUT/frames-modes.csv" >"$OUT/game-modes.log" 2>&1 &
GAME=$!
WID=$(wait_for_window "$OUT/game-modes.log") || exit 1
sleep 2
focus "$WID"
# The pointer keeps moving the whole time (green-blocking's read waits for it).
# shellcheck disable=SC2046
xdotool $(circles $((2 * NMODES))) &
MOVER=$!
for _ in $(seq 2 "$NMODES"); do
    sleep 1.5
    xdotool key t
done
wait_at_most $GAME 60
status=$?
GAME=
kill $MOVER 2>/dev/null
wait $MOVER 2>/dev/null
check "every-mode run exits 0" test "$status" -eq 0
check "T reached every mode: each in the report with ticks" python3 - "$OUT/report-modes.json" $MODES <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
names = sys.argv[2:]
ticked = {n: r["modes"].get(n, {}).get("ticks", 0) for n in names}
print("ticks per mode:", ticked, "final:", r.get("final_mode"))
sys.exit(0 if set(r["modes"]) == set(names) and all(t > 0 for t in ticked.values()) and r["final_mode"] == names[-1] else 1)
EOF
check "every mode's frames have the mouse-to-screen columns, and the legs add up to the whole" python3 - "$OUT/frames-modes.csv" "$OUT/report-modes.json" $MODES <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
r = json.load(open(sys.argv[2]))
names = sys.argv[3:]
legs = ["MsMadeToRead", "MsReadToConsumed", "MsConsumedToSimulated", "MsSimulatedToSubmitted", "MsSubmittedToPresented"]
filled = [row for row in rows if row["MsInputToPresent"]]
per_mode = {n: sum(row["Mode"] == n for row in filled) for n in names}
print("frames with new input, per mode:", per_mode)
# Xvfb has no DRI3, so Mesa's WSI sends lavapipe's frames by PutImage:
# no presents, no display times; the photon columns are there, empty.
ok = all(row["MsAllInputToPhotonLatency"] == "" and row["MsPresentedToShown"] == "" for row in rows)
ok &= r["display_time"].startswith("not reported: the X server completed none")
ok &= all(r["modes"][n]["shown_frames"] == 0 for n in names)
ok &= all(per_mode[n] > 0 and r["modes"][n]["latency_frames"] > 0 for n in names)
ok &= all(abs(sum(float(row[c]) for c in legs) - float(row["MsInputToPresent"])) < 0.001 for row in filled)
ok &= all(float(row["MsOldestInputToPresent"]) >= float(row["MsInputToPresent"]) - 0.001 for row in filled)
sys.exit(0 if ok else 1)
EOF
# What Xvfb does provide: Present on a fake 60 Hz CRTC. Another client's
# presents in a window reach the game's display clock, timed on its clock.
check "X11 Present completions reach the display clock, in order, on the program's clock" \
    env DISPLAY="$DISP" cargo test --quiet --lib display::present -- --ignored

# --- 2. Recording, then signals: USR1 toggles the mode, TERM ends with a
#        report and a finished recording. ---
rm -rf "$OUT/recordings"
mkdir -p "$OUT/recordings"
(cd "$OUT/recordings" && exec "$BIN" --report "$OUT/report-term.json" --mouse synthetic) >"$OUT/game-term.log" 2>&1 &
GAME=$!
WID=$(wait_for_window "$OUT/game-term.log") || exit 1
sleep 2
focus "$WID"
check "V starts a recording" press v "$OUT/game-term.log" "recording every frame into"
sleep 1.5
kill -USR1 $GAME
sleep 1.5
kill -TERM $GAME
wait_at_most $GAME 60
status=$?
GAME=
check "SIGTERM ends the game with status 0" test "$status" -eq 0
check "SIGUSR1 switched modes (both in the report)" json "$OUT/report-term.json" \
    'r["modes"]["polled"]["ticks"] > 0 and r["modes"]["threaded"]["ticks"] > 0 and r["final_mode"] == "threaded"'
REC="$OUT/recordings/$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['recording']['dir'])" "$OUT/report-term.json" 2>/dev/null)"
WRITTEN=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['recording']['frames_written'])" "$OUT/report-term.json" 2>/dev/null || echo 0)
check "a recording was made ($WRITTEN frames)" test "$WRITTEN" -gt 30
check "every recorded frame is a file" test "$(ls "$REC" 2>/dev/null | wc -l)" -eq "$WRITTEN"
check "identify reads every frame, 640x400" test "$(identify "$REC"/*.png 2>/dev/null | grep -c ' PNG 640x400 ')" -eq "$WRITTEN"

# --- 3. Lecture mode, two steps on screen; then SIGINT (Ctrl-C) writes
#        the report too. ---
(cd "$OUT/recordings" && exec "$BIN" --report "$OUT/report-int.json" --mouse synthetic --mode threaded) >"$OUT/game-int.log" 2>&1 &
GAME=$!
WID=$(wait_for_window "$OUT/game-int.log") || exit 1
sleep 2
focus "$WID"
xdotool key n key n
sleep 1.5
import -window root "$OUT/lecture-2.png"
xdotool key n key n key n key n key n key n key n
sleep 2
import -window root "$OUT/lecture-9.png"
xdotool key n key n # the second act: predict, then the measured answer
sleep 2
import -window root "$OUT/lecture-11.png"
kill -INT $GAME
wait_at_most $GAME 60
status=$?
GAME=
check "SIGINT ends the game with status 0" test "$status" -eq 0
check "SIGINT wrote the report" json "$OUT/report-int.json" 'r["modes"]["threaded"]["ticks"] > 0'
check "lecture mode ran polled then threaded" json "$OUT/report-int.json" \
    'r["modes"]["polled"]["ticks"] > 0 and r["final_mode"] in ("threaded", "events")'
check "lecture screenshots differ" test "$(compare -metric AE "$OUT/lecture-2.png" "$OUT/lecture-9.png" null: 2>&1 | cut -d' ' -f1)" -gt 10000
fi

# --- 4-7. When the world fails: kill -9, a stale WAYLAND_DISPLAY, a full
#          disk, the X server dying. ---
# shellcheck source=scripts/e2e-failures.sh
source scripts/e2e-failures.sh

echo "e2e: $passed passed, $failed failed"
if [ "$failed" -gt 0 ]; then
    for log in "$OUT"/game*.log; do
        echo "--- what the game said in $log"
        grep -v '^ALSA lib' "$log" | tail -n 20
    done
    for report in "$OUT"/report*.json; do
        echo "--- $report"
        python3 - "$report" <<'EOF' || true
import json, sys
r = json.load(open(sys.argv[1]))
print("final mode:", r.get("final_mode"), "recording:", r.get("recording"))
for name, m in r["modes"].items():
    if m["ticks"]:
        runs = {k: w["runs"] for k, w in m.get("work_us", {}).items()}
        print(f"{name}: {m['ticks']} ticks in {m['seconds']:.2f} s, {m['frames']} frames, runs {runs}")
EOF
    done
fi
[ "$failed" -eq 0 ]
