#!/usr/bin/env bash
# Every `why-threads serve` architecture beside Debian's nginx (one worker),
# under the same wrk runs on loopback, in one run; prints markdown tables.
#
#   scripts/servers-vs-nginx.sh [table|curve|overload|all] [options]
#
#   table     nginx and every architecture; 64 and 1000 connections; 8 KB and 1 MB (default)
#   curve     `threads` (a thread per connection) as connections grow
#   overload  `seda` against `threads` at 64, 1000 and 5000 connections (issue 11)
#   client    the load generators: `wrk -t1` and `why-threads load -t1` in turn on one nginx
#
#   --seconds S     length of each wrk run (default 5)
#   --archs "A B"   architectures for `table`; NAME@N runs it with --workers N
#                   (default: threads pool events seda hybrid hybrid@1 completion completion@1)
#   --bin PATH      the binary (default target/release/why-threads; build it with cargo build --release)
#
# The servers get the same generated files (--root), wrk uses one thread
# (-t1) like nginx's one worker. Loopback only; every run is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=table
seconds=5
archs="threads pool events seda hybrid hybrid@1 completion completion@1"
bin=target/release/why-threads
while [ $# -gt 0 ]; do
    case "$1" in
        table|curve|overload|client|all) mode=$1 ;;
        --seconds) seconds=$2; shift ;;
        --archs) archs=$2; shift ;;
        --bin) bin=$2; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "servers-vs-nginx: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
for tool in wrk nginx; do
    command -v "$tool" >/dev/null || { echo "servers-vs-nginx: $tool is missing (apt-get install wrk nginx-light)" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "servers-vs-nginx: $bin is missing (cargo build --release)" >&2; exit 1; }
ulimit -n 20000

work=$(mktemp -d /tmp/why-threads-vs-nginx.XXXXXX)
chmod 755 "$work" # nginx started as root serves as `nobody`
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "${KEEP_WORK:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT INT TERM

# The site: the same bytes for every server.
mkdir -p "$work/site" "$work/nginx"
head -c 1024 /dev/urandom >"$work/site/1k.bin"
head -c 8192 /dev/urandom >"$work/site/8k.bin"
head -c 65536 /dev/urandom >"$work/site/64k.bin"
head -c 1048576 /dev/urandom >"$work/site/1m.bin"
printf '<!doctype html><title>why-threads</title><a href="8k.bin">8k</a>\n' >"$work/site/index.html"

port=$((20000 + RANDOM % 20000))
nginx_conf() {
    cat <<EOF
daemon off;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 20000; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000000;
    keepalive_timeout 65;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    types { text/html html; application/octet-stream bin; }
    server {
        listen 127.0.0.1:$port;
        root $work/site;
    }
}
EOF
}

# Starts server $1 (nginx or an architecture) on $port; waits until it answers.
start() {
    # A port nobody listens on (other servers may run on this machine).
    port=$((port + 1))
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    if [ "$1" = nginx ]; then
        nginx_conf >"$work/nginx/nginx.conf"
        nginx -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" >"$work/server.log" 2>&1 &
    else
        # NAME@N: the architecture with --workers N (e.g. completion@1: one worker, like nginx).
        local arch=${1%@*} workers=()
        [ "$arch" = "$1" ] || workers=(--workers "${1#*@}")
        "$bin" serve --arch "$arch" "${workers[@]}" --port "$port" --root "$work/site" >"$work/server.log" 2>&1 &
    fi
    server_pid=$!
    for _ in $(seq 100); do
        if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            sleep 0.2
            kill -0 "$server_pid" 2>/dev/null && return 0
            break
        fi
        sleep 0.1
    done
    echo "servers-vs-nginx: $1 did not start:" >&2
    cat "$work/server.log" >&2
    server_pid=""
    return 1
}

stop() {
    kill -INT "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    sleep 0.5 # let TIME_WAIT sockets and the CPU settle
}

# wrk's latency line ("99%  1.23ms") in milliseconds.
to_ms() {
    awk '{ v = $1; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
           if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000;
           printf "%.2f", v }'
}

# Runs wrk with $1 connections on file $2; sets rps, p99, errs.
bench() {
    local out
    out=$(wrk -t1 -c"$1" -d"${seconds}s" --latency --timeout 10s "http://127.0.0.1:$port/$2" 2>&1) || true
    [ -z "${WRK_LOG:-}" ] || echo "$out" >>"$WRK_LOG"
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)
    errs=$(awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i + 0 }
                /Non-2xx/ { s += $NF } END { print s + 0 }' <<<"$out")
    [ -n "$rps" ] || { rps=0; p99="-"; errs="wrk failed"; echo "$out" >&2; }
}

table() {
    declare -A nginx_rps
    local cases=("64 8k.bin" "1000 8k.bin" "64 1m.bin" "1000 1m.bin")
    echo "| server | connections | file | req/s | p99 ms | errors | × nginx |"
    echo "| --- | ---: | --- | ---: | ---: | ---: | ---: |"
    for server in nginx $archs; do
        start "$server" || { echo "| $server | - | - | did not start | | | |"; continue; }
        for c in "${cases[@]}"; do
            set -- $c
            bench "$1" "$2"
            [ "$server" = nginx ] && nginx_rps[$c]=$rps
            ratio=$(awk -v a="$rps" -v b="${nginx_rps[$c]:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
            echo "| $server | $1 | $2 | $rps | $p99 | $errs | $ratio |"
        done
        stop
    done
}

curve() {
    echo "| threads: connections | req/s | p99 ms | errors |"
    echo "| ---: | ---: | ---: | ---: |"
    start threads || return 0
    for c in 1 4 16 64 256 1000 2000 5000; do
        bench "$c" 8k.bin
        echo "| $c | $rps | $p99 | $errs |"
    done
    stop
}

overload() {
    echo "| server | connections | req/s | p99 ms | errors | × its 64-connection req/s |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    for server in seda threads; do
        start "$server" || { echo "| $server | - | did not start | | | |"; continue; }
        base=0
        for c in 64 1000 5000; do
            bench "$c" 8k.bin
            [ "$c" = 64 ] && base=$rps
            ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
            echo "| $server | $c | $rps | $p99 | $errs | $ratio |"
        done
        stop
    done
}

client() {
    echo "| client (64 connections, 8k.bin, nginx) | req/s | p99 ms |"
    echo "| --- | ---: | ---: |"
    start nginx || return 0
    for _ in 1 2 3; do
        bench 64 8k.bin
        echo "| wrk -t1 | $rps | $p99 |"
        local out
        out=$("$bin" load "http://127.0.0.1:$port/8k.bin" -c 64 -t 1 -s "$seconds")
        echo "| why-threads load -t 1 | $(awk '$1 == "requests" { printf "%.0f", $6 }' <<<"$out") | $(awk '$1 == "latency" { v = $6; u = $7; if (u == "µs") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v }' <<<"$out") |"
    done
    stop
}

echo "<!-- $(date -u +%FT%TZ), $(nproc) cores, $(uname -sr), wrk -t1 -d${seconds}s --latency, nginx $(nginx -v 2>&1 | sed 's/.*\///') -->"
case "$mode" in
    table) table ;;
    curve) curve ;;
    overload) overload ;;
    client) client ;;
    all) table; echo; curve; echo; overload; echo; client ;;
esac
