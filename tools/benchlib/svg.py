"""A small SVG writer: grouped bar charts and line charts, no dependencies.

Both chart kinds take panels side by side (bars) or stacked (lines), each with
its own y scale, so figures of different size (requests/s of redis-benchmark
and connect cycles/s) can share one picture without hiding the small ones.
"""

import math
from xml.sax.saxutils import escape

FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
AXIS = "#444"
GRID = "#ddd"


def compact(v):
    """A number short enough to sit above a 30 px bar: 112k, 3.2k, 0.35, 177."""
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "-"
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e4:
        return f"{v / 1e3:.0f}k"
    if a >= 1e3:
        return f"{v / 1e3:.1f}k"
    if a >= 10:
        return f"{v:.0f}"
    if a >= 1:
        return f"{v:.1f}"
    return f"{v:.2g}"


def linear_ticks(lo, hi, n=5):
    """About n round tick values covering [lo, hi]; returns (ticks, top)."""
    span = max(hi - lo, 1e-12)
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    top = math.ceil(hi / step - 1e-9) * step
    first = math.floor(lo / step) * step
    k = round((top - first) / step)
    return [first + i * step for i in range(k + 1)], top


def log_ticks(lo, hi):
    """Decades covering [lo, hi] (both > 0); returns (ticks, bottom, top)."""
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if math.log10(lo) - a < 0.3:
        a -= 1                  # so the smallest bar is not a sliver on the axis
    if a == b:
        b += 1
    return [10.0 ** e for e in range(a, b + 1)], 10.0 ** a, 10.0 ** b


class Svg:
    """Accumulates elements; save() writes one standalone SVG file."""

    def __init__(self, width, height):
        self.w, self.h, self.parts = width, height, []

    def add(self, s):
        self.parts.append(s)

    def text(self, x, y, s, size=11, anchor="start", weight="normal", color="#222", rotate=None):
        tr = f" transform='rotate({rotate} {x:.1f} {y:.1f})'" if rotate is not None else ""
        self.add(f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
                 f"font-weight='{weight}' fill='{color}' {FONT}{tr}>{escape(str(s))}</text>")

    def line(self, x1, y1, x2, y2, color=AXIS, width=1, dash=None):
        d = f" stroke-dasharray='{dash}'" if dash else ""
        self.add(f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' "
                 f"stroke='{color}' stroke-width='{width}'{d}/>")

    def rect(self, x, y, w, h, fill, title=None):
        t = f"<title>{escape(title)}</title>" if title else ""
        self.add(f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w, 0):.1f}' "
                 f"height='{max(h, 0):.1f}' fill='{fill}'>{t}</rect>")

    def polyline(self, pts, color, width=1.5, dash=None):
        if not pts:
            return
        d = f" stroke-dasharray='{dash}'" if dash else ""
        p = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        self.add(f"<polyline points='{p}' fill='none' stroke='{color}' "
                 f"stroke-width='{width}' stroke-linejoin='round'{d}/>")

    def legend(self, x, y, series):
        """series: [(name, colour, dash or None)] in one row from (x, y)."""
        for name, color, dash in series:
            if dash:
                self.line(x, y - 4, x + 18, y - 4, color, 2, dash)
            else:
                self.rect(x, y - 10, 18, 10, color)
            self.text(x + 23, y, name, 11)
            x += 35 + 7 * len(name)

    def save(self, path):
        body = "\n".join(self.parts)
        with open(path, "w") as f:
            f.write(f"<?xml version='1.0' encoding='UTF-8'?>\n"
                    f"<svg xmlns='http://www.w3.org/2000/svg' width='{self.w}' height='{self.h}' "
                    f"viewBox='0 0 {self.w} {self.h}'>\n"
                    f"<rect width='100%' height='100%' fill='white'/>\n{body}\n</svg>\n")


def _wrap(label, width_chars):
    """Split a label at spaces into lines of about width_chars (at most 3)."""
    lines, cur = [], ""
    for word in label.split():
        if cur and len(cur) + 1 + len(word) > width_chars:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}".strip()
    lines.append(cur)
    return lines[:3]


