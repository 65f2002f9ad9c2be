"""Quality KPIs of a line or a site: first-pass yield, the defect Pareto and a capability table.

- **First-pass yield** = units passed at their first inspection / units inspected for the first
  time, over the inspections made in a half-open period [start, end). A unit is a batch (and
  sample, where one is named) checked against one plan on one line; an inspection of a unit
  already inspected before (any version of the same plan) is a re-inspection and does not count
  again, so re-inspecting until a batch passes cannot raise the yield.
- **Defect Pareto**: failed checks of the period, by the defect named (or, where none is, by the
  characteristic), largest first, with the cumulative share.
- **Capability** per measured characteristic (the same characteristic in every version of its
  plan), its measurements in time order, against the current version's limits, as on the SPC
  page: σ_within = MR̄ / 1.128, σ_overall = sample standard deviation; Cp, Cpk, Pp, Ppk (one
  limit gives Cpu or Cpl). An index below the target (``REPORT_CPK_TARGET``, 1.33) is flagged.
"""

from django.conf import settings
from django.utils import timezone

from logbook.quality.models import Characteristic, Inspection, InspectionPlan, Measurement
from logbook.quality.spc import capability
from logbook.reports import sql
from logbook.reports.oee import Bucket, buckets, scope_condition

DEFAULT_CPK_TARGET = 1.33


def cpk_target() -> float:
    return float(getattr(settings, "REPORT_CPK_TARGET", DEFAULT_CPK_TARGET))


def _first_attempts(*, line, site, start, end):
    """The CTE ``firsts`` of the period's first inspections of a unit, and its parameters."""
    inspections, plans = Inspection._meta.db_table, InspectionPlan._meta.db_table
    in_scope, params = scope_condition("i.line_id", line=line, site=site)
    params.update(start=sql.adapt(start), end=sql.adapt(end))
    epoch, _greatest, _least = sql.dialect()
    cte = f"""
        firsts AS (
            SELECT i.id, i.verdict, {epoch("i.inspected_at")} AS t
            FROM {inspections} i JOIN {plans} p ON p.id = i.plan_id
            WHERE {in_scope} AND i.inspected_at >= %(start)s AND i.inspected_at < %(end)s
              AND NOT EXISTS (
                  SELECT 1 FROM {inspections} e JOIN {plans} ep ON ep.id = e.plan_id
                  WHERE e.line_id = i.line_id AND ep.family = p.family
                    AND e.batch = i.batch AND e.sample = i.sample
                    AND (e.inspected_at < i.inspected_at
                         OR (e.inspected_at = i.inspected_at AND e.id < i.id)))
        )"""
    return cte, params


def first_pass_yield(*, start, end, line=None, site=None, group=None, now=None) -> dict:
    """``inspections`` (first attempts), ``first_pass``, ``first_pass_yield`` (None without
    inspections), and ``rows`` per local day or week when grouped. One query."""
    if (line is None) == (site is None):
        raise ValueError("Give either a line or a site.")
    zone = (site or line.area.site).zone
    end = min(end, now or timezone.now())
    start = min(start, end)
    groups = buckets(start, end, group, zone) if group else [Bucket(None, "", start, end)]
    cte, params = _first_attempts(line=line, site=site, start=start, end=end)
    values = []
    for index, bucket in enumerate(groups):
        values.append(
            f"(CAST(%(g{index})s AS INTEGER), CAST(%(gs{index})s AS DOUBLE PRECISION), "
            f"CAST(%(ge{index})s AS DOUBLE PRECISION))"
        )
        params.update(
            {
                f"g{index}": index,
                f"gs{index}": sql.epoch(bucket.start),
                f"ge{index}": sql.epoch(bucket.end),
            }
        )
    counts = {}
    if values:
        query = f"""
            WITH {cte}, grp(g, gs, ge) AS (VALUES {", ".join(values)})
            SELECT grp.g, COUNT(firsts.id),
                   SUM(CASE WHEN firsts.verdict = 'pass' THEN 1 ELSE 0 END)
            FROM grp LEFT JOIN firsts ON firsts.t >= grp.gs AND firsts.t < grp.ge
            GROUP BY grp.g
        """
        counts = {g: (int(n or 0), int(passed or 0)) for g, n, passed in sql.rows(query, params)}

    def figures(n, passed):
        return {
            "inspections": n,
            "first_pass": passed,
            "first_pass_yield": passed / n if n else None,
        }

    total = [sum(pair[i] for pair in counts.values()) for i in (0, 1)]
    result = {"start": start, "end": end, **figures(*total)}
    if group:
        result["rows"] = [
            {"key": b.key, "label": b.label, **figures(*counts.get(index, (0, 0)))}
            for index, b in enumerate(groups)
        ]
    return result


