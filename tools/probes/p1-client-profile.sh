#!/bin/bash
# perf profile of the client, redis-benchmark -P 1 GET, against sessiond and
# against redis-server: the share of the client's time spent in
# sock_def_readable, i.e. telling (and waking) the server that a request has
# arrived. Needs perf. Usage: p1-client-profile.sh SESSIOND
set -u
. "$(dirname "$0")/lib.sh"
B=$1
one() {
  local label=$1; shift
  start_server "$@"
  local P=$PORT SP=$SERVER_PID
  perf record -q -g -o /tmp/p1-client.$$.data -- redis-benchmark -p $P -c 50 -n 300000 \
    -r 1000000 -d 100 -P 1 -q -t get >/dev/null 2>&1
  stop_server
  echo "$label:"
  perf report -i /tmp/p1-client.$$.data --no-children --sort sym --stdio 2>/dev/null \
    | grep -E '^ +[0-9.]+%' | head -5
  perf report -i /tmp/p1-client.$$.data --children --sort sym --stdio 2>/dev/null \
    | grep -E '^ +[0-9.]+% +[0-9.]+% .*(sock_def_readable|try_to_wake_up)' | head -2
  rm -f /tmp/p1-client.$$.data
}
one sessiond "$B"; one redis redis-server --save "" --appendonly no
