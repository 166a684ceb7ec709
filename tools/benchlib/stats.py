"""Percentiles and medians used by every workload."""

import math
import statistics


def pct(sorted_vals, p):
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_vals:
        return None
    k = max(0, min(len(sorted_vals) - 1, math.ceil(p / 100 * len(sorted_vals)) - 1))
    return sorted_vals[k]


def weighted_pct(pairs, p):
    """Nearest-rank percentile of (value, weight) pairs."""
    pairs = sorted(pairs)
    total = sum(w for _, w in pairs)
    need, acc = max(1, math.ceil(p / 100 * total)), 0
    for v, w in pairs:
        acc += w
        if acc >= need:
            return v
    return None


def ms(x):
    return None if x is None else x * 1000.0



def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None

