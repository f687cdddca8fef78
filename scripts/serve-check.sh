#!/usr/bin/env bash
# Every `why-threads serve` architecture against real clients on loopback:
# curl (statuses, headers, bodies, keep-alive) and a 2-second wrk run, then
# Ctrl-C: the server must exit 0 with its one-line summary.
#
#   scripts/serve-check.sh            every architecture
#   scripts/serve-check.sh events     some of them
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${WHY_THREADS_BIN:-target/release/why-threads}
[ -x "$bin" ] || bin=target/debug/why-threads
if [ ! -x "$bin" ]; then
    echo "serve-check: no binary; run cargo build --release first" >&2
    exit 1
fi
for tool in curl wrk; do
    command -v "$tool" >/dev/null || { echo "serve-check: $tool is missing (scripts/setup test)" >&2; exit 1; }
done
ulimit -n 20000 2>/dev/null || true

if [ $# -gt 0 ]; then
    archs=("$@")
else
    # The architectures the binary offers (its --arch values).
    read -r -a archs <<<"$("$bin" serve --help | sed -n 's/.*\[possible values: \(.*\)\]/\1/p' | head -1 | tr -d ,)"
fi
[ ${#archs[@]} -gt 0 ] || { echo "serve-check: no architectures found in serve --help" >&2; exit 1; }

work=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

out=/dev/null
fail() {
    echo "serve-check: $arch: $*" >&2
    echo "--- server output:" >&2
    cat "$out" >&2 || true
    exit 1
}

status_of() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$@" || true; }

for arch in "${archs[@]}"; do
    out="$work/$arch.out"
    : >"$out"
    "$bin" serve --arch "$arch" --port 0 >"$out" 2>&1 &
    pid=$!
    url=""
    for _ in $(seq 100); do
        url=$(grep -o 'http://[^ ]*/' "$out" | head -1 || true)
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || fail "exited at start"
        sleep 0.1
    done
    [ -n "$url" ] || fail "printed no URL within 10 s"

    curl -sf --max-time 5 "$url" | grep -q 'href="/8k.bin"' || fail "index page lacks the 8k.bin link"
    [ "$(curl -sf --max-time 5 "${url}1m.bin" | wc -c)" -eq 1048576 ] || fail "1m.bin is not 1 MiB"
    curl -sfI --max-time 5 "${url}64k.bin" | tr -d '\r' | grep -qi '^content-length: 65536$' || fail "HEAD 64k.bin"
    curl -sfI --max-time 5 "${url}" | tr -d '\r' | grep -qi '^content-type: text/html' || fail "index Content-Type"
    [ "$(status_of "${url}missing")" = 404 ] || fail "missing file is not 404"
    [ "$(status_of -X POST -d x "${url}")" = 405 ] || fail "POST is not 405"
    [ "$(status_of --path-as-is "${url}../../etc/passwd")" = 400 ] || fail "../ is not 400"
    [ "$(status_of --path-as-is "${url}%2e%2e/%2e%2e/etc/passwd")" = 400 ] || fail "%2e%2e is not 400"
    [ "$(status_of -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' x)" "${url}")" = 431 ] || fail "9 KB header is not 431"
    # Two transfers in one curl: the second reuses the connection.
    connects=$(curl -s --max-time 5 -o /dev/null -o /dev/null -w '%{num_connects} ' "${url}1k.bin" "${url}8k.bin")
    [ "$connects" = "1 0 " ] || fail "keep-alive: connections per transfer were '$connects'"

    timeout 20 wrk -t1 -c16 -d2s "${url}8k.bin" >"$work/wrk.out" 2>&1 || fail "wrk failed: $(cat "$work/wrk.out")"
    requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
    rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
    if grep -qE 'Non-2xx|Socket errors' "$work/wrk.out" || [ "${requests:-0}" -lt 100 ]; then
        fail "wrk: $(cat "$work/wrk.out")"
    fi

    kill -INT "$pid"
    code=0
    for _ in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && fail "still running 15 s after Ctrl-C"
    wait "$pid" || code=$?
    pid=""
    [ "$code" -eq 0 ] || fail "exit status $code after Ctrl-C"
    summary=$(grep -E 'stopped: [0-9]+ connections, [0-9]+ requests, [0-9]+ errors' "$out") ||
        fail "no summary line"
    echo "serve-check: $arch ok: wrk -t1 -c16 -d2s: $rate req/s; ${summary#*stopped: }"
done
