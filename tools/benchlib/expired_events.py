"""Workload expired-events: how late `expired` keyspace events arrive.

Sets notify-keyspace-events Ex, subscribes to __keyevent@0__:expired from a
separate process, loads N keys (pipelined) whose PXAT deadlines are spread
over a few seconds, and records for every event: lag = time the subscriber
read it - the key's deadline. Each key's name carries its deadline
(ev:<deadline ms>:<index>), so the lag needs no bookkeeping on the server.

The subscriber stamps every byte of one recv() with the time that recv
returned and parses only at the end, so parsing never delays reading. It
stops when all events arrived or `wait` seconds after the last deadline:
Redis reclaims keys by sampling (redis/redis PR #15620 reports a median ~96 s
late with 1M keys), so it is cut off at that bound and the count received
within it is reported next to the lags of those that did arrive.
"""

import bisect
import math
import multiprocessing
import random
import re
import socket
import time

from .resp import Resp, chunked, encode, log
from .stats import ms, pct

CHANNEL = b"__keyevent@0__:expired"
# Key "ev:<13-digit deadline ms>:<7-digit index>"; the deadline's ten
# leading digits (the second) are patched in once the base time is known.
KEY_RE = re.compile(rb"ev:(\d{13}):\d{7}\r\n")
RECV_BYTES = 1 << 20


def subscriber_main(port, ready, stop, conn, expected, max_s):
    """Child process: reads the channel until `expected` events, `stop`, or
    max_s; sends back the lags (s) and counts."""
    chunks, stamps = [], []
    try:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(encode("SUBSCRIBE", CHANNEL))
        confirm = b""
        while not confirm.endswith(b":1\r\n"):   # the 3-element subscribe reply
            confirm += s.recv(4096)
        s.settimeout(0.2)
        ready.set()
        t_end = time.time() + max_s
        seen, tail = 0, b""
        while seen < expected and time.time() < t_end and not stop.is_set():
            try:
                data = s.recv(RECV_BYTES)
            except socket.timeout:
                continue
            t = time.time()
            if not data:
                break
            chunks.append(data)
            stamps.append(t)
            # Counted across the read boundary: the marker may straddle it.
            joined = tail + data
            seen += joined.count(b"\r\nev:") - tail.count(b"\r\nev:")
            tail = joined[-8:]
        s.close()
    finally:
        buf = b"".join(chunks)
        ends, acc = [], 0
        for c in chunks:
            acc += len(c)
            ends.append(acc)
        lags, keys = [], set()
        for m in KEY_RE.finditer(buf):
            k = bisect.bisect_left(ends, m.end())   # the read that completed it
            lags.append(stamps[k] - int(m.group(1)) / 1000)
            keys.add(m.group(0))
        conn.send({"lags": lags, "unique": len(keys), "bytes": len(buf)})
        conn.close()


