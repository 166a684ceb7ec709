#!/bin/bash
# Instructions a sessiond build executes for one redis-benchmark run: starts
# SESSIOND under valgrind --tool=callgrind on a loopback port, runs
# redis-benchmark -c 50 -P 16 -n N with the remaining arguments (e.g.
# -t get -r 1000000 -d 100), shuts the server down and prints the
# whole-process total (startup included) from OUT.
# Usage: callgrind-rb.sh SESSIOND OUT N [redis-benchmark args...]
set -u
B=$1; OUT=$2; N=$3; shift 3
P=$((18000 + RANDOM % 1000))
valgrind --tool=callgrind --callgrind-out-file="$OUT" "$B" --port $P --bind 127.0.0.1 \
  >"$OUT.log" 2>&1 &
VP=$!
for _ in $(seq 60); do redis-cli -p $P ping >/dev/null 2>&1 && break; sleep 1; done
redis-benchmark -p $P -c 50 -P 16 -n "$N" -q "$@" 2>&1 | tr '\r' '\n' | tail -1
redis-cli -p $P shutdown nosave >/dev/null 2>&1
wait $VP
callgrind_annotate "$OUT" 2>/dev/null | grep 'PROGRAM TOTALS'
