# When the world fails: sourced by scripts/e2e.sh (it uses its helpers:
# check, wait_at_most, json, wait_for_window, focus, press, BIN, OUT).
#
#   scripts/e2e.sh failures     (only these checks)
#
# - kill -9 mid-run leaves a valid, recent report (the checkpoint);
# - a stale WAYLAND_DISPLAY beside a live DISPLAY falls back to X11;
# - a full disk while recording (a 3 MB tmpfs; needs root to mount):
#   the recording stops with one message, every frame on disk is whole,
#   the report counts the failure, the game goes on;
# - the X server dies mid-run: status 1, one line, a complete report,
#   a finished recording.

# Every file in DIR is a complete PNG (convert decodes the whole image,
# identify only the header), and nothing else is there.
frames_whole() { # frames_whole DIR COUNT
    local f n=0
    for f in "$1"/* "$1"/.[!.]*; do
        [ -e "$f" ] || continue
        case "$f" in */frame-*.png) ;; *) echo "e2e: stray file $f" >&2; return 1 ;; esac
        [ -s "$f" ] || { echo "e2e: empty $f" >&2; return 1; }
        convert "$f" null: 2>/dev/null || { echo "e2e: $f does not decode" >&2; return 1; }
        n=$((n + 1))
    done
    [ "$n" -eq "$2" ] || { echo "e2e: $n frames on disk, the report says $2" >&2; return 1; }
}

field() { # field FILE PYTHON-EXPRESSION-ON-r: prints it
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null
}

# --- 4. kill -9: the checkpoint is a valid report of the run so far. ---
rm -f "$OUT/report-kill.json"
"$BIN" --report "$OUT/report-kill.json" --mouse synthetic >"$OUT/game-kill.log" 2>&1 &
GAME=$!
wait_for_window "$OUT/game-kill.log" >/dev/null || exit 1
sleep 3
kill -KILL $GAME
wait $GAME 2>/dev/null
GAME=
check "kill -9 leaves a valid report, at most ~1 s old" json "$OUT/report-kill.json" \
    'r["ended"] == "running" and r["seconds"] >= 1 and r["modes"]["polled"]["ticks"] > 0'
check "kill -9 leaves no temporary report" test -z "$(ls -A "$OUT" | grep '\.tmp$')"

# --- 5. A stale WAYLAND_DISPLAY beside a live DISPLAY. ---
WAYLAND_DISPLAY=why-threads-gone timeout -k 5 60 "$BIN" --duration 2 --mouse synthetic --wayland >"$OUT/game-wayland.log" 2>&1
status=$?
check "a stale WAYLAND_DISPLAY falls back to X11 (status $status)" test "$status" -eq 0
check "... and says so in one line" test "$(grep -c "Wayland display 'why-threads-gone' does not answer.*using the X display" "$OUT/game-wayland.log")" -eq 1
# Without --wayland, a desktop offering both opens the window through X11
# (XWayland), and the X11 mouse is read by read_mouse itself.
WAYLAND_DISPLAY=why-threads-gone timeout -k 5 60 "$BIN" --duration 2 --report "$OUT/report-xwayland.json" >"$OUT/game-xwayland.log" 2>&1
status=$?
check "both displays named: the window opens through X11 (status $status)" test "$status" -eq 0
check "... says so in one line" test "$(grep -c "the window opens on the X display.*XWayland.*--wayland" "$OUT/game-xwayland.log")" -eq 1
check "... and reads the X11 mouse" json "$OUT/report-xwayland.json" 'r["mouse"].startswith("X11")'

# --- 5b. A Wayland desktop: weston's headless compositor with XWayland.
#          By default the window opens through XWayland and read_mouse reads
#          the X11 mouse; --wayland keeps a native window (a labelled relay). ---
if command -v weston >/dev/null; then
    WL_RUNTIME=$(mktemp -d)
    chmod 700 "$WL_RUNTIME"
    XDG_RUNTIME_DIR="$WL_RUNTIME" weston --backend=headless-backend.so --xwayland \
        --socket=why-threads-wl --idle-time=0 >"$OUT/weston.log" 2>&1 &
    WESTON=$!
    for _ in $(seq 100); do
        grep -q "xserver listening on display" "$OUT/weston.log" && break
        sleep 0.1
    done
    XW_DISPLAY=$(grep -o "xserver listening on display :[0-9]*" "$OUT/weston.log" | grep -o ":[0-9]*$" || true)
    check "weston started with XWayland ($XW_DISPLAY)" test -n "$XW_DISPLAY"
    XDG_RUNTIME_DIR="$WL_RUNTIME" WAYLAND_DISPLAY=why-threads-wl DISPLAY="$XW_DISPLAY" \
        timeout -k 5 60 "$BIN" --duration 3 --report "$OUT/report-weston.json" >"$OUT/game-weston.log" 2>&1
    status=$?
    check "weston + XWayland: the game ends cleanly (status $status)" test "$status" -eq 0
    check "weston + XWayland: X11 chosen, and read_mouse reads the XInput2 device" json "$OUT/report-weston.json" 'r["mouse"].startswith("X11 XInput2") and r["ended"] == "duration"'
    XDG_RUNTIME_DIR="$WL_RUNTIME" WAYLAND_DISPLAY=why-threads-wl DISPLAY="$XW_DISPLAY" \
        timeout -k 5 60 "$BIN" --duration 3 --wayland --report "$OUT/report-wayland-native.json" >"$OUT/game-wayland-native.log" 2>&1
    status=$?
    # winit's Wayland event loop could hang the exit (WindowFrontend::event_loop).
    check "weston, --wayland: the game ends cleanly (status $status)" test "$status" -eq 0
    check "weston, --wayland: a native window, the mouse a labelled relay" json "$OUT/report-wayland-native.json" 'r["mouse"].startswith("relay") and r["modes"]["polled"]["frames"] > 10'
    kill "$WESTON" 2>/dev/null
    wait_at_most "$WESTON" 10 >/dev/null
    WESTON=
    rm -rf "$WL_RUNTIME"
