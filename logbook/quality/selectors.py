"""Reads for quality: capability and the individuals chart of a characteristic, in SQL."""

import math

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from logbook.core.routing import reading_connection
from logbook.quality.models import Characteristic, Inspection, Measurement
from logbook.quality.spc import Capability, capability

CHART_POINTS = 200


def family_characteristics(characteristic: Characteristic):
    """The same characteristic (by name) in every version of its plan."""
    return Characteristic.objects.filter(
        plan__family=characteristic.plan.family, name=characteristic.name
    )


def measurements_in(characteristic: Characteristic, start, end):
    """The measurements of this characteristic (every version of its plan) inspected in
    [start, end)."""
    return Measurement.objects.filter(
        characteristic__in=family_characteristics(characteristic),
        inspection__inspected_at__gte=start,
        inspection__inspected_at__lt=end,
    )


def _values_in_period(count: int) -> str:
    """The FROM and WHERE of the values of ``count`` characteristics (``m.value``,
    ``m.characteristic_id``) inspected in [start, end) (``i``); parameters: the characteristics'
    ids, then start and end.

    The period's inspections are read by time, and each one's values by the (inspection,
    characteristic) index. PostgreSQL is told so with a lateral join: left to itself, it read
    all million measurements to hash them against a month's 2,800 inspections (48 → 5 ms)."""
    measurements = Measurement._meta.db_table
    inspections = Inspection._meta.db_table
    placeholders = ", ".join(["%s"] * count)
    condition = (
        f"m.inspection_id = i.id AND m.characteristic_id IN ({placeholders}) "
        "AND m.value IS NOT NULL"
    )
    if reading_connection().vendor == "postgresql":
        # OFFSET 0 keeps it a lookup per inspection: a plain subquery would be pulled up.
        inner = f"SELECT m.value, m.characteristic_id FROM {measurements} m WHERE {condition}"
        join = f"JOIN LATERAL ({inner} OFFSET 0) m ON TRUE"
    else:
        join = f"JOIN {measurements} m ON {condition}"
    return f"FROM {inspections} i {join} WHERE i.inspected_at >= %s AND i.inspected_at < %s"


def _sums_per_version(characteristic: Characteristic, start, end) -> dict[int, tuple]:
    """The period's values of the characteristic (every version of its plan), in time order,
    summed per version in one query: {version's characteristic id: (n, Σx, Σx², Σ|moving
    range|, moving ranges, out of the current limits)}. The moving ranges run across versions."""
    ids = list(family_characteristics(characteristic).values_list("pk", flat=True))
    adapt = reading_connection().ops.adapt_datetimefield_value
    conditions, limits = [], []
    if characteristic.lsl is not None:
        conditions.append("x < %s")
        limits.append(float(characteristic.lsl))
    if characteristic.usl is not None:
        conditions.append("x > %s")
        limits.append(float(characteristic.usl))
    out_of_spec = (
        f"SUM(CASE WHEN {' OR '.join(conditions)} THEN 1 ELSE 0 END)" if conditions else "0"
    )
    sql = f"""
        WITH series AS (
            SELECT m.characteristic_id AS c, CAST(m.value AS DOUBLE PRECISION) AS x,
                   LAG(CAST(m.value AS DOUBLE PRECISION)) OVER (
                       ORDER BY i.inspected_at, i.id) AS previous
            {_values_in_period(len(ids))}
        )
        SELECT c, COUNT(*), SUM(x), SUM(x * x), SUM(ABS(x - previous)), COUNT(previous),
               {out_of_spec}
        FROM series GROUP BY c
    """
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, [*ids, adapt(start), adapt(end), *limits])
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _capability_of(characteristic: Characteristic, sums: dict[int, tuple]) -> Capability:
    n = sum(row[0] for row in sums.values())
    ranges = sum(row[4] for row in sums.values())
    return capability(
        n=n,
        total=sum(float(row[1] or 0) for row in sums.values()),
        total_sq=sum(float(row[2] or 0) for row in sums.values()),
        mean_moving_range=sum(float(row[3] or 0) for row in sums.values()) / ranges
        if ranges
        else None,
        lsl=float(characteristic.lsl) if characteristic.lsl is not None else None,
        usl=float(characteristic.usl) if characteristic.usl is not None else None,
        out_of_spec=sum(row[5] or 0 for row in sums.values()),
    )


def capability_and_other_limits(
    characteristic: Characteristic, start, end
) -> tuple[Capability, list[dict]]:
    """The capability over [start, end), and the plan versions whose limits for this
    characteristic differ from its own with how many of the period's values were taken under
    them; both from one pass over the period's values (the SPC page read a year's values twice).

    The chart and the figures judge every value against the characteristic's limits; the page
    says so when some were measured against others."""
    sums = _sums_per_version(characteristic, start, end)
    versions = family_characteristics(characteristic).filter(pk__in=list(sums))
    groups = {}
    for pk, version, lsl, usl in versions.values_list("pk", "plan__version", "lsl", "usl"):
        groups[(version, lsl, usl)] = groups.get((version, lsl, usl), 0) + sums[pk][0]
    others = [
        {"version": version, "lsl": lsl, "usl": usl, "count": count}
        for (version, lsl, usl), count in sorted(groups.items(), key=lambda item: item[0][0])
        if (lsl, usl) != (characteristic.lsl, characteristic.usl)
    ]
    return _capability_of(characteristic, sums), others