def defect_pareto(*, start, end, line=None, site=None, now=None) -> list[dict]:
    """Rows of ``label``, ``count``, ``share``, ``cumulative_share``, largest first."""
    end = min(end, now or timezone.now())
    inspections, measurements = Inspection._meta.db_table, Measurement._meta.db_table
    characteristics = Characteristic._meta.db_table
    in_scope, params = scope_condition("i.line_id", line=line, site=site)
    params.update(start=sql.adapt(start), end=sql.adapt(end))
    label = "COALESCE(NULLIF(m.defect, ''), c.name)"
    query = f"""
        SELECT {label}, COUNT(*)
        FROM {measurements} m
        JOIN {inspections} i ON i.id = m.inspection_id
        JOIN {characteristics} c ON c.id = m.characteristic_id
        WHERE {in_scope} AND m.passed = %(failed)s
          AND i.inspected_at >= %(start)s AND i.inspected_at < %(end)s
        GROUP BY {label}
    """
    params["failed"] = False
    found = sorted(sql.rows(query, params), key=lambda row: (-row[1], row[0]))
    total = sum(count for _label, count in found)
    rows, running = [], 0
    for name, count in found:
        running += count
        rows.append(
            {
                "label": name,
                "count": count,
                "share": count / total,
                "cumulative_share": running / total,
            }
        )
    return rows


def capability_table(*, start, end, line=None, site=None, now=None) -> list[dict]:
    """One row per measured characteristic inspected in the period: its current version's
    ``characteristic`` (id), ``name``, plan, limits, and n, mean, σ within and overall, Cp, Cpk,
    Pp, Ppk (None where they cannot be computed, ``reason`` says why), ``below_target``. One
    query (moving ranges by a window function per characteristic)."""
    end = min(end, now or timezone.now())
    inspections, measurements = Inspection._meta.db_table, Measurement._meta.db_table
    characteristics, plans = Characteristic._meta.db_table, InspectionPlan._meta.db_table
    in_scope, params = scope_condition("i.line_id", line=line, site=site)
    params.update(start=sql.adapt(start), end=sql.adapt(end), variable="variable", yes=True)
    number = "DOUBLE PRECISION"
    query = f"""
        WITH series AS (
            SELECT cur.id AS characteristic, CAST(m.value AS {number}) AS x,
                   CAST(cur.lsl AS {number}) AS lsl, CAST(cur.usl AS {number}) AS usl,
                   LAG(CAST(m.value AS {number})) OVER (
                       PARTITION BY cur.id ORDER BY i.inspected_at, i.id) AS previous
            FROM {measurements} m
            JOIN {inspections} i ON i.id = m.inspection_id
            JOIN {characteristics} c ON c.id = m.characteristic_id
            JOIN {plans} p ON p.id = c.plan_id
            JOIN {plans} cp ON cp.family = p.family AND cp.is_current = %(yes)s
            JOIN {characteristics} cur ON cur.plan_id = cp.id AND cur.name = c.name
            WHERE {in_scope} AND m.value IS NOT NULL AND cur.kind = %(variable)s
              AND i.inspected_at >= %(start)s AND i.inspected_at < %(end)s
        )
        SELECT characteristic, COUNT(*), SUM(x), SUM(x * x), AVG(ABS(x - previous)),
               SUM(CASE WHEN x < lsl OR x > usl THEN 1 ELSE 0 END)
        FROM series GROUP BY characteristic
    """
    aggregates = {row[0]: row[1:] for row in sql.rows(query, params)}
    found = Characteristic.objects.filter(pk__in=aggregates).select_related("plan")
    target = cpk_target()
    rows = []
    for characteristic in sorted(found, key=lambda c: (c.plan.product, c.plan.name, c.order)):
        n, total, total_sq, mean_mr, out = aggregates[characteristic.pk]
        lsl, usl = characteristic.lsl, characteristic.usl
        figures = capability(
            n=int(n),
            total=float(total or 0),
            total_sq=float(total_sq or 0),
            mean_moving_range=float(mean_mr) if mean_mr is not None else None,
            lsl=float(lsl) if lsl is not None else None,
            usl=float(usl) if usl is not None else None,
            out_of_spec=int(out or 0),
        )
        # The index judged against the target: Cpk, or the one-sided Cpu / Cpl.
        one_sided = figures.cpu if figures.cpu is not None else figures.cpl
        index = figures.cpk if figures.cpk is not None else one_sided
        rows.append(
            {
                "characteristic": characteristic.pk,
                "object": characteristic,
                "name": characteristic.name,
                "plan": characteristic.plan.name,
                "product": characteristic.plan.product,
                "unit": characteristic.unit,
                "lsl": lsl,
                "usl": usl,
                "n": figures.n,
                "mean": figures.mean,
                "stdev_within": figures.sd_within,
                "stdev_overall": figures.sd_overall,
                "cp": figures.cp,
                "cpk": figures.cpk,
                "cpu": figures.cpu,
                "cpl": figures.cpl,
                "pp": figures.pp,
                "ppk": figures.ppk,
                "index": index,
                "out_of_spec": figures.out_of_spec,
                "reason": figures.reason,
                "target": target,
                "below_target": index is not None and index < target,
            }
        )
    return rows
