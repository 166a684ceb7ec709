#!/bin/bash
# redis-benchmark -P 1 against sessiond and redis-server, alternated: throughput,
# CPU per request of the client (redis-benchmark) and of the server, how busy
# each is, and how many requests the server serves per time it blocks
# (voluntary context switches). Usage: p1-cpu.sh SESSIOND [ROUNDS] [TEST]
set -u
. "$(dirname "$0")/lib.sh"
B=$1; R=${2:-3}; T=${3:-get}; N=400000
one() {
  local label=$1; shift
  start_server "$@"
  local P=$PORT SP=$SERVER_PID
  local s0 v0 s1 v1
  s0=$(awk '{print $14+$15}' /proc/$SP/stat)
  v0=$(cat /proc/$SP/task/*/status | awk '/^voluntary_ctxt/ {s+=$2} END {print s}')
  /usr/bin/time -f "%U %S %e" -o /tmp/p1-cpu.$$.t redis-benchmark -p $P -c 50 -n $N \
    -r 1000000 -d 100 -P 1 -q -t "$T" > /tmp/p1-cpu.$$.o 2>&1
  s1=$(awk '{print $14+$15}' /proc/$SP/stat)
  v1=$(cat /proc/$SP/task/*/status | awk '/^voluntary_ctxt/ {s+=$2} END {print s}')
  stop_server
  local rps; rps=$(tr '\r' '\n' < /tmp/p1-cpu.$$.o | grep -o '[0-9.]* requests per second' | tail -1 | awk '{print $1}')
  read -r u s e < /tmp/p1-cpu.$$.t
  rm -f /tmp/p1-cpu.$$.t /tmp/p1-cpu.$$.o
  local tck; tck=$(getconf CLK_TCK)
  awk -v l="$label" -v rps="$rps" -v u="$u" -v s="$s" -v e="$e" -v ds="$((s1 - s0))" \
      -v dv="$((v1 - v0))" -v n=$N -v tck="$tck" 'BEGIN {
    printf "%s rps=%s client_us_per_req=%.2f client_busy=%.2f server_us_per_req=%.2f server_busy=%.2f req_per_block=%.1f\n",
      l, rps, (u + s) * 1e6 / n, (u + s) / e, ds / tck * 1e6 / n, ds / tck / e, (dv ? n / dv : 0) }'
}
for _ in $(seq "$R"); do one sessiond "$B"; one redis redis-server --save "" --appendonly no; done
