"""Specification limits and process capability. Pure functions on Decimals and floats.

Limits are inclusive and either may be absent (a one-sided specification). Capability follows
DESIGN.md: σ_within = MR̄ / 1.128 (individuals chart), σ_overall = sample standard deviation
(n − 1); Cp = (USL − LSL) / 6σ_within, Cpk = min(USL − x̄, x̄ − LSL) / 3σ_within, Pp and Ppk the
same with σ_overall; with one limit only the one-sided index (Cpu or Cpl). Individuals chart
limits: x̄ ± 2.66 MR̄.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

D2 = 1.128  # d2 for moving ranges of two
E2 = 2.66  # 3 / d2, the individuals chart factor


def within_spec(value: Decimal, lsl: Decimal | None, usl: Decimal | None) -> bool:
    """LSL ≤ value ≤ USL, each limit only where it exists. Exact decimals: no float rounding."""
    if lsl is not None and value < lsl:
        return False
    return not (usl is not None and value > usl)


@dataclass
class Capability:
    n: int
    mean: float | None = None
    sd_within: float | None = None
    sd_overall: float | None = None
    cp: float | None = None
    cpk: float | None = None
    pp: float | None = None
    ppk: float | None = None
    cpu: float | None = None
    cpl: float | None = None
    ucl: float | None = None
    lcl: float | None = None
    out_of_spec: int = 0
    reason: str = ""  # why no index is given, when none is


def capability(
    *,
    n: int,
    total: float,
    total_sq: float,
    mean_moving_range: float | None,
    lsl: float | None,
    usl: float | None,
    out_of_spec: int = 0,
) -> Capability:
    """Capability from the aggregates a database gives: count, Σx, Σx², the mean moving range.

    With fewer than two values or no spread, the indices are None and ``reason`` says why.
    """
    result = Capability(n=n, out_of_spec=out_of_spec)
    if n == 0:
        result.reason = "No measurements in this period."
        return result
    result.mean = total / n
    if n < 2:
        result.reason = "Capability needs at least two measurements."
        return result
    variance = max((total_sq - n * result.mean**2) / (n - 1), 0.0)
    result.sd_overall = math.sqrt(variance)
    mr = mean_moving_range or 0.0
    result.sd_within = mr / D2
    result.ucl, result.lcl = result.mean + E2 * mr, result.mean - E2 * mr
    if lsl is None and usl is None:
        result.reason = "The characteristic has no specification limits."
        return result
    if result.sd_within <= 0 or result.sd_overall <= 0:
        result.reason = "All measurements are equal: with no spread there is no capability index."
        return result
    for prefix, sigma in (("c", result.sd_within), ("p", result.sd_overall)):
        upper = (usl - result.mean) / (3 * sigma) if usl is not None else None
        lower = (result.mean - lsl) / (3 * sigma) if lsl is not None else None
        if usl is not None and lsl is not None:
            setattr(result, f"{prefix}p", (usl - lsl) / (6 * sigma))
            setattr(result, f"{prefix}pk", min(upper, lower))
        elif prefix == "c":
            result.cpu, result.cpl = upper, lower
    return result


@dataclass
class Proportion:
    """One subgroup of a p-chart: its inspections, how many failed, and its control limits."""

    label: object
    n: int
    failed: int
    p: float
    lcl: float
    ucl: float

    @property
    def out(self) -> bool:
        return self.p > self.ucl or self.p < self.lcl


def p_chart(groups, pbar: float | None = None) -> tuple[float | None, list[Proportion]]:
    """p-chart of the fraction failed per subgroup ``(label, n, failed)``.

    p̄ = Σ failed / Σ n of the groups, unless given (the whole period's, when only its latest
    days are drawn); each subgroup's limits p̄ ± 3 √(p̄ (1 − p̄) / nᵢ), clipped to [0, 1] (a
    subgroup of fewer inspections gets wider limits). None and no points without inspections.
    """
    groups = [(label, n, failed) for label, n, failed in groups if n]
    total = sum(n for _, n, _ in groups)
    if not total:
        return None, []
    if pbar is None:
        pbar = sum(failed for _, _, failed in groups) / total
    points = []
    for label, n, failed in groups:
        spread = 3 * math.sqrt(pbar * (1 - pbar) / n)
        points.append(
            Proportion(
                label=label,
                n=n,
                failed=failed,
                p=failed / n,
                lcl=max(0.0, pbar - spread),
                ucl=min(1.0, pbar + spread),
            )
        )
    return pbar, points