def workload_expired_events(cfg, srv, rnd):
    n, spread_ms = cfg.expired_keys, cfg.expired_spread_ms
    c = Resp(srv.port)
    c.call("CONFIG", "SET", "notify-keyspace-events", "Ex")
    rng = random.Random(cfg.seed + rnd)
    offs = [rng.randrange(spread_ms) for _ in range(n)]
    seconds = math.ceil(spread_ms / 1000) + 1      # distinct seconds a deadline may fall in
    # "@@@@@@@@@<s>" stands for the ten digits of second base_s + s.
    tpl = (b"*5\r\n$3\r\nSET\r\n$24\r\nev:@@@@@@@@@%d%03d:%07d\r\n$1\r\nv\r\n"
           b"$4\r\nPXAT\r\n$13\r\n@@@@@@@@@%d%03d\r\n")
    chunks = list(chunked(tpl, n, lambda i: (offs[i] // 1000, offs[i] % 1000, i,
                                             offs[i] // 1000, offs[i] % 1000)))
    ctx = multiprocessing.get_context("fork")
    # Upper bound on a subscriber's life: loading, the spread, the wait.
    max_s = 300 + n / 5_000 + spread_ms / 1000 + cfg.expired_wait_s
    # Calibrate the load rate on keys without deadlines, then place the
    # first deadline a margin after the estimated end of loading.
    n_static = max(1, min(100_000, n // 10))
    static_tpl = b"*3\r\n$3\r\nSET\r\n$15\r\nstatic:%08d\r\n$1\r\ns\r\n"
    w_secs, err, n_err = c.load(chunked(static_tpl, n_static, lambda i: i))
    if n_err:
        raise RuntimeError(f"SET failed while warming up: {err}")
    est = w_secs / n_static * n * 2.5 + 0.5
    got, sub = None, None
    try:
        # On a busy machine loading can overrun the estimate: then stop the
        # subscriber, FLUSHALL and load again with a margin from the measured
        # time (3 attempts at most), so no event of a failed attempt counts.
        for attempt in range(3):
            ready, stop = ctx.Event(), ctx.Event()
            rx, tx = ctx.Pipe(duplex=False)
            sub = ctx.Process(target=subscriber_main,
                              args=(srv.port, ready, stop, tx, n, max_s), daemon=True)
            sub.start()
            if not ready.wait(30):
                raise RuntimeError("subscriber did not subscribe within 30 s")
            base_s = math.ceil(time.time() + est + cfg.expiry_gap_s)
            subst = [(b"@@@@@@@@@%d" % s, str(base_s + s).encode()) for s in range(seconds)]

            def patched():
                for payload, k in chunks:
                    for a, b in subst:
                        payload = payload.replace(a, b)
                    yield payload, k

            log(f"  expired-events: loading {n} keys, deadlines in [{base_s}, "
                f"{base_s}+{spread_ms / 1000:g}) s, load estimate {est:.1f}s")
            secs, err, n_err = c.load(patched())
            gap = base_s - time.time()
            if n_err:
                raise RuntimeError(f"{n_err} errors while loading, first: {err}")
            log(f"  expired-events: loaded in {secs:.1f}s, first deadline in {gap:.2f}s")
            if gap >= 0.5:
                break
            stop.set()
            sub.join(60)
            if sub.is_alive():
                sub.kill()
                sub.join()
            c.call("FLUSHALL")
            est = secs * 2.0 + 1.0
        else:
            raise RuntimeError(f"loading ended only {gap:.2f}s before the first deadline, 3 times")
        del chunks
        log(f"  expired-events: waiting up to {cfg.expired_wait_s:g}s after the last deadline")
        last_deadline = base_s + spread_ms / 1000
        # Keep this connection idle: PING once a second only to notice a dead server.
        while sub.is_alive() and time.time() < last_deadline + cfg.expired_wait_s:
            time.sleep(1.0)
            c.call_raw(encode("PING"))
        stop.set()
        got = rx.recv() if rx.poll(300) else None
    finally:
        c.close()
        if sub is not None:
            stop.set()
            sub.join(30)
            if sub.is_alive():
                sub.kill()
                sub.join()
    if got is None:
        raise RuntimeError("subscriber sent no results")
    lags = sorted(got["lags"])
    received = len(lags)
    metrics = {
        "expired events expected": n,
        "expired events received": received,
        "expired events received %": 100.0 * received / n,
        "expired event lag p50 ms": ms(pct(lags, 50)),
        "expired event lag p99 ms": ms(pct(lags, 99)),
        "expired event lag max ms": ms(pct(lags, 100)),
        "events early (lag < 0)": sum(1 for x in lags if x < 0),
        "load keys/s": n / secs,
    }
    log(f"  expired-events: {received}/{n} events within {cfg.expired_wait_s:g}s of the last "
        f"deadline; lag p50/p99/max {metrics['expired event lag p50 ms'] or 0:.1f}/"
        f"{metrics['expired event lag p99 ms'] or 0:.1f}/"
        f"{metrics['expired event lag max ms'] or 0:.1f} ms")
    raw = {"keys": n, "spread_ms": spread_ms, "base_s": base_s, "load_s": secs, "gap_s": gap,
           "load_attempts": attempt + 1,
           "wait_after_last_deadline_s": cfg.expired_wait_s, "unique_keys": got["unique"],
           "bytes_read": got["bytes"],
           # lag (ms) at every 1/1000 of the events received, for plots
           "lag_quantiles_ms": [round(ms(pct(lags, q / 10)), 3) for q in range(1, 1001)]
           if lags else []}
    return metrics, raw
