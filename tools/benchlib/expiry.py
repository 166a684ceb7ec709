"""Workload expiry: 1M keys with PXAT deadlines spread over one second.

Measures reclaim lag, correctness around the deadline (no key gone early, no
key readable late) and PING round trips from a separate process meanwhile.
"""

import bisect
import math
import multiprocessing
import random
import time

from .resp import Resp, chunked, encode, log
from .server import proc_cpu_s
from .stats import ms, pct, weighted_pct

PING = encode("PING")
DBSIZE = encode("DBSIZE")
PROBE_INTERVAL_S = 0.0005    # pause between PINGs: ~2k samples/s, ~5% of a core
PROBE_MAX_SAMPLES = 400_000  # bound on the probe's samples (and memory)
POLL_INTERVAL_S = 0.002


def probe_main(port, go, stop, conn, max_s):
    """Child process: PING round trips from `go` until `stop` (or max_s)."""
    samples = []
    try:
        c = Resp(port)
        go.wait(max_s)
        t_end = time.monotonic() + max_s
        while not stop.is_set() and time.monotonic() < t_end and len(samples) < PROBE_MAX_SAMPLES:
            t_wall = time.time()
            p0 = time.perf_counter()
            c.call_raw(PING)
            samples.append((t_wall, time.perf_counter() - p0))
            time.sleep(PROBE_INTERVAL_S)
        c.close()
    finally:
        conn.send(samples)
        conn.close()


