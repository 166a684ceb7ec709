"""sessiond benchmark suite: sessiond vs Debian's redis-server in one run.

Each workload runs against both servers, alternating sessiond, redis, sessiond,
redis over --rounds rounds; every (workload, round, server) gets a freshly
started server so memory and keyspace figures are clean. The table shows the
median over rounds; raw per-round results and SVG charts go to --out.

Workloads (see tools/README.md for what each one measures):
  rb       redis-benchmark SET/GET/SETEX at -P 16 and -P 1
  churn    a new connection per operation: connect, SETEX, GET, DEL, close
  latency  open-loop paced GET/SET at 50% of the lower -P 1 peak: p50..max
  expiry   1M keys with PXAT deadlines spread over one second: reclaim lag,
           correctness around the deadline, PING round trips meanwhile
  expired-events  notify-keyspace-events Ex, 1M keys with PXAT deadlines over
           3 s: lag from each deadline to its `expired` event at a subscriber
  memory   1M SETEX sessions (100 B and 300 B values): RSS bytes per key

Every request loop here is bounded in count and in time, and all traffic goes
to 127.0.0.1, to servers this tool starts and stops itself.

Layout: resp (client), server (processes), stats, one module per workload,
report (table), svg + charts (pictures), main (command line and driver).
"""
