# Sourced by the probes. start_server CMD...: starts CMD on a loopback port,
# waits until it answers PING and preloads 50k random SET keys (100 bytes),
# setting PORT and SERVER_PID; stop_server stops it by pid.
start_server() {
  PORT=$((25000 + RANDOM % 1000))
  "$@" --port "$PORT" --bind 127.0.0.1 >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-benchmark -p "$PORT" -c 50 -n 50000 -q -t set -d 100 -r 1000000 >/dev/null 2>&1
}

stop_server() {
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null
}