def bar_chart(path, title, series, panels, note=""):
    """Grouped bars. series: [(name, colour)]; panels: [{"title", "unit",
    "groups": [label], "values": [[value per series] per group], "log": bool}].
    Missing values (None) are marked "n/a" instead of a bar."""
    bar_w, gap, plot_h, top, left = 30, 26, 230, 70, 62
    group_w = bar_w * len(series) + gap
    widths = [max(150, group_w * len(p["groups"]) + 20, 7 * len(p["title"]) + 10) for p in panels]
    width = left + sum(widths) + (len(panels) - 1) * (left + 10) + 20
    width = max(width, int(5.8 * len(note)) + 24, 60 + sum(35 + 7 * len(n) for n, _ in series))
    height = top + plot_h + 70 + (18 if note else 0)
    svg = Svg(width, height)
    svg.text(12, 22, title, 15, weight="bold")
    svg.legend(14, 46, [(n, c, None) for n, c in series])
    x0 = left
    for p, pw in zip(panels, widths):
        vals = [v for row in p["values"] for v in row if v is not None and v > 0]
        y_base = top + plot_h
        if p.get("log") and vals:
            ticks, lo, hi = log_ticks(min(vals), max(vals))

            def ypos(v, lo=lo, hi=hi):
                return y_base - plot_h * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        else:
            ticks, hi = linear_ticks(0, max(vals) if vals else 1)
            lo = 0

            def ypos(v, hi=hi):
                return y_base - plot_h * v / hi
        for t in ticks:
            y = ypos(t)
            svg.line(x0, y, x0 + pw, y, GRID)
            svg.text(x0 - 5, y + 4, compact(t), 10, "end", color=AXIS)
        svg.line(x0, top, x0, y_base)
        svg.line(x0, y_base, x0 + pw, y_base)
        svg.text(x0 + pw / 2, top - 8, p["title"], 12, "middle", "bold")
        svg.text(x0 - 44, top + plot_h / 2, p["unit"], 10, "middle", color=AXIS, rotate=-90)
        for g, (label, row) in enumerate(zip(p["groups"], p["values"])):
            gx = x0 + (pw - group_w * len(p["groups"])) / 2 + gap / 2 + g * group_w
            for s, ((name, color), v) in enumerate(zip(series, row)):
                bx = gx + s * bar_w
                if v is None or v <= 0 or (p.get("log") and v < lo):
                    svg.text(bx + bar_w / 2, y_base - 4, "n/a", 9, "middle", color=AXIS)
                    continue
                y = ypos(v)
                svg.rect(bx + 1, y, bar_w - 2, y_base - y, color, f"{name} {label}: {v:.4g}")
                svg.text(bx + bar_w / 2, y - 3, compact(v), 10, "middle")
            for i, ln in enumerate(_wrap(label, max(8, group_w // 6))):
                svg.text(gx + bar_w * len(series) / 2, y_base + 15 + 12 * i, ln, 10, "middle")
        x0 += pw + left + 10
    if note:
        svg.text(12, height - 8, note, 10, color=AXIS)
    svg.save(path)


def line_chart(path, title, series_names, panels, note=""):
    """Stacked panels sharing the x axis. series_names: [(name, colour, dash)]
    for the legend; panels: [{"title", "ylabel", "xlabel", "log": bool,
    "lines": [(colour, dash, [(x, y)])], "hlines": [(y, label)]}]."""
    width, left, right, plot_h, top, gap = 760, 70, 20, 200, 64, 62
    height = top + len(panels) * (plot_h + gap) + (16 if note else 0)
    svg = Svg(width, height)
    svg.text(12, 22, title, 15, weight="bold")
    svg.legend(14, 46, series_names)
    pts_all = [pt for p in panels for _, _, pts in p["lines"] for pt in pts]
    if not pts_all:
        svg.text(width / 2, top + 40, "no data", 14, "middle")
        svg.save(path)
        return
    xs = [x for x, _ in pts_all]
    xticks, xhi = linear_ticks(min(xs), max(xs), 8)
    xlo = xticks[0]
    pw = width - left - right

    def xpos(x):
        return left + pw * (x - xlo) / (xhi - xlo)

    y0 = top + 14
    for p in panels:
        ys = [y for _, _, pts in p["lines"] for _, y in pts]
        ys += [y for y, _ in p.get("hlines", [])]
        y_base = y0 + plot_h
        if p.get("log"):
            ys = [y for y in ys if y > 0] or [1]
            yticks, lo, hi = log_ticks(min(ys), max(ys))

            def ypos(v, lo=lo, hi=hi, y_base=y_base):
                v = max(v, lo)
                return y_base - plot_h * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        else:
            yticks, hi = linear_ticks(0, max(ys) if ys else 1)

            def ypos(v, hi=hi, y_base=y_base):
                return y_base - plot_h * v / hi
        for t in yticks:
            svg.line(left, ypos(t), left + pw, ypos(t), GRID)
            svg.text(left - 5, ypos(t) + 4, compact(t), 10, "end", color=AXIS)
        for t in xticks:
            svg.line(xpos(t), y0, xpos(t), y_base, GRID)
            svg.text(xpos(t), y_base + 14, f"{t:g}", 10, "middle", color=AXIS)
        svg.line(left, y0, left, y_base)
        svg.line(left, y_base, left + pw, y_base)
        svg.text(left + pw / 2, y0 - 6, p["title"], 12, "middle", "bold")
        svg.text(left + pw / 2, y_base + 30, p.get("xlabel", ""), 10, "middle", color=AXIS)
        svg.text(18, y0 + plot_h / 2, p["ylabel"], 10, "middle", color=AXIS, rotate=-90)
        for y, label in p.get("hlines", []):
            svg.line(left, ypos(y), left + pw, ypos(y), "#888", 1, "2,3")
            svg.text(left + pw - 4, ypos(y) - 4, label, 10, "end", color="#666")
        for color, dash, pts in p["lines"]:
            svg.polyline([(xpos(x), ypos(y)) for x, y in pts], color, 1.5, dash)
        y0 += plot_h + gap
    if note:
        svg.text(12, height - 8, note, 10, color=AXIS)
    svg.save(path)
