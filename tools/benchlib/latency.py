"""Workload latency: reply latency at a fixed, moderate, open-loop load.

Before the rounds, each server's peak GET and SET rate at -P 1 with 50 clients
is taken (from this run's rb results, else measured with redis-benchmark).
The target is LATENCY_LOAD of the lower of the two peaks: the same absolute
rate for both servers. Two worker processes with 25 connections each then
send GET and SET (alternating, random keys of a preloaded set) on a fixed
schedule, whether or not earlier replies came back (open loop: a busy
connection makes the next request go to an idle one, or pipelines behind it).
Latency is counted from the request's scheduled send time to its reply, so a
server stall shows in every request it delays (no coordinated omission); the
client's own lateness is reported separately as "client send lag".
"""

import collections
import multiprocessing
import random
import select
import socket
import time

from .rb import measure_peak
from .resp import Resp, chunked, encode, log
from .stats import median, pct

LATENCY_LOAD = 0.5            # fraction of the lower peak
WORKERS = 2
CONNS_PER_WORKER = 25         # 50 connections, as redis-benchmark -c 50
PRELOAD_KEYS = 10_000
VALUE = b"v" * 100
N_PAYLOADS = 4096             # pre-encoded requests, cycled: encoding is off the timed path
DRAIN_S = 10.0                # after the schedule ends, wait at most this for replies
MAX_SELECT_WAIT_S = 0.05


def _replies(buf, pos):
    """Complete replies in buf from pos: (count, errors, new pos). Handles
    the reply types GET and SET give: +OK, -ERR, $n bulk, $-1."""
    n = errs = 0
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return n, errs, pos
        kind = buf[pos]
        if kind == 0x24:                                  # '$'
            size = int(buf[pos + 1:eol])
            end = eol + 2 + (size + 2 if size >= 0 else 0)
            if end > len(buf):
                return n, errs, pos
            pos = end
        else:
            errs += kind == 0x2D                          # '-'
            pos = eol + 2
        n += 1


def paced_worker(port, wid, rate, start_at, duration_s, seed, tx):
    """Child process: request j = i*WORKERS + wid goes out at start_at + j/rate
    (monotonic clock, shared by all processes on Linux)."""
    out = {"lat": [], "lag": [], "svc": [], "errors": 0, "sent": 0, "done": 0, "failure": None}
    socks = []
    try:
        rng = random.Random(seed)
        gets = [encode("GET", b"sess:%08d" % rng.randrange(PRELOAD_KEYS)) for _ in range(N_PAYLOADS)]
        sets = [encode("SET", b"sess:%08d" % rng.randrange(PRELOAD_KEYS), VALUE)
                for _ in range(N_PAYLOADS)]
        for _ in range(CONNS_PER_WORKER):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            socks.append(s)
        fifo = {s: collections.deque() for s in socks}   # (scheduled, sent) of outstanding requests
        bufs = {s: [bytearray(), 0] for s in socks}
        idle = collections.deque(socks)
        busy = set()
        n_total = int(rate * duration_s / WORKERS)
        step = WORKERS / rate
        first = start_at + wid / rate
        rr = 0
        lat, lag, svc = out["lat"], out["lag"], out["svc"]
        i = 0
        hard_end = start_at + duration_s + DRAIN_S
        while True:
            now = time.monotonic()
            while i < n_total and first + i * step <= now:
                sched = first + i * step
                if idle:
                    s = idle.popleft()
                else:                                    # all busy: pipeline, round-robin
                    s = socks[rr % len(socks)]
                    rr += 1
                s.sendall(gets[i % N_PAYLOADS] if i % 2 == 0 else sets[i % N_PAYLOADS])
                fifo[s].append((sched, now))
                busy.add(s)
                lag.append(now - sched)
                i += 1
            if i >= n_total and not busy:
                break
            if now > hard_end:
                out["failure"] = f"{sum(len(q) for q in fifo.values())} replies missing after drain"
                break
            wait = (first + i * step - now) if i < n_total else MAX_SELECT_WAIT_S
            ready, _, _ = select.select(busy, [], [], min(max(wait, 0), MAX_SELECT_WAIT_S))
            t_recv = time.monotonic()
            for s in ready:
                data = s.recv(1 << 16)
                if not data:
                    raise ConnectionError("server closed a connection")
                b = bufs[s]
                b[0] += data
                n, errs, b[1] = _replies(b[0], b[1])
                if b[1] > 1 << 16:
                    del b[0][:b[1]]
                    b[1] = 0
                out["errors"] += errs
                q = fifo[s]
                for _ in range(n):
                    sched, sent = q.popleft()
                    lat.append(t_recv - sched)
                    svc.append(t_recv - sent)
                if not q:
                    busy.discard(s)
                    idle.append(s)
        out["sent"], out["done"] = i, len(lat)
    except (OSError, ValueError) as e:
        out["failure"] = f"{type(e).__name__}: {e}"
    finally:
        for s in socks:
            s.close()
        out["lat"].sort()
        out["lag"].sort()
        out["svc"].sort()
        tx.send(out)
        tx.close()