def chart_values(characteristic: Characteristic, start, end) -> list[tuple]:
    """The latest measurements (at most 200) in time order: (inspected_at, value, batch,
    inspection id)."""
    rows = (
        measurements_in(characteristic, start, end)
        .filter(value__isnull=False)
        .order_by("-inspection__inspected_at", "-inspection_id")
        .values_list("inspection__inspected_at", "value", "inspection__batch", "inspection_id")[
            :CHART_POINTS
        ]
    )
    return list(reversed(rows))


def failures_per_day(characteristic: Characteristic, start, end, zone) -> list[tuple]:
    """(local day, inspections, failed) of an attribute characteristic, the latest 200 days in
    time order: the subgroups of its p-chart (one grouped query)."""
    rows = (
        measurements_in(characteristic, start, end)
        .filter(passed__isnull=False)
        .annotate(day=TruncDate("inspection__inspected_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"), failed=Count("pk", filter=Q(passed=False)))
        .order_by("-day")
        .values_list("day", "n", "failed")[:CHART_POINTS]
    )
    return list(reversed(rows))


def failure_totals(characteristic: Characteristic, start, end) -> tuple[int, int]:
    """(inspections, failed) of an attribute characteristic over the whole period."""
    totals = (
        measurements_in(characteristic, start, end)
        .filter(passed__isnull=False)
        .aggregate(n=Count("pk"), failed=Count("pk", filter=Q(passed=False)))
    )
    return totals["n"], totals["failed"]


def p_chart_geometry(points, pbar, *, width=800, height=280, pad=40) -> dict:
    """Coordinates of the p-chart's SVG: the daily fractions, p̄, and the stepped limits."""
    if not points:
        return {"points": []}
    top = max(max(p.ucl for p in points), max(p.p for p in points), 0.01) * 1.08

    def y(v):
        return round(pad / 2 + (top - v) / top * (height - pad), 1)

    step = (width - 2 * pad) / max(len(points) - 1, 1)
    half = step / 2
    drawn = [{"x": round(pad + i * step, 1), "y": y(p.p), "p": p} for i, p in enumerate(points)]

    def stepped(limit):
        return " ".join(
            f"{max(pad, d['x'] - half):.1f},{y(limit(d['p']))} "
            f"{min(width - pad, d['x'] + half):.1f},{y(limit(d['p']))}"
            for d in drawn
        )

    return {
        "points": drawn,
        "polyline": " ".join(f"{d['x']},{d['y']}" for d in drawn),
        "ucl": stepped(lambda p: p.ucl),
        "lcl": stepped(lambda p: p.lcl),
        "center": y(pbar),
        "zero": y(0),
        "ucl_label": y(drawn[-1]["p"].ucl),
        "scale": [{"y": y(v), "percent": round(v * 100, 1)} for v in (top / 2, top / 1.08)],
        "width": width,
        "height": height,
        "pad": pad,
    }


def chart_geometry(
    values, *, lsl=None, usl=None, ucl=None, lcl=None, center=None, width=800, height=280, pad=40
) -> dict:
    """Coordinates for the server-rendered SVG individuals chart (no JavaScript): the values in
    time order, each linked to its inspection, with the dates of some of them along the time
    axis (at most seven labels)."""
    numbers = [float(row[1]) for row in values]
    lines = {
        name: float(v)
        for name, v in (("LSL", lsl), ("USL", usl), ("UCL", ucl), ("LCL", lcl), ("x̄", center))
        if v is not None
    }
    every = numbers + list(lines.values())
    if not every:
        return {"points": [], "lines": [], "width": width, "height": height}
    low, high = min(every), max(every)
    span = (high - low) or 1.0
    low, high = low - span * 0.08, high + span * 0.08

    def y(v):
        return round(pad / 2 + (high - v) / (high - low) * (height - pad), 1)

    step = (width - 2 * pad) / max(len(numbers) - 1, 1)
    points = [
        {
            "x": round(pad + i * step, 1),
            "y": y(v),
            "value": v,
            "when": row[0],
            "batch": row[2],
            "inspection": row[3] if len(row) > 3 else None,
            "out": (lsl is not None and v < float(lsl)) or (usl is not None and v > float(usl)),
        }
        for i, (v, row) in enumerate(zip(numbers, values, strict=True))
    ]
    every_nth = max(1, math.ceil(len(points) / 7))
    ticks = [{"x": p["x"], "when": p["when"]} for p in points[::every_nth]]
    return {
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "ticks": ticks,
        "axis_y": height - pad / 2,
        "lines": [
            {
                "name": name,
                "y": y(v),
                "value": v,
                "kind": "spec" if name in ("LSL", "USL") else "control",
            }
            for name, v in lines.items()
        ],
        "width": width,
        "height": height,
        "pad": pad,
    }
