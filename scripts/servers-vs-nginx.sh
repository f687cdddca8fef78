#!/usr/bin/env bash
# Every `why-threads serve` architecture beside Debian's nginx (one worker),
# under the same wrk runs on loopback, in one run; prints markdown tables.
#
#   scripts/servers-vs-nginx.sh [table|curve|overload|client|all] [options]
#
#   table     nginx and every architecture; 64 and 1000 connections; 8 KB and 1 MB (default)
#   curve     `threads` (a thread per connection) as connections grow
#   overload  `seda` against `threads` at 64, 1000 and 5000 connections (issue 11),
#             `events` and nginx beside them; wrk -t2; server CPU per request
#   client    the load generators: `wrk -t1` and `why-threads load -t 1` in turn on one nginx
#
#   --seconds S     length of each wrk run (default 3)
#   --rounds R      rounds; each cell keeps its best round (default 2)
#   --archs "A B"   architectures for `table`; NAME@N runs it with --workers N
#                   (default: threads pool events seda hybrid hybrid@1 completion completion@1)
#   --refs "A B"    servers beside `seda` and `threads` in `overload` (default: events nginx)
#   --bin PATH      the binary (default target/release/why-threads; build it with cargo build --release)
#
# Every server runs at once, each on its own free port, serving the same
# generated files (--root); the wrk runs take them in turn, round after
# round, so that noise from the rest of the machine hits them alike, and
# each cell keeps its best round (noise only ever slows a run down). wrk
# uses one thread (-t1), like nginx's one worker (two in `overload`, see
# there). Loopback only; every run is bounded. WRK_LOG=FILE keeps wrk's own
# output, KEEP_WORK=1 the folder.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=table
seconds=3
rounds=2
archs="threads pool events seda hybrid hybrid@1 completion completion@1"
refs="events nginx"
bin=target/release/why-threads
while [ $# -gt 0 ]; do
    case "$1" in
        table|curve|overload|client|all) mode=$1 ;;
        --seconds) seconds=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --archs) archs=$2; shift ;;
        --refs) refs=$2; shift ;;
        --bin) bin=$2; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
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
declare -A pid_of port_of
cleanup() {
    for p in "${pid_of[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    for p in "${pid_of[@]}"; do wait "$p" 2>/dev/null || true; done
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

next_port=$((20000 + RANDOM % 20000))
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
        listen 127.0.0.1:$1;
        root $work/site;
    }
}
EOF
}

# Starts server $1 (nginx, an architecture, or NAME@N for --workers N) on
# a free port; waits until it answers. Returns 1 (and says why) if it does not.
start() {
    local name=$1 port pid log="$work/${1//@/-}.log"
    port=$next_port
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    next_port=$((port + 1))
    if [ "$name" = nginx ]; then
        nginx_conf "$port" >"$work/nginx/nginx.conf"
        nginx -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" >"$log" 2>&1 &
    else
        local arch=${name%@*} workers=()
        [ "$arch" = "$name" ] || workers=(--workers "${name#*@}")
        "$bin" serve --arch "$arch" "${workers[@]}" --port "$port" --root "$work/site" >"$log" 2>&1 &
    fi
    pid=$!
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            pid_of[$name]=$pid
            port_of[$name]=$port
            return 0
        fi
        sleep 0.1
    done
    echo "servers-vs-nginx: $name did not start:" >&2
    cat "$log" >&2
    kill "$pid" 2>/dev/null || true
    return 1
}

# wrk's latency ("1.23ms") in milliseconds.
to_ms() {
    awk '{ v = $1; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
           if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000;
           printf "%.2f", v }'
}

# CPU time (clock ticks, user + system) that server $1 has used so far: its
# process and its children (nginx's worker is a child of its master).
cpu_ticks() {
    local pid=${pid_of[$1]} p total=0 t
    for p in "$pid" $(pgrep -P "$pid" || true); do
        # Fields after the ")" that closes the command name: utime is the 12th, stime the 13th.
        t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }') || t=0
        total=$((total + ${t:-0}))
    done
    echo "$total"
}
ticks_per_second=$(getconf CLK_TCK)

