"""Workload churn: a new TCP connection for every operation.

This is how chuk-sessions-style clients use a store: connect, SETEX
sess:<n> 3600 <100 B>, GET, DEL, close. Several worker processes run such
cycles back to back over raw sockets (no client library, so the client is not
the bottleneck) and time each whole cycle, connect to close.
"""

import multiprocessing
import socket
import time

from .resp import Resp, encode, log
from .stats import pct

CHURN_WORKERS = 4
MAX_CYCLES_PER_WORKER = 400_000   # bound on work and memory: ~4x what 10 s can reach
CYCLE_TIMEOUT_S = 10.0            # connect or any reply slower than this fails the cycle
VALUE_LEN = 100


def _expect(sock, want):
    """Read exactly the bytes of the reply `want` (or an error line); True if equal."""
    buf = b""
    while len(buf) < len(want):
        data = sock.recv(4096)
        if not data:
            raise ConnectionError("server closed the connection mid-cycle")
        buf += data
        if buf.startswith(b"-") and buf.endswith(b"\r\n"):
            break
    if buf != want:
        raise ValueError(f"expected {want[:30]!r}, got {buf[:60]!r}")


def churn_worker(port, wid, go, duration_s, tx):
    """Child process: cycles from `go` for duration_s; sends back its timings."""
    lat, errors, first_err, cycles, elapsed = [], 0, None, 0, None
    try:
        go.wait(30)
        t_start = time.monotonic()
        t_end = t_start + duration_s
        while time.monotonic() < t_end and cycles < MAX_CYCLES_PER_WORKER:
            key = b"sess:%d:%d" % (wid, cycles)
            val = (b"w%d:%d:" % (wid, cycles)).ljust(VALUE_LEN, b"v")
            t0 = time.perf_counter()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=CYCLE_TIMEOUT_S) as s:
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    s.sendall(encode("SETEX", key, 3600, val))
                    _expect(s, b"+OK\r\n")
                    s.sendall(encode("GET", key))
                    _expect(s, b"$%d\r\n%s\r\n" % (VALUE_LEN, val))
                    s.sendall(encode("DEL", key))
                    _expect(s, b":1\r\n")
                lat.append(time.perf_counter() - t0)
            except (OSError, ValueError) as e:
                errors += 1
                first_err = first_err or f"{type(e).__name__}: {e}"
            cycles += 1
        elapsed = time.monotonic() - t_start
    finally:
        tx.send({"lat": sorted(lat), "errors": errors, "first_error": first_err,
                 "cycles": cycles, "elapsed": elapsed})
        tx.close()


def workload_churn(cfg, srv, rnd):
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    procs, pipes = [], []
    for w in range(CHURN_WORKERS):
        rx, tx = ctx.Pipe(duplex=False)
        p = ctx.Process(target=churn_worker, args=(srv.port, w, go, cfg.churn_s, tx), daemon=True)
        p.start()
        procs.append(p)
        pipes.append(rx)
    outs = []
    try:
        time.sleep(0.2)                       # all workers forked and waiting
        go.set()
        for rx in pipes:
            if rx.poll(cfg.churn_s + 60):
                outs.append(rx.recv())
    finally:
        go.set()
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
                p.join()
    if len(outs) != CHURN_WORKERS:
        raise RuntimeError(f"only {len(outs)} of {CHURN_WORKERS} churn workers reported")
    lat = sorted(x for o in outs for x in o["lat"])
    errors = sum(o["errors"] for o in outs)
    wall = max(o["elapsed"] or 0 for o in outs)
    c = Resp(srv.port)
    try:
        left = c.call("DBSIZE")
    finally:
        c.close()
    if errors:
        first = next(o["first_error"] for o in outs if o["first_error"])
        raise RuntimeError(f"{errors} of {errors + len(lat)} churn cycles failed, first: {first}")
    if not lat or wall <= 0:
        raise RuntimeError("no churn cycle completed")
    if left != 0:
        raise RuntimeError(f"DBSIZE {left} after churn: every cycle deletes its key")
    rate = len(lat) / wall
    metrics = {
        "connect+SETEX+GET+DEL+close cycles/s": rate,
        "cycle p50 ms": pct(lat, 50) * 1000,
        "cycle p99 ms": pct(lat, 99) * 1000,
    }
    log(f"  churn: {rate:.0f} cycles/s, p50/p99 {metrics['cycle p50 ms']:.2f}/"
        f"{metrics['cycle p99 ms']:.2f} ms ({CHURN_WORKERS} workers, {wall:.1f}s)")
    return metrics, {"workers": CHURN_WORKERS, "cycles": len(lat), "wall_s": wall,
                     "cycle_max_ms": lat[-1] * 1000,
                     "per_worker_cycles": [len(o["lat"]) for o in outs]}
