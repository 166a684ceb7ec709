"""The run's charts as SVG: which figures go in which picture.

Bars show medians over rounds (the table's figures); the expiry lines show
one round per server, the one with the median reclaim lag p99.
"""

import os
import xml.etree.ElementTree as ET

from .svg import bar_chart, line_chart

SERIES = [("sessiond", "#2b6cb0"), ("redis-server 7.0", "#c53030")]
ROLES = ("sessiond", "redis")

# chart file -> the workloads it needs (any one of them)
CHARTS = {
    "throughput.svg": ("rb", "churn"),
    "latency.svg": ("latency", "churn"),
    "memory.svg": ("memory",),
    "expiry.svg": ("expiry",),
}


def _medians(rows, workload, metrics):
    by = {(r["workload"], r["metric"]): r for r in rows}
    return [[by.get((workload, m), {}).get(role) for role in ROLES] for m in metrics]


def _median_round(results, workload, role, metric):
    runs = sorted((r for r in results if r["workload"] == workload and r["server"] == role
                   and r["ok"] and r["metrics"].get(metric) is not None),
                  key=lambda r: r["metrics"][metric])
    return runs[(len(runs) - 1) // 2] if runs else None


def write_charts(out_dir, prefix, workloads, rows, results, note):
    """Write every chart the run has data for; returns {chart name: path}."""
    written = {}

    def path(name):
        written[name] = os.path.join(out_dir, prefix + name)
        return written[name]

    if "rb" in workloads or "churn" in workloads:
        panels = []
        if "rb" in workloads:
            for p in (16, 1):      # own panels: -P 1 figures are ~10x smaller
                ms = [f"{c} -P{p} rps" for c in ("SET", "GET", "SETEX")]
                panels.append({"title": f"redis-benchmark -c 50 -P {p}", "unit": "requests/s",
                               "groups": [m.split()[0] for m in ms], "values": _medians(rows, "rb", ms)})
        if "churn" in workloads:
            panels.append({"title": "churn: new connection per op", "unit": "cycles/s",
                           "groups": ["connect SETEX GET DEL close"],
                           "values": _medians(rows, "churn", ["connect+SETEX+GET+DEL+close cycles/s"])})
        bar_chart(path("throughput.svg"), "Throughput (higher is better)", SERIES, panels, note)

    if "latency" in workloads or "churn" in workloads:
        panels = []
        if "latency" in workloads:
            rate = next((r["sessiond"] for r in rows if r["workload"] == "latency"
                         and r["metric"] == "target req/s"), None)
            ms = ["p50 ms", "p99 ms", "p99.9 ms", "max ms"]
            panels.append({"title": f"paced GET/SET at {rate or 0:,.0f} req/s", "unit": "ms (log)",
                           "groups": [m[:-3] for m in ms], "values": _medians(rows, "latency", ms),
                           "log": True})
        if "churn" in workloads:
            ms = ["cycle p50 ms", "cycle p99 ms"]
            panels.append({"title": "churn cycle", "unit": "ms (log)", "groups": ["p50", "p99"],
                           "values": _medians(rows, "churn", ms), "log": True})
        bar_chart(path("latency.svg"), "Latency (lower is better)", SERIES, panels, note)

    if "memory" in workloads:
        groups, vals = [], []
        for size in (100, 300):
            groups.append(f"{size} B value")
            vals += _medians(rows, f"memory-{size}", [f"{size}B value: RSS bytes/key"])
        bar_chart(path("memory.svg"), "Memory per session (lower is better)", SERIES,
                  [{"title": "RSS growth / keys after SETEX load", "unit": "bytes/key",
                    "groups": groups, "values": vals}], note)

    if "expiry" in workloads:
        keys_lines, rtt_lines, n = [], [], None
        for (name, color), role in zip(SERIES, ROLES):
            run = _median_round(results, "expiry", role, "reclaim lag p99 ms")
            if run is None:
                continue
            n = run["raw"]["keys"]
            keys_lines.append((color, None, [tuple(p) for p in run["raw"]["dbsize_trace"]]))
            rtt_lines.append((color, None, [tuple(p) for p in run["raw"].get("rtt_trace", [])]))
        if n:
            end = max(p[0] for _, _, pts in keys_lines for p in pts)
            keys_lines.append(("#999", "5,4", [(-0.2, n), (0, n), (1, 0), (max(end, 1), 0)]))
        line_chart(path("expiry.svg"), f"Expiry: {n or 0:,} keys, deadlines over 1 s",
                   [(name, color, None) for name, color in SERIES] + [("deadline order", "#999", "5,4")],
                   [{"title": "live expiring keys (DBSIZE polls)", "ylabel": "keys",
                     "xlabel": "seconds after the first deadline", "lines": keys_lines},
                    {"title": "PING round trip meanwhile (worst per 10 ms)", "ylabel": "ms (log)",
                     "xlabel": "seconds after the first deadline", "log": True,
                     "lines": rtt_lines, "hlines": [(2.0, "2 ms target p99")]}],
                   note + "; one round per server (median reclaim lag p99)")
    return written


def check_svgs(paths):
    """Problems with the written SVGs (missing, not XML, no <svg> root)."""
    bad = []
    for name, p in paths.items():
        try:
            root = ET.parse(p).getroot()
            if not root.tag.endswith("svg"):
                bad.append(f"{name}: root is {root.tag}")
        except (OSError, ET.ParseError) as e:
            bad.append(f"{name}: {e}")
    return bad