def prepare_latency(cfg, results, on_fresh_server):
    """Pick the target rate once per run; returns the calibration record."""
    peaks, source = {}, None
    if cfg.latency_rate:
        source = "--latency-rate"
    else:
        for role in ("sessiond", "redis"):
            rows = [r for r in results if r["workload"] == "rb" and r["server"] == role and r["ok"]]
            if rows:
                peaks[role] = min(median([r["metrics"]["GET -P1 rps"] for r in rows]),
                                  median([r["metrics"]["SET -P1 rps"] for r in rows]))
        if len(peaks) == 2:
            source = "rb -P1 medians of this run (min of GET and SET)"
        else:
            source = f"redis-benchmark -P 1 -c 50 -n {cfg.peak_n} -t set,get (min of GET and SET)"
            for role in ("sessiond", "redis"):
                got = on_fresh_server(role, lambda srv: measure_peak(cfg, srv.port, cfg.peak_n))
                peaks[role] = min(got.values())
                log(f"  latency: {role} peak {got}")
    rate = cfg.latency_rate or LATENCY_LOAD * min(peaks.values())
    cal = {"peaks": peaks, "source": source, "rate": rate, "load_fraction": LATENCY_LOAD}
    log(f"  latency: target {rate:.0f} req/s ({source}; peaks {peaks})")
    return cal


def workload_latency(cfg, srv, rnd):
    rate = cfg.latency_cal["rate"]
    c = Resp(srv.port)
    try:
        tpl = b"*3\r\n$3\r\nSET\r\n$13\r\nsess:%08d\r\n$100\r\n" + VALUE + b"\r\n"
        _, err, n_err = c.load(chunked(tpl, PRELOAD_KEYS, lambda i: i))
        if n_err:
            raise RuntimeError(f"preload failed: {err}")
    finally:
        c.close()
    ctx = multiprocessing.get_context("fork")
    start_at = time.monotonic() + 0.5          # workers connect before the schedule starts
    procs, pipes = [], []
    for w in range(WORKERS):
        rx, tx = ctx.Pipe(duplex=False)
        p = ctx.Process(target=paced_worker, daemon=True,
                        args=(srv.port, w, rate, start_at, cfg.latency_s, cfg.seed + rnd * 10 + w, tx))
        p.start()
        procs.append(p)
        pipes.append(rx)
    outs = []
    try:
        for rx in pipes:
            if rx.poll(cfg.latency_s + DRAIN_S + 30):
                outs.append(rx.recv())
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
                p.join()
    if len(outs) != WORKERS:
        raise RuntimeError(f"only {len(outs)} of {WORKERS} latency workers reported")
    bad = [o["failure"] for o in outs if o["failure"]]
    if bad:
        raise RuntimeError(f"paced client failed: {bad[0]}")
    errors = sum(o["errors"] for o in outs)
    if errors:
        raise RuntimeError(f"{errors} error replies under paced load")
    lat = sorted(x for o in outs for x in o["lat"])
    lag = sorted(x for o in outs for x in o["lag"])
    svc = sorted(x for o in outs for x in o["svc"])
    if not lat:
        raise RuntimeError("no replies under paced load")
    metrics = {
        "target req/s": rate,
        "p50 ms": pct(lat, 50) * 1000,
        "p99 ms": pct(lat, 99) * 1000,
        "p99.9 ms": pct(lat, 99.9) * 1000,
        "max ms": lat[-1] * 1000,
        "p99 ms from actual send": pct(svc, 99) * 1000,
        "client send lag p99 ms": pct(lag, 99) * 1000,
    }
    log(f"  latency at {rate:.0f} req/s: p50/p99/p99.9/max {metrics['p50 ms']:.2f}/"
        f"{metrics['p99 ms']:.2f}/{metrics['p99.9 ms']:.2f}/{metrics['max ms']:.1f} ms, "
        f"client lag p99 {metrics['client send lag p99 ms']:.2f} ms")
    return metrics, {"requests": len(lat), "duration_s": cfg.latency_s, "workers": WORKERS,
                     "connections": WORKERS * CONNS_PER_WORKER,
                     "client_send_lag_max_ms": lag[-1] * 1000,
                     "calibration": cfg.latency_cal}
