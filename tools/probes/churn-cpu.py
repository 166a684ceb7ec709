#!/usr/bin/python3
"""Connection churn (tools/bench's churn workload) against sessiond variants and
redis-server, alternated over rounds: cycles/s and the server's CPU (utime +
stime from /proc) per cycle, with medians and ratios to redis.

usage: churn-cpu.py SESSIOND ROUNDS VARIANT...
  VARIANT is `redis`, `sessiond`, or `sessiond` with environment settings for
  an experiment, e.g. `SS_EXPERIMENT=1` (comma-separated KEY=VALUE pairs).
  CHURN_S in the environment sets the seconds per run (default 5).
"""
import os
import pathlib
import random
import statistics
import subprocess
import sys
import time
import types

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import benchlib.churn  # noqa: E402
from benchlib.server import proc_cpu_s  # noqa: E402

benchlib.churn.log = lambda *a, **k: None



def main():
    binary, rounds, variants = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    rate = {v: [] for v in variants}
    us = {v: [] for v in variants}
    for r in range(rounds):
        for v in variants:
            env = dict(os.environ)
            if v == "redis":
                cmd = ["redis-server", "--save", "", "--appendonly", "no"]
            else:
                cmd = [binary]
                for kv in v.split(","):
                    if "=" in kv:
                        k, val = kv.split("=", 1)
                        env[k] = val
            port = random.randint(27000, 27999)
            p = subprocess.Popen(cmd + ["--port", str(port), "--bind", "127.0.0.1"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                time.sleep(0.4)
                cfg = types.SimpleNamespace(churn_s=float(os.environ.get("CHURN_S", "5")))
                c0 = proc_cpu_s(p.pid)
                m, extra = benchlib.churn.workload_churn(cfg, types.SimpleNamespace(port=port, name=v), r)
                c1 = proc_cpu_s(p.pid)
            finally:
                p.terminate()
                p.wait()
            rate[v].append(m["connect+SETEX+GET+DEL+close cycles/s"])
            us[v].append(1e6 * (c1 - c0) / extra["cycles"])
        print(r, "  ".join(f"{v}: {rate[v][-1]:.0f}/s {us[v][-1]:.0f} us" for v in variants), flush=True)
    for v in variants:
        line = f"{v}: median {statistics.median(rate[v]):.0f} cycles/s, server {statistics.median(us[v]):.1f} us/cycle"
        if "redis" in rate and v != "redis":
            per_round = [a / b for a, b in zip(rate[v], rate["redis"])]
            line += (f", ratio of medians {statistics.median(rate[v]) / statistics.median(rate['redis']):.3f}"
                     f", median of round ratios {statistics.median(per_round):.3f}")
        print(line)


if __name__ == "__main__":
    main()
