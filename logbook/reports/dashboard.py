"""The supervisor's dashboard: the period and scope form, and every figure the page shows.

Each section reads its figures from the report selectors (a fixed number of queries whatever the
period), then adds what a person needs to trust and act on them: the drill-down link of each bar
and number (the list pages with their filters), and the ISO 22400-2 name and formula of each KPI
with this period's inputs filled in.
"""

import datetime
from types import SimpleNamespace
from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from logbook.core.fields import validate_plant_date
from logbook.core.numbers import local_number, local_percent
from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import Line, Site
from logbook.maintenance.models import WorkOrder
from logbook.maintenance.selectors import overdue
from logbook.quality.models import Nonconformance
from logbook.reports import charts, periods
from logbook.reports.downtime import acute_chronic, pareto
from logbook.reports.maintenance import (
    failures_after_late_pm,
    pm_compliance,
    pm_exceptions,
    work_mix,
)
from logbook.reports.oee import oee
from logbook.reports.quality import capability_table, defect_pareto, first_pass_yield
from logbook.reports.reliability import reliability_table
from logbook.shifts import clock
from logbook.shifts.models import Shift, ShiftPattern
from logbook.telemetry.selectors import signal_losses

PERIODS = [
    ("this_shift", _("This shift")),
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("last_7_days", _("Last 7 days")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("custom", _("Custom")),
]
BY_LABELS = {"reason": _("by reason"), "equipment": _("by equipment"), "category": _("by category")}
MAX_CUSTOM_DAYS = 366
DAILY_UP_TO_DAYS = 45  # longer periods trend per week
TABLE_ROWS = 50  # the longest tables show their largest rows (the export too)


class ReportForm(forms.Form):
    """Scope (a site or one of its lines) and period; custom periods are whole local days."""

    scope = forms.ChoiceField(label=_("Site or line"))
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="last_7_days")
    period_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plant_date],
    )
    period_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plant_date],
    )
    by = forms.ChoiceField(
        choices=list(BY_LABELS.items()), required=False, widget=forms.HiddenInput
    )

    def __init__(self, data, *, user, now=None, **kwargs):
        self.now = now or timezone.now()
        sites = list(Site.objects.for_user(user).order_by("code"))
        lines = list(Line.objects.for_user(user).select_related("area__site").order_by("code"))
        choices = []
        for site in sites:
            group = [(f"site-{site.pk}", _t("%(site)s — all lines") % {"site": site.name})]
            group += [(f"line-{ln.pk}", str(ln)) for ln in lines if ln.area.site_id == site.pk]
            choices.append((site.name, group))
        self.sites = {site.pk: site for site in sites}
        self.lines = {line.pk: line for line in lines}
        default_scope = f"site-{sites[0].pk}" if sites else ""
        values = {"scope": default_scope, "period": "last_7_days", "by": "reason"}
        if data is not None and "scope" in data:
            values.update({key: data.get(key) for key in data if key in self.base_fields})
        super().__init__(values, **kwargs)
        self.fields["scope"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") == "custom":
            first, last = cleaned.get("period_from"), cleaned.get("period_to")
            if not first or not last:
                raise forms.ValidationError(_("A custom period needs its first and last day."))
            if last < first:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (last - first).days >= MAX_CUSTOM_DAYS:
                raise forms.ValidationError(_("Choose at most a year."))
        if cleaned.get("scope") and cleaned.get("period") == "this_shift":
            if self._current_shift(self._scope(cleaned["scope"])) is None:
                raise forms.ValidationError(_("No shift is running now at this site."))
        return cleaned

    def _scope(self, value) -> dict:
        kind, _sep, pk = value.partition("-")
        if kind == "line":
            return {"line": self.lines[int(pk)]}
        return {"site": self.sites[int(pk)]}

    def _current_shift(self, scope):
        site = scope.get("site") or scope["line"].area.site
        patterns = list(ShiftPattern.objects.filter(site=site, active=True))
        slot = clock.current_slot(patterns, self.now, site.zone)
        if slot is None:
            return None
        pattern, day = slot
        return pattern, clock.shift_window(day, pattern.start_time, pattern.end_time, site.zone)

    def resolve(self):
        """(scope, site, start, end, label) of a valid form."""
        data = self.cleaned_data
        scope = self._scope(data["scope"])
        site = scope.get("site") or scope["line"].area.site
        zone = site.zone
        period = data["period"]
        if period == "custom":
            start = datetime.datetime.combine(data["period_from"], datetime.time(0), tzinfo=zone)
            after = data["period_to"] + datetime.timedelta(days=1)
            end = datetime.datetime.combine(after, datetime.time(0), tzinfo=zone)
            label = f"{data['period_from']:%Y-%m-%d} – {data['period_to']:%Y-%m-%d}"
        elif period == "this_shift":
            pattern, (start, end) = self._current_shift(scope)
            label = f"{pattern.name} {start.astimezone(zone):%Y-%m-%d %H:%M}"
        else:
            start, end = periods.named_period(period, zone, self.now)
            label = str(dict(PERIODS)[period])
        return scope, site, start, end, label


def _query(base: str, **params) -> str:
    return f"{reverse(base)}?{urlencode({k: v for k, v in params.items() if v is not None})}"


class Links:
    """The filtered list pages a figure was computed from."""

    def __init__(self, scope, site, start, end):
        self.where = (
            {"line_id": scope["line"].pk} if "line" in scope else {"site_id": scope["site"].pk}
        )
        last = (end - datetime.timedelta(microseconds=1)).astimezone(site.zone).date()
        self.days = {"down_from": start.astimezone(site.zone).date(), "down_to": last}
        self.started = {"started_after": self.days["down_from"], "started_before": last}
        self.inspected = {"inspected_after": self.days["down_from"], "inspected_before": last}

    def downtime(self, **params):
        return _query("downtime:incident_list", **self.where, **self.days, **params)

    def late_pm(self, by, key):
        """The failures of a Pareto row that followed a late PM."""
        if key is None:
            return self.downtime(kind="unclassified", after_late_pm="true")
        field = {"reason": "reason_id", "equipment": "equipment_id", "category": "category_id"}
        return self.downtime(kind="losses", after_late_pm="true", **{field[by]: key})

    def pareto(self, by, key):
        if key is None:
            return self.downtime(kind="unclassified")
        field = {"reason": "reason_id", "equipment": "equipment_id", "category": "category_id"}
        return self.downtime(kind="losses", **{field[by]: key})

    def work_orders(self, **params):
        return _query("maintenance:workorder_list", **self.where, **params)

    def shifts(self, **params):
        return _query("shifts:shift_list", **self.where, **params)

    def shifts_of_period(self):
        """The shifts (with their counts) that began in the period's days."""
        return self.shifts(date_after=self.days["down_from"], date_before=self.days["down_to"])

    def inspections_between(self, first, last):
        where = {"line_id": self.where["line_id"]} if "line_id" in self.where else {}
        return _query(
            "quality:inspection_list", **where, inspected_after=first, inspected_before=last
        )

    def inspections(self, **params):
        where = {"line_id": self.where["line_id"]} if "line_id" in self.where else {}
        return _query("quality:inspection_list", **where, **self.inspected, **params)

    def losses_between(self, first, last):
        """The unplanned stops down during the local days [first, last]."""
        return _query(
            "downtime:incident_list", **self.where, kind="losses", down_from=first, down_to=last
        )

    def nonconformances(self, **params):
        return _query("quality:nonconformance_list", **self.where, **params)


def percent(value, digits=1) -> str:
    return local_percent(value, digits)


def minutes(value) -> str:
    return "—" if value is None else f"{local_number(value)} min"


def needs_attention(user, scope, links: Links) -> list[dict]:
    """What to act on now, with its count and its list (six queries)."""
    where = (
        {"equipment__line": scope["line"]}
        if "line" in scope
        else {"equipment__line__area__site": scope["site"]}
    )
    line_where = {"line": scope["line"]} if "line" in scope else {"line__area__site": scope["site"]}
    items = []
    if user.has_perm("downtime.view_downtimeincident"):
        incidents = DowntimeIncident.objects.for_user(user).current().filter(**where)
        items += [
            {
                "label": _t("Machines down now"),
                "count": incidents.filter(ended_at__isnull=True).count(),
                "url": _query("downtime:incident_list", **links.where, state="open"),
            },
            {
                "label": _t("Stops not classified"),
                "count": incidents.filter(reason__isnull=True).count(),
                "url": _query("downtime:incident_list", **links.where, kind="unclassified"),
            },
        ]
    if user.has_perm("maintenance.view_workorder"):
        orders = WorkOrder.objects.for_user(user).filter(kind="preventive", **where)
        items.append(
            {
                "label": _t("PM overdue"),
                "count": overdue(orders).count(),
                "url": links.work_orders(kind="preventive", overdue="true"),
            }
        )
    if user.has_perm("quality.view_nonconformance"):
        items.append(
            {
                "label": _t("Nonconformances open"),
                "count": Nonconformance.objects.for_user(user)
                .filter(**line_where)
                .exclude(status="closed")
                .count(),
                "url": links.nonconformances(still_open="true"),
            }
        )
    if user.has_perm("shifts.view_shift"):
        shifts = Shift.objects.for_user(user).filter(**line_where)
        items += [
            {
                "label": _t("Handovers not acknowledged"),
                "count": shifts.filter(
                    handover__isnull=False, handover__acknowledged_at__isnull=True
                ).count(),
                "url": links.shifts(unacknowledged="true"),
            },
            {
                "label": _t("Shifts waiting for sign-off"),
                "count": shifts.filter(signature__isnull=True, handover__isnull=False).count(),
                "url": links.shifts(status="handed_over"),
            },
        ]
    return items


def _explain(name, iso, formula, inputs, value, url="") -> dict:
    return {
        "name": name,
        "iso": iso,
        "formula": formula,
        "inputs": inputs,
        "value": value,
        "url": url,
    }


def oee_section(scope, start, end, now, links) -> dict:
    days = (end - start).total_seconds() / 86400
    group = "day" if days <= DAILY_UP_TO_DAYS else "week"
    figures = oee(start=start, end=end, group=group, now=now, **scope)
    by_shift = oee(start=start, end=end, group="shift", now=now, **scope)
    f = figures
    target = float(scope["line"].oee_target) / 100 if "line" in scope else None
    target_text = f"{float(scope['line'].oee_target):g} %" if "line" in scope else ""
    kpis = [
        _explain(
            _t("OEE"),
            _t("OEE index = availability × effectiveness × quality ratio"),
            "A × P × Q",
            f"{percent(f['availability'])} × {percent(f['performance'])} × {percent(f['quality'])}",
            f["oee"],
            links.shifts_of_period(),
        ),
        _explain(
            _t("Availability"),
            _t("Availability (A) = APT / PBT"),
            _t("actual production time / planned busy time"),
            f"{minutes(f['actual_production_minutes'])} / {minutes(f['planned_busy_minutes'])}",
            f["availability"],
            links.downtime(kind="losses"),
        ),
        _explain(
            _t("Performance"),
            _t("Effectiveness (E) = PRI × PQ / APT"),
            _t("ideal cycle time × produced quantity / actual production time"),
            _t("%(ideal)s of ideal time for %(produced)s made / %(run)s")
            % {
                "ideal": minutes(
                    None
                    if f["speed_loss_minutes"] is None
                    else f["actual_production_minutes"] - f["speed_loss_minutes"]
                ),
                "produced": local_number(f["produced"]),
                "run": minutes(f["actual_production_minutes"]),
            },
            f["performance"],
            links.shifts_of_period(),
        ),
        _explain(
            _t("Quality"),
            _t("Quality ratio (QR) = GQ / PQ"),
            _t("good quantity / produced quantity"),
            f"{local_number(f['good'])} / {local_number(f['produced'])}",
            f["quality"],
            links.shifts_of_period(),
        ),
        _explain(
            _t("TEEP"),
            _t("TEEP = OEE × PBT / calendar time"),
            _t("OEE × planned busy time / calendar time"),
            f"{percent(f['oee'])} × {minutes(f['planned_busy_minutes'])} / "
            f"{minutes(f['calendar_minutes'])}",
            f["teep"],
            links.shifts_of_period(),
        ),
    ]
    steps = [
        {"label": _t("Calendar"), "value": f["calendar_minutes"], "kind": "total"},
        {"label": _t("Not scheduled"), "value": f["not_scheduled_minutes"], "kind": "loss"},
        {
            "label": _t("Planned stops"),
            "value": f["planned_downtime_minutes"],
            "kind": "loss",
            "href": links.downtime(kind="planned"),
        },
        {"label": _t("Planned busy"), "value": f["planned_busy_minutes"], "kind": "total"},
    ]
    for category in f["unplanned_by_category"]:
        steps.append(
            {
                "label": category["label"] or _t("Unclassified"),
                "value": category["minutes"],
                "kind": "loss",
                "href": links.pareto("category", category["category"]),
            }
        )
    steps.append(
        {"label": _t("Run time"), "value": f["actual_production_minutes"], "kind": "total"}
    )
    if f["uncounted_run_minutes"] > 0.5:
        steps.append(
            {
                "label": _t("No counts"),
                "value": f["uncounted_run_minutes"],
                "kind": "loss",
                "href": links.shifts_of_period(),
            }
        )
    if f["speed_loss_minutes"] is not None:
        steps += [
            {"label": _t("Speed loss"), "value": f["speed_loss_minutes"], "kind": "loss"},
            {
                "label": _t("Quality loss"),
                "value": f["quality_loss_minutes"],
                "kind": "loss",
                "href": links.inspections(verdict="fail"),
            },
            {
                "label": _t("Fully productive"),
                "value": f["fully_productive_minutes"],
                "kind": "total",
            },
        ]
    for step in steps:
        step["tip"] = f"{step['label']}: {minutes(step['value'])}"
        # Times, counts and typed stops come from the shifts of the period.
        step.setdefault("href", links.shifts_of_period())
    waterfall = charts.waterfall(
        steps,
        title=_t("Loss waterfall"),
        description=_t("From calendar time to fully productive time, in minutes."),
    )
    trend_items = [
        {
            "label": row["label"],
            "value": None if row["oee"] is None else row["oee"] * 100,
            "tip": f"{row['label']}: OEE {percent(row['oee'])}",
            "href": _query(
                "reports:dashboard",
                scope=_scope_value(scope),
                period="custom",
                period_from=row["start"].astimezone(_zone(scope)).date(),
                period_to=(row["end"] - datetime.timedelta(microseconds=1))
                .astimezone(_zone(scope))
                .date(),
            ),
        }
        for row in figures.get("rows", [])
    ]
    trend = charts.bar_chart(
        trend_items,
        title=_t("OEE per day") if group == "day" else _t("OEE per week"),
        description=_t("OEE of each %(unit)s in percent, with the line's target.")
        % {"unit": _t("day") if group == "day" else _t("week")},
        y_title="%",
        y_max=100,
        fmt=lambda v: f"{v:.0f}",
        target=None if target is None else target * 100,
        target_label=_t("target %(t)s") % {"t": target_text} if target else "",
    )
    pattern_chart = charts.bar_chart(
        [
            {
                "label": row["label"],
                "value": None if row["oee"] is None else row["oee"] * 100,
                "tip": f"{row['label']}: OEE {percent(row['oee'])}",
                "href": links.shifts(
                    pattern_id=row["key"],
                    date_after=links.days["down_from"],
                    date_before=links.days["down_to"],
                ),
            }
            for row in by_shift.get("rows", [])
        ],
        title=_t("OEE per shift"),
        description=_t("OEE of each shift pattern in percent, with the line's target."),
        y_title="%",
        y_max=100,
        fmt=lambda v: f"{v:.0f}",
        target=None if target is None else target * 100,
        target_label=_t("target %(t)s") % {"t": target_text} if target else "",
    )
    patterns = [
        SimpleNamespace(
            label=row["label"],
            oee=row["oee"],
            availability=row["availability"],
            performance=row["performance"],
            quality=row["quality"],
            produced=row["produced"],
            unplanned_downtime_minutes=row["unplanned_downtime_minutes"],
        )
        for row in by_shift.get("rows", [])
    ]
    return {
        "figures": figures,
        "kpis": kpis,
        "waterfall": waterfall,
        "trend": trend,
        "group": group,
        "patterns": patterns,
        "pattern_chart": pattern_chart,
        "target": target,
        "target_text": target_text,
        "trend_rows": [SimpleNamespace(**row) for row in figures.get("rows", [])],
    }


def _zone(scope):
    return (scope.get("site") or scope["line"].area.site).zone


def _scope_value(scope):
    return f"line-{scope['line'].pk}" if "line" in scope else f"site-{scope['site'].pk}"


def downtime_section(scope, start, end, now, links, by) -> dict:
    rows = pareto(start=start, end=end, by=by, now=now, **scope)
    for row in rows:
        row["href"] = links.pareto(by, row["key"])
    shown = rows[:15]
    chart = charts.bar_chart(
        [
            {
                "label": row["short"],
                "value": row["minutes"],
                "tip": f"{row['label']}: {minutes(row['minutes'])}, {row['count']} ×",
                "href": row["href"],
            }
            for row in shown
        ],
        title=_t("Unplanned downtime %(by)s") % {"by": BY_LABELS[by]},
        description=_t("Minutes of unplanned downtime, largest first, with the cumulative share."),
        y_title="min",
        cumulative=True,
    )
    spread = acute_chronic(start=start, end=end, now=now, **scope)
    quadrant_names = {
        "chronic": _t("chronic"),
        "acute": _t("acute"),
        "both": _t("frequent and long"),
        "minor": _t("minor"),
    }
    scatter = charts.scatter_log(
        [
            {
                "x": point["count"],
                "y": point["mean_minutes"],
                "label": point["short"],
                "kind": point["quadrant"],
                "href": links.pareto("reason", point["key"]),
                "tip": f"{point['label']}: {point['count']} × {point['mean_minutes']:.1f} min "
                f"({quadrant_names[point['quadrant']]})",
            }
            for point in spread["points"]
        ],
        title=_t("Acute and chronic stops"),
        description=_t(
            "Each reason as a point: number of stops across, mean minutes up, both on log "
            "scales; frequent short stops are chronic, rare long ones acute."
        ),
        x_title=_t("stops (log)"),
        y_title=_t("mean min (log)"),
        x_split=spread["count_split"],
        y_split=spread["minutes_split"],
    )
    late_pm = failures_after_late_pm(start=start, end=end, now=now, **scope)
    # Each Pareto row says how many of its stops followed a late or missed PM.
    flagged: dict = {}
    for incident in late_pm:
        reason = incident.reason
        key = {
            "reason": incident.reason_id,
            "equipment": incident.equipment_id,
            "category": (reason.parent_id or reason.pk) if reason else None,
        }[by]
        flagged[key] = flagged.get(key, 0) + 1
    for row in rows:
        row["after_late_pm"] = flagged.get(row["key"], 0)
        row["late_pm_href"] = links.late_pm(by, row["key"])
    signals = signal_losses(start=start, end=end, now=now, **scope)
    for row in signals["rows"]:
        row["href"] = reverse("equipment:equipment_detail", args=[row["equipment_id"]])
    return {
        "signals": signals,
        "signal_rows": [SimpleNamespace(**row) for row in signals["rows"]],
        "by": by,
        "bys": [(key, label, key == by) for key, label in BY_LABELS.items()],
        "rows": [SimpleNamespace(**row) for row in rows[:TABLE_ROWS]],
        "more_rows": max(len(rows) - TABLE_ROWS, 0),
        "chart": chart,
        "scatter": scatter,
        "quadrants": spread["points"],
        "late_pm": late_pm,
        "total_minutes": sum(row["minutes"] for row in rows),
    }


def _last_day(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def reliability_section(scope, start, end, now, links) -> dict:
    rows = reliability_table(
        start=start, end=end, by="equipment", now=now, limit=TABLE_ROWS, **scope
    )
    month_start = start
    if (end - start).days < 180:
        month_start = (end - datetime.timedelta(days=180)).astimezone(_zone(scope))
        month_start = month_start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    monthly = reliability_table(start=month_start, end=end, by="month", now=now, **scope)
    mtbf = charts.bar_chart(
        [
            {
                "label": row["label"],
                "value": row["mtbf_hours"],
                "tip": ngettext(
                    "%(month)s: MTBF %(mtbf)s h, MTTR %(mttr)s h, %(count)s failure",
                    "%(month)s: MTBF %(mtbf)s h, MTTR %(mttr)s h, %(count)s failures",
                    row["failures"],
                )
                % {
                    "month": row["label"],
                    "mtbf": row["mtbf_hours"] or "—",
                    "mttr": row["mttr_hours"] or "—",
                    "count": row["failures"],
                },
                "href": links.losses_between(row["key"], _last_day(row["key"])),
            }
            for row in monthly
        ],
        title=_t("MTBF per month"),
        description=_t("Mean time between failures of each month, in hours."),
        y_title="h",
        fmt=lambda v: local_number(v, 1),
    )
    mttr = charts.bar_chart(
        [
            {
                "label": row["label"],
                "value": row["mttr_hours"],
                "tip": f"{row['label']}: MTTR {row['mttr_hours'] or '—'} h",
                "href": links.losses_between(row["key"], _last_day(row["key"])),
            }
            for row in monthly
        ],
        title=_t("MTTR per month"),
        description=_t("Mean time to repair of each month, in hours."),
        y_title="h",
        fmt=lambda v: f"{v:,.2f}",
    )
    return {
        "rows": [SimpleNamespace(**row) for row in rows],
        "monthly": [SimpleNamespace(**row) for row in monthly],
        "mtbf_chart": mtbf,
        "mttr_chart": mttr,
    }


def maintenance_section(scope, start, end, now, links) -> dict:
    month_start = start
    if (end - start).days < 180:
        month_start = (end - datetime.timedelta(days=180)).astimezone(_zone(scope))
        month_start = month_start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    compliance = pm_compliance(start=start, end=end, now=now, **scope)
    trend = pm_compliance(start=month_start, end=end, now=now, **scope)
    chart = charts.bar_chart(
        [
            {
                "label": row["label"],
                "value": None if row["compliance"] is None else row["compliance"] * 100,
                "tip": f"{row['label']}: {percent(row['compliance'])} "
                f"({row['on_time']} / {row['due'] - row['pending']})",
                "href": links.work_orders(
                    kind="preventive",
                    show="all",
                    due_after=row["month"],
                    due_before=_last_day(row["month"]),
                ),
            }
            for row in trend["rows"]
        ],
        title=_t("PM compliance per month"),
        description=_t("Preventive orders done inside their window, per month due, in percent."),
        y_title="%",
        y_max=100,
        fmt=lambda v: f"{v:.0f}",
    )
    mix = work_mix(start=start, end=end, now=now, **scope)
    return {
        "compliance": compliance,
        "chart": chart,
        "mix": mix,
        "exceptions": pm_exceptions(start=start, end=end, now=now, **scope),
        "explain": [
            _explain(
                _t("PM compliance"),
                _t("PM compliance = PM orders done in their window / PM orders due"),
                _t("on time / (due − not yet judged)"),
                f"{compliance['on_time']} / ({compliance['due']} − {compliance['pending']})",
                compliance["compliance"],
            ),
            _explain(
                _t("Corrective ratio"),
                _t("Corrective maintenance ratio = CMT / (CMT + PMT)"),
                _t("corrective work time / all maintenance work time"),
                f"{minutes(mix['corrective_minutes'])} / {minutes(mix['maintenance_minutes'])}",
                mix["corrective_ratio"],
            ),
        ],
        "overdue_url": links.work_orders(kind="preventive", overdue="true"),
    }


def quality_section(scope, start, end, now, links, group) -> dict:
    fpy = first_pass_yield(start=start, end=end, now=now, group=group, **scope)
    chart = charts.bar_chart(
        [
            {
                "label": row["label"],
                "value": None if row["first_pass_yield"] is None else row["first_pass_yield"] * 100,
                "tip": f"{row['label']}: {percent(row['first_pass_yield'])} "
                f"({row['first_pass']} / {row['inspections']})",
                "href": links.inspections_between(
                    row["key"], row["key"] + datetime.timedelta(days=6 if group == "week" else 0)
                ),
            }
            for row in fpy["rows"]
        ],
        title=_t("First-pass yield"),
        description=_t("Units passed at their first inspection, in percent."),
        y_title="%",
        y_max=100,
        fmt=lambda v: f"{v:.0f}",
    )
    defects = defect_pareto(start=start, end=end, now=now, **scope)
    defect_chart = charts.bar_chart(
        [
            {
                "label": row["label"],
                "value": row["count"],
                "tip": f"{row['label']}: {row['count']}",
                "href": links.inspections(verdict="fail"),
            }
            for row in defects[:15]
        ],
        title=_t("Defects"),
        description=_t("Failed checks by defect, largest first, with the cumulative share."),
        y_title=_t("count"),
        cumulative=True,
        whole=True,
    )
    capability = capability_table(start=start, end=end, now=now, **scope)
    for row in capability:
        row["spc_url"] = reverse("quality:characteristic_spc", args=[row["characteristic"]])
    return {
        "fpy": fpy,
        "chart": chart,
        "defects": [SimpleNamespace(**row) for row in defects],
        "defect_chart": defect_chart,
        "capability": [SimpleNamespace(**row) for row in capability],
        "explain": _explain(
            _t("First-pass yield"),
            _t("First pass yield (FPY) = good parts at first inspection / inspected parts"),
            _t("units passed at their first inspection / units inspected"),
            f"{fpy['first_pass']} / {fpy['inspections']}",
            fpy["first_pass_yield"],
        ),
        "inspections_url": links.inspections(),
    }
