#!/usr/bin/python3
"""The ceiling of the -P 1 and churn ratios on this machine: the same client
load against null-server (null-server.c: an epoll loop that answers without
storing anything, the cheapest server these clients can talk to), sessiond and
redis-server, alternated over rounds: redis-benchmark -P 1 SET and GET (50
clients), redis-benchmark -k 0 GET (8 clients, a new connection per request: churn
with a C client) and the bench's churn workload (4 Python workers). If even null-server's ratio to redis stays
under a target, no server can meet that target with these clients here.

usage: ceiling.py SESSIOND [ROUNDS]   (CHURN_S: seconds per churn run, default 5;
                                       P1_N: requests per -P 1 run, default 300000)
"""
import os
import pathlib
import random
import re
import statistics
import subprocess
import sys
import time
import types

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import benchlib.churn  # noqa: E402
from benchlib.server import proc_cpu_s  # noqa: E402

benchlib.churn.log = lambda *a, **k: None



def start(cmd):
    port = random.randint(27000, 27999)
    p = subprocess.Popen(cmd + ["--port", str(port), "--bind", "127.0.0.1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        r = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
        if r.stdout.strip() == "PONG":
            return p, port
        time.sleep(0.1)
    p.kill()
    raise RuntimeError(f"{cmd[0]} did not answer PING")


def rb(port, test, n, *extra):
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-n", str(n), "-r", "1000000",
                          "-d", "100", "-q", "-t", test, *extra],
                         capture_output=True, text=True).stdout.replace("\r", "\n")
    return float(re.findall(r"([0-9.]+) requests per second", out)[-1])


def main():
    sessiond, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
    null = "/tmp/null-server.%d" % os.getpid()
    subprocess.run(["cc", "-O2", "-o", null, str(HERE / "null-server.c")], check=True)
    servers = {"null": [null], "sessiond": [sessiond],
               "redis": ["redis-server", "--save", "", "--appendonly", "no"]}
    churn_s = float(os.environ.get("CHURN_S", "5"))
    n = int(os.environ.get("P1_N", "300000"))
    metrics = ["SET -P1 rps", "GET -P1 rps", "GET -k0 rps", "churn cycles/s", "churn server us/cycle"]
    res = {s: {m: [] for m in metrics} for s in servers}
    try:
        for r in range(rounds):
            for name, cmd in servers.items():
                p, port = start(cmd)
                try:
                    res[name]["SET -P1 rps"].append(rb(port, "set", n, "-c", "50", "-P", "1"))
                    res[name]["GET -P1 rps"].append(rb(port, "get", n, "-c", "50", "-P", "1"))
                    res[name]["GET -k0 rps"].append(rb(port, "get", n // 6, "-c", "8", "-k", "0"))
                    subprocess.run(["redis-cli", "-p", str(port), "flushall"], capture_output=True, check=True)
                    c0 = proc_cpu_s(p.pid)
                    m, extra = benchlib.churn.workload_churn(types.SimpleNamespace(churn_s=churn_s),
                                                             types.SimpleNamespace(port=port, name=name), r)
                    c1 = proc_cpu_s(p.pid)
                    res[name]["churn cycles/s"].append(m["connect+SETEX+GET+DEL+close cycles/s"])
                    res[name]["churn server us/cycle"].append(1e6 * (c1 - c0) / extra["cycles"])
                finally:
                    p.terminate()
                    p.wait()
            print(f"round {r + 1}: " + "  ".join(
                f"{s} " + "/".join(f"{res[s][m][-1]:.0f}" for m in metrics) for s in servers),
                f"(load {os.getloadavg()[0]:.2f})", flush=True)
    finally:
        os.unlink(null)
    print(f"\nmedians of {rounds} rounds; ratio = median of the per-round ratios to redis")
    print(f"{'metric':<24}" + "".join(f"{s:>12}" for s in servers) + f"{'null/redis':>12}{'sessiond/redis':>16}")
    for m in metrics:
        med = {s: statistics.median(res[s][m]) for s in servers}
        ratio = {s: statistics.median(a / b for a, b in zip(res[s][m], res["redis"][m])) for s in ("null", "sessiond")}
        print(f"{m:<24}" + "".join(f"{med[s]:>12.1f}" for s in servers)
              + f"{ratio['null']:>11.2f}x{ratio['sessiond']:>15.2f}x")


if __name__ == "__main__":
    main()
