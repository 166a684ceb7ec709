"""Workload rb: redis-benchmark SET/GET/SETEX at -P 16 and -P 1."""

import subprocess

from .resp import log


def parse_rb_csv(text):
    """redis-benchmark --csv -> {test name: {column: float}}."""
    rows = [r for r in (l.strip() for l in text.splitlines()) if r.startswith('"')]
    if not rows:
        return {}
    head = [h.strip('"') for h in rows[0].split('","')]
    out = {}
    for r in rows[1:]:
        cells = [c.strip('"') for c in r.split('","')]
        name = cells[0]
        out[name] = {h: float(c) for h, c in zip(head[1:], cells[1:])}
    return out


def run_redis_benchmark(cfg, port, pipeline, n, extra):
    argv = [cfg.redis_benchmark, "-h", "127.0.0.1", "-p", str(port), "-c", "50",
            "-r", "1000000", "-d", "100", "-n", str(n), "-P", str(pipeline), "--csv"] + extra
    p = subprocess.run(argv, capture_output=True, text=True, timeout=cfg.rb_timeout_s)
    res = parse_rb_csv(p.stdout)
    if p.returncode != 0 or not res:
        raise RuntimeError(f"redis-benchmark failed ({p.returncode}): {p.stderr[-400:]} {p.stdout[-400:]}")
    return res


def workload_rb(cfg, srv, rnd):
    metrics = {}
    setex = ["setex", "sess:__rand_int__", "3600", "v" * 100]
    for pipeline, n in ((16, cfg.rb_n_p16), (1, cfg.rb_n_p1)):
        tests = dict(run_redis_benchmark(cfg, srv.port, pipeline, n, ["-t", "set,get"]))
        (_, row), = run_redis_benchmark(cfg, srv.port, pipeline, n, setex).items()
        tests["SETEX"] = row
        for name in ("SET", "GET", "SETEX"):
            row = tests.get(name)
            if row is None:
                raise RuntimeError(f"redis-benchmark printed no {name} row")
            key = f"{name} -P{pipeline}"
            metrics[f"{key} rps"] = row["rps"]
            for col, label in (("p50_latency_ms", "p50 ms"), ("p99_latency_ms", "p99 ms")):
                if col in row:
                    metrics[f"{key} {label}"] = row[col]
        log(f"  rb -P{pipeline}: " + ", ".join(f"{k} {tests[k]['rps']:.0f}/s" for k in ("SET", "GET", "SETEX")))
    return metrics, {}



def measure_peak(cfg, port, n):
    """GET and SET requests/s at -P 1 with 50 clients: the latency workload's peak."""
    tests = run_redis_benchmark(cfg, port, 1, n, ["-t", "set,get"])
    return {name: tests[name]["rps"] for name in ("SET", "GET") if name in tests}
