# Shell helpers for driving the game under Xvfb, sourced by scripts/e2e.sh
# and scripts/screenshots.sh (not run on its own).

# Prints a free X display number (":N") between $1 and $2.
free_display() { # free_display FIRST LAST
    local n
    for n in $(seq "$1" "$2"); do
        if [ ! -e "/tmp/.X11-unix/X$n" ] && [ ! -e "/tmp/.X$n-lock" ]; then
            echo ":$n"
            return 0
        fi
    done
    echo "${0##*/}: no free X display between :$1 and :$2" >&2
    return 1
}

# Prints the id of the game's mapped window once it appears (30 s at most);
# if it never does, shows what the game said in LOG.
wait_for_window() { # wait_for_window LOG
    local id
    for _ in $(seq 1 300); do
        id=$(xdotool search --onlyvisible --name '^why-threads' 2>/dev/null | head -n1)
        if [ -n "$id" ]; then echo "$id"; return 0; fi
        sleep 0.1
    done
    echo "${0##*/}: the window never appeared; the game said:" >&2
    grep -v '^ALSA lib' "$1" >&2
    return 1
}

# The pointer into the window and the keyboard focus on it, checked: a key
# sent before the focus lands would go nowhere.
focus() { # focus WID
    xdotool mousemove --window "$1" 330 300
    for _ in $(seq 1 50); do
        xdotool windowfocus "$1" 2>/dev/null
        [ "$(xdotool getwindowfocus 2>/dev/null)" = "$1" ] && return 0
        sleep 0.1
    done
    echo "${0##*/}: window $1 never took the keyboard focus" >&2
}

# xdotool arguments for relative pointer moves around a circle of radius
# 70 px, ~2 ms apart, for $1 seconds. Deltas between rounded points, so the
# pointer does not drift.
circles() { # circles SECONDS
    python3 - "$1" <<'PY'
import math, sys
steps = int(float(sys.argv[1]) / 0.002)
point = lambda i: (round(70 * math.cos(i * 2 * math.pi / 80)), round(70 * math.sin(i * 2 * math.pi / 80)))
args = []
for i in range(steps):
    (x0, y0), (x1, y1) = point(i), point(i + 1)
    args += ["mousemove_relative", "--", str(x1 - x0), str(y1 - y0), "sleep", "0.002"]
print(" ".join(args))
PY
}