else
    echo "skip weston checks: weston is not installed (scripts/setup test installs it)"
fi

# --- 6. A full disk while recording. ---
FULL="$OUT/full-disk"
mkdir -p "$FULL"
umount "$FULL" 2>/dev/null
if mount -t tmpfs -o size=3m tmpfs "$FULL" 2>"$OUT/mount.log"; then
    (cd "$FULL" && exec "$BIN" --report "$OUT/report-full.json" --mouse synthetic) >"$OUT/game-full.log" 2>&1 &
    GAME=$!
    WID=$(wait_for_window "$OUT/game-full.log") || exit 1
    sleep 2
    focus "$WID"
    press v "$OUT/game-full.log" "recording every frame into"
    for _ in $(seq 1 300); do grep -q "recording stopped" "$OUT/game-full.log" && break; sleep 0.1; done
    sleep 1.5
    check "the game goes on after the disk filled" kill -0 $GAME
    kill -TERM $GAME
    wait_at_most $GAME 10
    status=$?
    GAME=
    check "full disk: the game ends with status 0 ($status)" test "$status" -eq 0
    check "full disk: said once, with the reason" test "$(grep -c 'recording stopped: frame [0-9]* could not be written: No space left on device' "$OUT/game-full.log")" -eq 1
    check "full disk: the report counts written and failed frames, and why" json "$OUT/report-full.json" \
        'r["recording"]["frames_written"] > 0 and r["recording"]["frames_failed"] >= 1 and "No space left" in r["recording"]["error"]'
    REC="$FULL/$(field "$OUT/report-full.json" 'r["recording"]["dir"]')"
    check "full disk: only whole frames on disk, as many as the report says" \
        frames_whole "$REC" "$(field "$OUT/report-full.json" 'r["recording"]["frames_written"]')"
    umount "$FULL"
else
    check "a 3 MB tmpfs for the full-disk case (needs root): $(head -c 200 "$OUT/mount.log")" false
fi

# --- 7. The X server dies mid-run, while recording. ---
for n in $(seq 141 190); do
    if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then DYING=":$n"; break; fi
done
Xvfb "$DYING" -screen 0 1280x800x24 -nolisten tcp -noreset >"$OUT/xvfb-dying.log" 2>&1 &
XDYING=$!
for _ in $(seq 1 100); do DISPLAY=$DYING xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done
rm -rf "$OUT/xdeath" && mkdir -p "$OUT/xdeath"
(cd "$OUT/xdeath" && DISPLAY=$DYING exec "$BIN" --duration 60 --mouse synthetic --report "$OUT/report-xdeath.json") >"$OUT/game-xdeath.log" 2>&1 &
GAME=$!
WID=$(DISPLAY=$DYING wait_for_window "$OUT/game-xdeath.log") || exit 1
sleep 2
DISPLAY=$DYING focus "$WID"
DISPLAY=$DYING press v "$OUT/game-xdeath.log" "recording every frame into"
sleep 1.5
kill -KILL $XDYING
wait $XDYING 2>/dev/null
wait_at_most $GAME 10
status=$?
GAME=
check "X server died: status 1 ($status)" test "$status" -eq 1
check "X server died: one line says the display went away" test "$(grep -c 'the display went away after' "$OUT/game-xdeath.log")" -eq 1
check "X server died: no Xlib or panic noise" test "$(grep -c -i 'XIO\|panicked\|X connection' "$OUT/game-xdeath.log")" -eq 0
check "X server died: the report is complete" json "$OUT/report-xdeath.json" \
    'r["ended"] == "display lost" and r["problem"].startswith("the display went away") and r["modes"]["polled"]["ticks"] > 0 and r["recording"]["frames_written"] > 0'
REC="$OUT/xdeath/$(field "$OUT/report-xdeath.json" 'r["recording"]["dir"]')"
check "X server died: the recording is finished, every frame whole" \
    frames_whole "$REC" "$(field "$OUT/report-xdeath.json" 'r["recording"]["frames_written"]')"
