#!/bin/bash
# redis-benchmark -P 1 GET against sessiond and redis-server: the server's
# epoll_wait, read and write calls and context switches, counted with perf
# tracepoints (strace slows the server so much that requests pile up and the
# counts say nothing about a normal run). Needs root for the tracepoints.
# Usage: p1-syscalls.sh SESSIOND
set -u
. "$(dirname "$0")/lib.sh"
B=$1; N=300000
one() {
  local label=$1; shift
  start_server "$@"
  local P=$PORT SP=$SERVER_PID
  perf stat -e 'syscalls:sys_enter_epoll_wait,syscalls:sys_enter_read,syscalls:sys_enter_write,context-switches' \
    -p $SP -o /tmp/p1-syscalls.$$.txt & local PS=$!
  sleep 0.3
  local rps; rps=$(redis-benchmark -p $P -c 50 -n $N -r 1000000 -d 100 -P 1 -q -t get 2>&1 | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1)
  kill -INT $PS; wait $PS
  stop_server
  echo "$label: $rps, $N requests"
  grep -E "sys_enter|context" /tmp/p1-syscalls.$$.txt | awk '{printf "  %-32s %s\n", $2, $1}'
  rm -f /tmp/p1-syscalls.$$.txt
}
one sessiond "$B"; one redis redis-server --save "" --appendonly no
