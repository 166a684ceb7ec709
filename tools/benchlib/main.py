"""Command line and driver: rounds A B A B, JSON, table, charts, exit status."""

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import __doc__ as OVERVIEW
from .charts import CHARTS, check_svgs, write_charts
from .churn import workload_churn
from .expired_events import workload_expired_events
from .expiry import workload_expiry
from .latency import prepare_latency, workload_latency
from .memory import workload_memory
from .rb import workload_rb
from .sessions import workload_memory_sessions, workload_sessions
from .report import jsonable, print_table, summarize
from .resp import RespError, log
from .server import Server

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# In run order: latency comes after rb so it can take its peaks from rb's results.
WORKLOADS = {
    "rb": [("rb", workload_rb)],
    "churn": [("churn", workload_churn)],
    "latency": [("latency", workload_latency)],
    "expiry": [("expiry", workload_expiry)],
    # `expired` keyspace events: lag from each key's deadline to its event.
    "expired-events": [("expired-events", workload_expired_events)],
    "memory": [("memory-100", lambda cfg, srv, rnd: workload_memory(cfg, srv, rnd, 100)),
               ("memory-300", lambda cfg, srv, rnd: workload_memory(cfg, srv, rnd, 300))],
    # SESSION.* (docs/sessions.md): throughput against sessiond's own SET/GET,
    # and bytes per session against redis holding chuk-sessions' JSON records.
    "sessions": [("sessions", workload_sessions),
                 ("memory-sessions", workload_memory_sessions)],
}
# Run once before a workload's rounds; the result lands in cfg.<name>_cal and the JSON meta.
PREPARE = {"latency": prepare_latency}
ALIASES = {"redis-benchmark": "rb", "mem": "memory", "lat": "latency"}
ROLES = ("sessiond", "redis")
ERRORS = (RuntimeError, OSError, RespError, subprocess.SubprocessError, ValueError)


def default_sessiond():
    if os.environ.get("SESSIOND"):
        return os.environ["SESSIOND"]
    for rel in ("build-release/sessiond", "build/sessiond"):
        p = os.path.join(REPO, rel)
        if os.access(p, os.X_OK):
            return p
    return os.path.join(REPO, "build-release/sessiond")


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="tools/bench", description=OVERVIEW,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessiond", default=None, help="sessiond binary (default $SESSIOND, "
                    "else build-release/sessiond, else build/sessiond)")
    ap.add_argument("--sessiond-args", default="",
                    help="extra arguments for the sessiond role (shell-quoted string)")
    ap.add_argument("--redis", default="/usr/bin/redis-server", help="redis-server binary")
    ap.add_argument("--redis-benchmark", default="/usr/bin/redis-benchmark")
    ap.add_argument("--rounds", type=int, default=None, help="rounds (default 3, --quick 1)")
    ap.add_argument("--quick", action="store_true",
                    help="fewer requests and keys, short durations, 1 round (about a minute idle)")
    ap.add_argument("--only", action="append", default=[],
                    help=f"workloads to run: {', '.join(WORKLOADS)} (repeat or comma-separate)")
    ap.add_argument("--out", default=os.path.join(REPO, "tools", "out"),
                    help="directory for the JSON and the SVG charts (default tools/out)")
    ap.add_argument("--charts-dir", default=None,
                    help="also copy the charts here under stable names (e.g. docs/img)")
    ap.add_argument("--keys", type=int, default=None,
                    help="keys for expiry and memory (default 1000000, --quick 100000)")
    ap.add_argument("--latency-rate", type=float, default=None,
                    help="req/s for the latency workload instead of 50%% of the lower peak")
    ap.add_argument("--seed", type=int, default=1)
    cfg = ap.parse_args(argv)

    cfg.sessiond = cfg.sessiond or default_sessiond()
    cfg.rounds = cfg.rounds or (1 if cfg.quick else 3)
    keys = cfg.keys or (100_000 if cfg.quick else 1_000_000)
    cfg.expiry_keys = cfg.memory_keys = keys
    cfg.rb_n_p16 = 100_000 if cfg.quick else 2_000_000
    cfg.rb_n_p1 = 20_000 if cfg.quick else 300_000
    cfg.rb_timeout_s = 300
    cfg.peak_n = 20_000 if cfg.quick else 100_000   # latency peaks when rb did not run
    cfg.churn_s = 3.0 if cfg.quick else 10.0
    cfg.latency_s = 3.0 if cfg.quick else 10.0
    cfg.expiry_gap_s = 1.5 if cfg.quick else 3.0    # first deadline this long after loading
    cfg.expiry_max_wait_s = 15.0 if cfg.quick else 30.0   # after the last deadline
    cfg.expiry_max_gets = 20_000        # GET samples: <= 2% of keys touched
    cfg.expired_keys = keys
    cfg.expired_spread_ms = 3000        # deadlines spread over this long
    # How long to wait for events after the last deadline: sessiond needs
    # milliseconds; redis would need minutes (it samples), so it is cut off.
    cfg.expired_wait_s = 20.0 if cfg.quick else 60.0
    names = []
    for item in cfg.only or list(WORKLOADS):
        for nm in item.split(","):
            nm = ALIASES.get(nm.strip(), nm.strip())
            if nm not in WORKLOADS:
                ap.error(f"unknown workload {nm!r}; choose from {', '.join(WORKLOADS)}")
            if nm not in names:
                names.append(nm)
    cfg.workloads = [w for w in WORKLOADS if w in names]
    for path in (cfg.sessiond, cfg.redis, cfg.redis_benchmark):
        if not os.access(path, os.X_OK):
            ap.error(f"not executable: {path}")
    return cfg


