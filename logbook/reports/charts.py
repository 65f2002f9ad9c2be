"""Chart geometry for server-drawn SVG (templates/reports/_chart.html draws it).

Pure functions: they take the figures a report computed and return coordinates, axis ticks and
labels. Nothing is fetched or scripted in the browser, so a chart reads without JavaScript and
prints as it is shown. Every mark can carry a link (its drill-down) and a title (its tooltip,
read by screen readers).
"""

import dataclasses
import math

from logbook.core.numbers import local_number

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 26, 76


@dataclasses.dataclass
class Chart:
    title: str
    description: str
    y_title: str = ""
    x_title: str = ""
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom_y: float = HEIGHT - BOTTOM
    right_x: float = WIDTH - RIGHT
    bars: list = dataclasses.field(default_factory=list)
    polylines: list = dataclasses.field(default_factory=list)
    points: list = dataclasses.field(default_factory=list)
    rules: list = dataclasses.field(default_factory=list)  # horizontal reference lines
    vrules: list = dataclasses.field(default_factory=list)  # vertical reference lines
    y_ticks: list = dataclasses.field(default_factory=list)
    x_ticks: list = dataclasses.field(default_factory=list)
    empty: bool = False


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _linear_ticks(chart: Chart, top: float, fmt) -> None:
    span = chart.bottom_y - chart.top
    for i in range(5):
        value = top * i / 4
        chart.y_ticks.append({"y": chart.bottom_y - span * i / 4, "label": fmt(value)})


def bar_chart(
    items: list[dict],
    *,
    title: str,
    description: str,
    y_title: str,
    fmt=local_number,
    y_max: float | None = None,
    cumulative: bool = False,
    target: float | None = None,
    target_label: str = "",
    whole: bool = False,
) -> Chart:
    """Vertical bars of ``item["value"]`` (None draws no bar: no data) labelled ``label``, each
    linking to ``href`` with the tooltip ``tip``; an optional cumulative-share line (a Pareto,
    right axis 0–100 %) and an optional horizontal target."""
    chart = Chart(title=title, description=description, y_title=y_title)
    values = [item["value"] for item in items if item.get("value") is not None]
    if not values:
        chart.empty = True
        return chart
    top = y_max if y_max is not None else _nice_max(max(max(values), target or 0))
    if whole:  # counts: ticks on whole numbers (four steps)
        top = max(4, math.ceil(top / 4) * 4)
    _linear_ticks(chart, top, fmt)
    plot_w = chart.right_x - chart.left
    span = chart.bottom_y - chart.top
    step = plot_w / len(items)
    width = min(max(step * 0.7, 1.0), 90.0)
    every = max(1, math.ceil(len(items) / 16))  # at most 16 labels under the axis
    total = sum(values)
    running, line = 0.0, []
    for index, item in enumerate(items):
        x = chart.left + step * index + (step - width) / 2
        value = item.get("value")
        if value is not None:
            height = span * min(max(value, 0) / top, 1.0)
            chart.bars.append(
                {
                    "x": x,
                    "y": chart.bottom_y - height,
                    "w": width,
                    "h": height,
                    "href": item.get("href"),
                    "tip": item.get("tip", ""),
                    "kind": item.get("kind", ""),
                }
            )
        if index % every == 0:
            chart.x_ticks.append({"x": x + width / 2, "label": item["label"]})
        if cumulative and total:
            running += value or 0
            line.append((x + width / 2, chart.bottom_y - span * running / total))
    if line:
        chart.polylines.append(
            {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in line), "kind": "cumulative"}
        )
        chart.rules.append({"y": chart.bottom_y - span * 0.8, "label": "80 %", "kind": "eighty"})
    if target is not None and target <= top:
        chart.rules.append(
            {"y": chart.bottom_y - span * target / top, "label": target_label, "kind": "target"}
        )
    return chart


def waterfall(steps: list[dict], *, title: str, description: str) -> Chart:
    """Time from calendar to fully productive: ``kind`` "total" bars stand on the axis, "loss"
    bars hang from the running level (a negative loss, speed above the ideal, rises)."""
    chart = Chart(title=title, description=description, y_title="min")
    if not steps or not steps[0]["value"]:
        chart.empty = True
        return chart
    top = _nice_max(max(step["value"] for step in steps if step["kind"] == "total"))
    _linear_ticks(chart, top, local_number)
    plot_w = chart.right_x - chart.left
    span = chart.bottom_y - chart.top
    step_w = plot_w / len(steps)
    width = step_w * 0.7
    level = 0.0

    def y(value):
        return chart.bottom_y - span * max(min(value / top, 1.0), 0.0)

    for index, step in enumerate(steps):
        x = chart.left + step_w * index + (step_w - width) / 2
        if step["kind"] == "total":
            upper, lower, level = step["value"], 0.0, step["value"]
        else:
            upper, lower = level, level - step["value"]
            level = lower
        low, high = min(upper, lower), max(upper, lower)
        chart.bars.append(
            {
                "x": x,
                "y": y(high),
                "w": width,
                "h": max(y(low) - y(high), 0.5),
                "href": step.get("href"),
                "tip": step.get("tip", ""),
                "kind": step["kind"],
            }
        )
        chart.x_ticks.append({"x": x + width / 2, "label": step["label"]})
    return chart


def _log_ticks(low: float, high: float) -> list[float]:
    ticks, power = [], math.floor(math.log10(low))
    while 10**power <= high * 1.0001:
        for factor in (1, 2, 5):
            value = factor * 10**power
            if low <= value <= high:
                ticks.append(value)
        power += 1
    return ticks


def scatter_log(
    points: list[dict],
    *,
    title: str,
    description: str,
    x_title: str,
    y_title: str,
    x_split: float | None,
    y_split: float | None,
) -> Chart:
    """Points (``x``, ``y`` > 0) on log scales, with the quadrant splits as reference lines."""
    chart = Chart(title=title, description=description, x_title=x_title, y_title=y_title)
    chart.bottom_y = HEIGHT - 40
    if not points:
        chart.empty = True
        return chart
    xs = [p["x"] for p in points]
    ys = [p["y"] for p in points]
    x_lo, x_hi = 10 ** math.floor(math.log10(min(xs))), 10 ** math.ceil(math.log10(max(xs)))
    y_lo, y_hi = 10 ** math.floor(math.log10(min(ys))), 10 ** math.ceil(math.log10(max(ys)))
    x_hi, y_hi = max(x_hi, x_lo * 10), max(y_hi, y_lo * 10)

    def px(value):
        share = (math.log10(value) - math.log10(x_lo)) / (math.log10(x_hi) - math.log10(x_lo))
        return chart.left + (chart.right_x - chart.left) * share

    def py(value):
        share = (math.log10(value) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo))
        return chart.bottom_y - (chart.bottom_y - chart.top) * share

    chart.x_ticks = [{"x": px(v), "label": f"{v:g}"} for v in _log_ticks(x_lo, x_hi)]
    chart.y_ticks = [{"y": py(v), "label": f"{v:g}"} for v in _log_ticks(y_lo, y_hi)]
    if x_split:
        chart.vrules.append({"x": px(x_split), "kind": "split"})
    if y_split:
        chart.rules.append({"y": py(y_split), "label": "", "kind": "split"})
    for point in points:
        chart.points.append(
            {
                "x": px(point["x"]),
                "y": py(point["y"]),
                "href": point.get("href"),
                "tip": point.get("tip", ""),
                "kind": point.get("kind", ""),
                "label": point.get("label", ""),
            }
        )
    return chart