def workload_expiry(cfg, srv, rnd):
    n, spread_ms = cfg.expiry_keys, 1000
    ctx = multiprocessing.get_context("fork")
    go, stop = ctx.Event(), ctx.Event()
    rx, tx = ctx.Pipe(duplex=False)
    max_probe_s = 60 + cfg.expiry_max_wait_s + n / 50_000
    probe = ctx.Process(target=probe_main, args=(srv.port, go, stop, tx, max_probe_s), daemon=True)
    probe.start()
    c = Resp(srv.port)
    samples = []
    try:
        rng = random.Random(cfg.seed + rnd)
        offs = [rng.randrange(spread_ms) for _ in range(n)]
        # Deadlines are base_s * 1000 + off (off in [0, 1000) ms); the ten
        # leading digits (the second) are patched in just before each write.
        tpl = (b"*5\r\n$3\r\nSET\r\n$12\r\nexp:%08d\r\n$16\r\nxxxxxxxxxxxxxxxx\r\n"
               b"$4\r\nPXAT\r\n$13\r\n@@@@@@@@@@%03d\r\n")
        chunks = list(chunked(tpl, n, lambda i: (i, offs[i])))
        n_static = max(1, min(100_000, n // 10))
        static_tpl = b"*3\r\n$3\r\nSET\r\n$15\r\nstatic:%08d\r\n$16\r\nssssssssssssssss\r\n"
        # On a busy machine loading can overrun the estimate: then FLUSHALL and
        # load again with a margin from the measured time (3 attempts at most).
        last_secs = 0.0
        for attempt in range(3):
            if attempt:
                c.call("FLUSHALL")
            # Non-expiring keys first; they also calibrate the load rate.
            w_secs, err, n_err = c.load(chunked(static_tpl, n_static, lambda i: i))
            if n_err:
                raise RuntimeError(f"SET failed while warming up: {err}")
            est = max(w_secs / n_static * n * 2.5, last_secs * 2.0) + 0.5
            base_s = math.ceil(time.time() + est + cfg.expiry_gap_s)
            base = base_s * 1000
            prefix = str(base_s).encode()
            assert len(prefix) == 10
            log(f"  expiry: loading {n} keys, deadlines in [{base_s}, {base_s}+1) s, "
                f"load estimate {est:.1f}s")
            secs, err, n_err = c.load((p.replace(b"@@@@@@@@@@", prefix), k) for p, k in chunks)
            t_loaded = time.time()
            if n_err:
                raise RuntimeError(f"{n_err} errors while loading, first: {err}")
            gap = base / 1000 - t_loaded
            log(f"  expiry: loaded in {secs:.1f}s, first deadline in {gap:.2f}s")
            if gap >= 0.5:
                break
            last_secs = secs
        else:
            raise RuntimeError(f"loading ended only {gap:.2f}s before the first deadline, 3 times")
        del chunks

        # Keys by deadline: cum_le[k] = keys with off <= k.
        counts = [0] * spread_ms
        for o in offs:
            counts[o] += 1
        cum_le, acc = [], 0
        for k in range(spread_ms):
            acc += counts[k]
            cum_le.append(acc)
        by_off = [[] for _ in range(spread_ms)]
        for i, o in enumerate(offs):
            by_off[o].append(i)
        order = [i for bucket in by_off for i in bucket]    # key ids sorted by deadline
        del by_off

        def passed(t_ms):
            """Keys whose deadline is < t_ms."""
            k = math.ceil(t_ms - base) - 1
            return 0 if k < 0 else cum_le[min(k, spread_ms - 1)]

        def expected_future(t_ms):
            """Keys whose deadline is > t_ms: these must still exist."""
            k = math.floor(t_ms - base)
            return n if k < 0 else n - cum_le[min(k, spread_ms - 1)]

        # Poll DBSIZE; sample GETs on keys whose deadline passed > 1 ms ago.
        go.set()
        polls, early_polls, early_max, visible, n_gets = [], 0, 0, [], 0
        cpu0, cpu_t0 = proc_cpu_s(srv.proc.pid), time.time()
        last_deadline = (base + spread_ms) / 1000
        poll_end = last_deadline + cfg.expiry_max_wait_s
        done_at = None
        while time.time() < poll_end:
            t0 = time.time()
            size = c.call_raw(DBSIZE)
            t1 = time.time()
            if not isinstance(size, int):
                raise RuntimeError(f"DBSIZE answered {size!r}")
            live = size - n_static
            polls.append((t0, t1, live))
            deficit = expected_future(t1 * 1000) - live
            if deficit > 0:
                early_polls += 1
                early_max = max(early_max, deficit)
            if t0 * 1000 - 1 > base and n_gets < cfg.expiry_max_gets:
                t_ms = time.time() * 1000 - 1
                hi = passed(t_ms)
                lo = passed(t_ms - 20)          # recently expired ...
                picks = [order[rng.randrange(lo, hi)]] if hi > lo else []
                if hi > 0:                      # ... and any expired key
                    picks.append(order[rng.randrange(hi)])
                for i in picks:
                    v = c.call_raw(encode("GET", b"exp:%08d" % i))
                    n_gets += 1
                    if v is not None:
                        visible.append({"key": i, "deadline_ms": base + offs[i],
                                        "get_sent_ms": t_ms + 1, "value": repr(v)[:40]})
            if live <= 0 and done_at is None:
                done_at = t1
            if done_at is not None and t1 > last_deadline + 0.1:
                break
            time.sleep(POLL_INTERVAL_S)
        cpu_s, cpu_wall = proc_cpu_s(srv.proc.pid) - cpu0, time.time() - cpu_t0
        stop.set()
        samples = rx.recv() if rx.poll(30) else []
    finally:
        stop.set()
        go.set()
        c.close()
        probe.join(30)
        if probe.is_alive():
            probe.kill()
            probe.join()

    # Reclaim lag: for deadline d, the first poll whose DBSIZE (minimum so far)
    # is <= the number of keys with a deadline after d. Poll reply time is an
    # upper bound of when it happened (it includes up to one poll interval).
    prefmin, m = [], n + 1
    for _, _, live in polls:
        m = min(m, live)
        prefmin.append(-m)                   # ascending, for bisect
    lag_pairs, unreclaimed_keys = [], 0
    for k in range(spread_ms):
        if not counts[k]:
            continue
        j = bisect.bisect_left(prefmin, -(n - cum_le[k]))
        if j == len(polls):
            unreclaimed_keys += counts[k]
            lag_pairs.append((math.inf, counts[k]))
        else:
            lag_pairs.append((polls[j][1] - (base + k) / 1000, counts[k]))

    first_deadline = base / 1000
    window_end = max(last_deadline, done_at or polls[-1][1])
    rtt_win = sorted(r for t, r in samples if first_deadline <= t <= window_end)
    rtt_idle = sorted(r for t, r in samples if t < first_deadline - 0.05)
    metrics = {
        "reclaim lag p50 ms": ms(weighted_pct(lag_pairs, 50)),
        "reclaim lag p99 ms": ms(weighted_pct(lag_pairs, 99)),
        "reclaim lag max ms": ms(weighted_pct(lag_pairs, 100)),
        "PING RTT p50 ms (expiry window)": ms(pct(rtt_win, 50)),
        "PING RTT p99 ms (expiry window)": ms(pct(rtt_win, 99)),
        "PING RTT max ms (expiry window)": ms(pct(rtt_win, 100)),
        "PING RTT p99 ms (idle, before)": ms(pct(rtt_idle, 99)),
        "keys missing before deadline (max)": early_max,
        "GETs visible after deadline": len(visible),
        "server CPU % during poll": 100 * cpu_s / cpu_wall if cpu_wall > 0 else None,
        "load keys/s": n / secs,
    }
    log(f"  expiry: lag p50/p99/max {metrics['reclaim lag p50 ms']:.1f}/"
        f"{metrics['reclaim lag p99 ms']:.1f}/{metrics['reclaim lag max ms']:.1f} ms, "
        f"RTT p99 {metrics['PING RTT p99 ms (expiry window)'] or 0:.2f} ms, "
        f"early {early_max}, visible {len(visible)}/{n_gets}")
    raw = {"keys": n, "static_keys": n_static, "base_ms": base, "load_s": secs,
           "load_attempts": attempt + 1,
           "gap_s": gap, "polls": len(polls), "early_polls": early_polls,
           "unreclaimed_keys_at_end": unreclaimed_keys,
           "all_reclaimed_at_s": None if done_at is None else done_at - first_deadline,
           "gets_sampled": n_gets, "visible_samples": visible[:20],
           "rtt_samples_window": len(rtt_win), "rtt_samples_idle": len(rtt_idle),
           "server_cpu_s": cpu_s, "poll_wall_s": cpu_wall,
           # every poll from 0.2 s before the first deadline: [s after it, live keys]
           "dbsize_trace": [(round(t1 - first_deadline, 4), live) for _, t1, live in polls
                            if t1 >= first_deadline - 0.2],
           # PING RTT from 0.2 s before the first deadline to 0.2 s after the
           # window: [s after the first deadline, worst RTT ms] per 10 ms bucket
           "rtt_trace": rtt_trace(samples, first_deadline, window_end)}
    return metrics, raw



RTT_BUCKET_S = 0.01


def rtt_trace(samples, first_deadline, window_end):
    """Worst PING RTT per RTT_BUCKET_S around the expiry window, for charts."""
    worst = {}
    for t, r in samples:
        if first_deadline - 0.2 <= t <= window_end + 0.2:
            b = math.floor((t - first_deadline) / RTT_BUCKET_S)
            worst[b] = max(worst.get(b, 0.0), r)
    return [(round(b * RTT_BUCKET_S, 3), round(r * 1000, 3)) for b, r in sorted(worst.items())]
