"""The table of round medians and the JSON helpers."""

import math
import sys

from .stats import median


# Which way is better for each metric, by substring of its name.
def better(metric):
    if metric.startswith("target") or metric.endswith("expected"):
        return "same"          # an input, equal for both servers
    if "received" in metric:
        return "higher"        # events that arrived (expired-events)
    if "rps" in metric or "/s" in metric or "target >=" in metric:
        return "higher"
    return "lower"


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float) and math.isinf(v):
        return "timeout"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10 or v == int(v):
        return f"{v:.1f}" if v != int(v) else f"{int(v)}"
    return f"{v:.2f}"



def summarize(results):
    """Rows (workload, metric, sessiond, redis, ratio, better) of round medians."""
    rows, seen = [], []
    for r in results:
        for m in r["metrics"]:
            if (r["workload"], m) not in seen:
                seen.append((r["workload"], m))
    for wl, m in seen:
        per = {}
        for role in ("sessiond", "redis"):
            per[role] = median([r["metrics"].get(m) for r in results
                                if r["workload"] == wl and r["server"] == role and r["ok"]])
        s, rd = per["sessiond"], per["redis"]
        ratio = None
        if s is not None and rd not in (None, 0) and not math.isinf(s) and not math.isinf(rd):
            ratio = s / rd
        rows.append({"workload": wl, "metric": m, "sessiond": s, "redis": rd,
                     "ratio": ratio, "better": better(m)})
    return rows


def print_table(rows, out=sys.stdout):
    head = ("workload", "metric", "sessiond", "redis", "sessiond/redis", "better")
    cells = [head] + [(r["workload"], r["metric"], fmt(r["sessiond"]), fmt(r["redis"]),
                       "-" if r["ratio"] is None else f"{r['ratio']:.2f}x", r["better"])
                      for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    for n, c in enumerate(cells):
        print("  ".join(x.ljust(widths[i]) if i < 2 else x.rjust(widths[i])
                        for i, x in enumerate(c)), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def jsonable(x):
    if isinstance(x, float) and (math.isinf(x) or math.isnan(x)):
        return None
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    return x