declare -A best_rps best_p99 best_errs best_cpu
# One wrk run: server $1, $2 connections, file $3, wrk threads $4 (default 1);
# keeps the best round in best_*["$1 $2 $3"]. req/s counts 2xx answers only
# (a 503 is not a served request); best_cpu is the server's CPU time per
# answered request, in µs.
bench() {
    local key="$1 $2 $3" out rps p99 errs requests non2xx cpu0 cpu1 cpu secs
    cpu0=$(cpu_ticks "$1")
    out=$(wrk -t"${4:-1}" -c"$2" -d"${seconds}s" --latency --timeout 10s "http://127.0.0.1:${port_of[$1]}/$3" 2>&1) || true
    cpu1=$(cpu_ticks "$1")
    [ -z "${WRK_LOG:-}" ] || printf '== %s\n%s\n' "$key" "$out" >>"$WRK_LOG"
    requests=$(awk '$2 == "requests" && $3 == "in" { print $1 }' <<<"$out")
    secs=$(awk '$2 == "requests" && $3 == "in" { sub(/s,?$/, "", $4); print $4 }' <<<"$out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
    rps=$(awk -v n="${requests:-0}" -v bad="${non2xx:-0}" -v s="${secs:-0}" 'BEGIN { if (s > 0) printf "%.0f", (n - bad) / s }')
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)
    errs=$(awk '/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i + 0 }
                /Non-2xx/ { s += $NF } END { print s + 0 }' <<<"$out")
    cpu=$(awk -v t=$((cpu1 - cpu0)) -v hz="$ticks_per_second" -v n="${requests:-0}" -v bad="${non2xx:-0}" \
        'BEGIN { if (n > bad) printf "%.1f", t / hz * 1e6 / (n - bad); else print "-" }')
    if [ -z "$rps" ] || [ -z "$requests" ]; then
        echo "servers-vs-nginx: wrk failed on $key: $out" >&2
        rps=0 p99=- errs=- cpu=-
    fi
    if [ -z "${best_rps[$key]:-}" ] || [ "$rps" -gt "${best_rps[$key]}" ]; then
        best_rps[$key]=$rps best_p99[$key]=$p99 best_errs[$key]=$errs best_cpu[$key]=$cpu
    fi
    sleep 0.3 # let the CPU and TIME_WAIT settle between runs
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

table() {
    local servers=() cases=("64 8k.bin" "1000 8k.bin" "64 1m.bin" "1000 1m.bin") s c r
    for s in nginx $archs; do start "$s" && servers+=("$s"); done
    for r in $(seq "$rounds"); do
        for c in "${cases[@]}"; do
            for s in "${servers[@]}"; do bench "$s" $c; done
        done
    done
    echo "| server | connections | file | req/s | p99 ms | errors | × nginx |"
    echo "| --- | ---: | --- | ---: | ---: | ---: | ---: |"
    for s in "${servers[@]}"; do
        for c in "${cases[@]}"; do
            set -- $c
            echo "| $s | $1 | $2 | ${best_rps[$s $c]} | ${best_p99[$s $c]} | ${best_errs[$s $c]} | $(ratio "${best_rps[$s $c]}" "${best_rps[nginx $c]:-0}") |"
        done
    done
}

curve() {
    local c r counts=(1 4 16 64 256 1000 2000 5000)
    [ -n "${port_of[threads]:-}" ] || start threads || return 0
    for r in $(seq "$rounds"); do
        for c in "${counts[@]}"; do bench threads "$c" 8k.bin; done
    done
    echo "| threads: connections | req/s | p99 ms | errors |"
    echo "| ---: | ---: | ---: | ---: |"
    for c in "${counts[@]}"; do
        echo "| $c | ${best_rps[threads $c 8k.bin]} | ${best_p99[threads $c 8k.bin]} | ${best_errs[threads $c 8k.bin]} |"
    done
}

# SEDA's claim: a well-conditioned server holds its throughput as the load
# grows past its capacity. Two wrk threads here: one wrk thread saturates
# its own CPU near 50 000 req/s at 5000 connections (the server then idles
# part of the time), which would measure the client, not the server. nginx
# and `events` run as references: what the client and machine can drive.
overload() {
    local servers=() s c r
    for s in seda threads $refs; do
        [ -n "${port_of[$s]:-}" ] || start "$s" || continue
        servers+=("$s")
    done
    for r in $(seq "$rounds"); do
        for c in 64 1000 5000; do
            for s in "${servers[@]}"; do bench "$s" "$c" 8k.bin 2; done
        done
    done
    echo "| server | connections | req/s (2xx) | p99 ms | errors | × its 64-connection req/s | server CPU µs/request |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    for s in "${servers[@]}"; do
        for c in 64 1000 5000; do
            echo "| $s | $c | ${best_rps[$s $c 8k.bin]} | ${best_p99[$s $c 8k.bin]} | ${best_errs[$s $c 8k.bin]} | $(ratio "${best_rps[$s $c 8k.bin]}" "${best_rps[$s 64 8k.bin]}") | ${best_cpu[$s $c 8k.bin]} |"
        done
    done
}

client() {
    local r out
    [ -n "${port_of[nginx]:-}" ] || start nginx || return 0
    echo "| client (64 connections, 8k.bin, nginx) | req/s | p99 ms |"
    echo "| --- | ---: | ---: |"
    for r in $(seq $((rounds + 1))); do
        unset 'best_rps[nginx 64 8k.bin]'
        bench nginx 64 8k.bin
        echo "| wrk -t1 | ${best_rps[nginx 64 8k.bin]} | ${best_p99[nginx 64 8k.bin]} |"
        out=$("$bin" load "http://127.0.0.1:${port_of[nginx]}/8k.bin" -c 64 -t 1 -s "$seconds")
        echo "| why-threads load -t 1 | $(awk '$1 == "requests" { printf "%.0f", $6 }' <<<"$out") | $(awk '$1 == "latency" { v = $6; u = $7; if (u == "µs") v /= 1000; else if (u == "s") v *= 1000; printf "%.2f", v }' <<<"$out") |"
        sleep 0.3
    done
}

echo "<!-- $(date -u +%FT%TZ), $(nproc) cores, $(uname -sr), wrk -t1 (overload: -t2) -d${seconds}s --latency, best of $rounds rounds, nginx $(nginx -v 2>&1 | sed 's/.*\///') -->"
case "$mode" in
    table) table ;;
    curve) curve ;;
    overload) overload ;;
    client) client ;;
    all) table; echo; curve; echo; overload; echo; client ;;
esac