def version_of(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (p.stdout or p.stderr).strip().splitlines()[0][:200]
    except (OSError, subprocess.SubprocessError, IndexError):
        return None


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", REPO, "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def main(argv):
    cfg = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so `finally` stops servers
    os.makedirs(cfg.out, exist_ok=True)
    stamp = time.strftime("bench-%Y%m%d-%H%M%S")
    out_path = os.path.join(cfg.out, stamp + ".json")
    roles = {
        "sessiond": [cfg.sessiond, "--bind", "127.0.0.1", "--port", "{port}",
                     "--loglevel", "warning"] + shlex.split(cfg.sessiond_args),
        "redis": [cfg.redis, "--save", "", "--appendonly", "no", "--bind", "127.0.0.1",
                  "--port", "{port}"],
    }
    meta = {"argv": sys.argv, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "git": git_rev(), "quick": cfg.quick, "rounds": cfg.rounds,
            "workloads": cfg.workloads,
            "sessiond": {"argv": roles["sessiond"], "version": version_of([cfg.sessiond, "--version"])},
            "redis": {"argv": roles["redis"], "version": version_of([cfg.redis, "--version"])},
            "nproc": os.cpu_count(), "loadavg_start": os.getloadavg(),
            "rb_requests": {"P16": cfg.rb_n_p16, "P1": cfg.rb_n_p1},
            "keys": cfg.expiry_keys, "churn_s": cfg.churn_s, "latency_s": cfg.latency_s}
    results, prep_failures = [], []

    def save(rows=None):
        doc = {"meta": meta, "results": results, "summary": rows}
        with open(out_path + ".tmp", "w") as f:
            json.dump(jsonable(doc), f, indent=1)
        os.replace(out_path + ".tmp", out_path)

    log(f"sessiond={cfg.sessiond} rounds={cfg.rounds} workloads={','.join(cfg.workloads)}"
        f"{' (quick)' if cfg.quick else ''}")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sessiond-bench-") as work:

        def on_fresh_server(role, fn):
            """fn(server) on a freshly started server of this role, stopped after."""
            srv = Server(role, roles[role], work)
            try:
                srv.start()
                return fn(srv)
            finally:
                srv.stop()

        for wl in cfg.workloads:
            if wl in PREPARE:
                log(f"{wl}: calibrating")
                try:
                    cal = PREPARE[wl](cfg, results, on_fresh_server)
                    setattr(cfg, f"{wl}_cal", cal)
                    meta[f"{wl}_calibration"] = cal
                except ERRORS as e:
                    prep_failures.append(f"{wl} calibration: {type(e).__name__}: {e}")
                    log(f"  FAILED: {prep_failures[-1]}")
                    continue
            for sub, fn in WORKLOADS[wl]:
                for rnd in range(cfg.rounds):
                    for role in ROLES:
                        log(f"{sub} round {rnd + 1}/{cfg.rounds} {role}")
                        results.append(run_one(cfg, roles, work, sub, fn, role, rnd))
                        save()
    wall = time.monotonic() - t0
    rows = summarize(results)
    loads = [r["loadavg_after"][0] for r in results] + [meta["loadavg_start"][0]]
    meta.update({"wall_s": wall, "loadavg_1min_min": min(loads), "loadavg_1min_max": max(loads),
                 "loadavg_end": os.getloadavg()})
    save(rows)

    note = (f"{meta['started'][:10]}, medians of {cfg.rounds} round{'s' * (cfg.rounds > 1)}"
            f"{' (quick)' if cfg.quick else ''}, {os.cpu_count()} cores, "
            f"1-min load avg {min(loads):.1f}-{max(loads):.1f}")
    charts = write_charts(cfg.out, stamp + "-", cfg.workloads, rows, results, note)
    problems = check_svgs(charts)
    missing = [c for c, need in CHARTS.items() if set(need) & set(cfg.workloads) and c not in charts]
    problems += [f"{c}: not written" for c in missing]
    if cfg.charts_dir and not problems:
        os.makedirs(cfg.charts_dir, exist_ok=True)
        for name, p in charts.items():
            shutil.copyfile(p, os.path.join(cfg.charts_dir, name))
    try:
        with open(out_path) as f:
            json.load(f)
    except (OSError, ValueError) as e:
        problems.append(f"JSON {out_path}: {e}")

    print(f"sessiond: {cfg.sessiond}   redis: {meta['redis']['version']}   "
          f"rounds: {cfg.rounds}{' (quick)' if cfg.quick else ''}   medians over rounds")
    print_table(rows)
    print(f"1-minute load average during the run: {min(loads):.1f} to {max(loads):.1f} "
          f"on {os.cpu_count()} cores; wall time {wall:.0f} s")
    if max(loads) > (os.cpu_count() or 1):
        print("note: the load average exceeded the core count; throughput and latency "
              "figures are noisy")
    failed = [r for r in results if not r["ok"]]
    for r in failed:
        print(f"FAILED {r['workload']} round {r['round'] + 1} {r['server']}: {r['error'][:300]}")
    for p in prep_failures + problems:
        print(f"FAILED {p}")
    log(f"raw results: {out_path}; charts: {', '.join(charts.values()) or 'none'}"
        + (f"; copied to {cfg.charts_dir}" if cfg.charts_dir and not problems else ""))
    return 1 if failed or prep_failures or problems or not results else 0


def run_one(cfg, roles, work, sub, fn, role, rnd):
    """One (workload, round, server) on a fresh server; never raises for a
    failed measurement: the record says ok False and why."""
    srv = Server(role, roles[role], work)
    rec = {"workload": sub, "server": role, "round": rnd, "ok": False,
           "metrics": {}, "raw": {}, "loadavg_before": os.getloadavg()}
    try:
        srv.start()
        rec["metrics"], rec["raw"] = fn(cfg, srv, rnd)
        if not srv.alive():
            raise RuntimeError(f"{role} died: {srv.log_tail()}")
        rec["ok"] = True
    except ERRORS as e:
        rec["error"] = f"{type(e).__name__}: {e}"
        log(f"  FAILED: {rec['error']}")
        if srv.proc is not None and not srv.alive() and "log:" not in rec["error"]:
            rec["error"] += f" | server log: {srv.log_tail()}"
    finally:
        srv.stop()
    rec["loadavg_after"] = os.getloadavg()
    return rec
