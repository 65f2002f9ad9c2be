"""The dashboard's tables: sortable where it helps, each exportable to CSV and XLSX."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from logbook.core.numbers import local_number, local_percent
from logbook.core.tables import BaseTable


class Ratio(tables.Column):
    """A 0–1 ratio shown in percent; "no data" when it cannot be computed. Exports the ratio."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return local_percent(value)


class Number(tables.Column):
    def __init__(self, *args, digits=1, **kwargs):
        self.digits = digits
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return local_number(value, self.digits)


class ReportTable(BaseTable):
    class Meta(BaseTable.Meta):
        empty_text = _("No data in this period.")
        orderable = False


class ParetoTable(ReportTable):
    label = tables.Column(verbose_name=_("Cause"))
    minutes = Number(verbose_name=_("Minutes"), digits=0)
    count = Number(verbose_name=_("Stops"), digits=0)
    share = Ratio(verbose_name=_("Share"))
    cumulative_share = Ratio(verbose_name=_("Cumulative"))
    after_late_pm = Number(verbose_name=_("After a late PM"), digits=0)

    def render_label(self, value, record):
        return format_html('<a href="{}">{}</a>', record.href, value)

    def render_after_late_pm(self, value, record):
        if not value:
            return "0"
        return format_html('<a class="badge late" href="{}">{}</a>', record.late_pm_href, value)


class SignalLossTable(ReportTable):
    """What the machines' signals say beside the incidents: micro-stops (a speed loss) and the
    time each sent no signal."""

    asset_tag = tables.Column(verbose_name=_("Equipment"))
    name = tables.Column(verbose_name=_("Name"))
    micro_stops = Number(verbose_name=_("Micro-stops"), digits=0)
    micro_stop_minutes = Number(verbose_name=_("Micro-stop minutes"), digits=1)
    no_signal_minutes = Number(verbose_name=_("No signal (min)"), digits=0)

    def render_asset_tag(self, value, record):
        return format_html('<a href="{}">{}</a>', record.href, value)


class OeeTrendTable(ReportTable):
    label = tables.Column(verbose_name=_("Period"))
    availability = Ratio(verbose_name=_("Availability"))
    performance = Ratio(verbose_name=_("Performance"))
    quality = Ratio(verbose_name=_("Quality"))
    oee = Ratio(verbose_name=_("OEE"))
    produced = Number(verbose_name=_("Produced"), digits=0)
    unplanned_downtime_minutes = Number(verbose_name=_("Unplanned downtime (min)"), digits=0)


class ShiftPatternTable(OeeTrendTable):
    label = tables.Column(verbose_name=_("Shift"))


class ReliabilityTable(ReportTable):
    label = tables.Column(verbose_name=_("Equipment"))
    failures = Number(verbose_name=_("Failures"), digits=0)
    mtbf_hours = Number(verbose_name=_("MTBF (h)"))
    mttr_hours = Number(verbose_name=_("MTTR (h)"), digits=2)
    mttr_response_hours = Number(verbose_name=_("Response (h)"), digits=2)
    mttr_repair_hours = Number(verbose_name=_("Repair (h)"), digits=2)
    mttr_restart_hours = Number(verbose_name=_("Restart (h)"), digits=2)
    availability = Ratio(verbose_name=_("Availability"))
    unplanned_downtime_hours = Number(verbose_name=_("Unplanned downtime (h)"))

    class Meta(ReportTable.Meta):
        orderable = True
        order_by = ("-unplanned_downtime_hours",)

    def render_label(self, value, record):
        machine = record.equipment
        return format_html(
            '<a href="{}">{}</a><br><span class="small muted">{}</span>',
            machine.get_absolute_url(),
            machine.asset_tag,
            machine.name,
        )


class MonthlyReliabilityTable(ReportTable):
    label = tables.Column(verbose_name=_("Month"))
    failures = Number(verbose_name=_("Failures"), digits=0)
    mtbf_hours = Number(verbose_name=_("MTBF (h)"))
    mttr_hours = Number(verbose_name=_("MTTR (h)"), digits=2)
    availability = Ratio(verbose_name=_("Availability"))


class PmExceptionTable(ReportTable):
    number = tables.Column(verbose_name=_("Work order"), accessor="number")
    equipment = tables.Column(verbose_name=_("Equipment"))
    title = tables.Column(verbose_name=_("Task"))
    due_at = tables.DateColumn(verbose_name=_("Due"), format="Y-m-d")
    tolerance_days = Number(verbose_name=_("± days"), digits=0)
    completed_at = tables.DateColumn(verbose_name=_("Completed"), format="Y-m-d")
    verdict = tables.Column(verbose_name=_("Verdict"))

    def render_number(self, value, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_verdict(self, value):
        labels = {"late": _("late"), "missed": _("missed"), "early": _("early")}
        return labels.get(value, value)


class DefectTable(ReportTable):
    label = tables.Column(verbose_name=_("Defect"))
    count = Number(verbose_name=_("Count"), digits=0)
    cumulative_share = Ratio(verbose_name=_("Cumulative"))


class CapabilityTable(ReportTable):
    product = tables.Column(verbose_name=_("Product"))
    name = tables.Column(verbose_name=_("Characteristic"))
    n = Number(verbose_name=_("n"), digits=0)
    mean = Number(verbose_name=_("Mean"), digits=3)
    stdev_within = Number(verbose_name=_("σ within"), digits=4)
    stdev_overall = Number(verbose_name=_("σ overall"), digits=4)
    cp = Number(verbose_name=_("Cp"), digits=2)
    cpk = Number(verbose_name=_("Cpk"), digits=2)
    pp = Number(verbose_name=_("Pp"), digits=2)
    ppk = Number(verbose_name=_("Ppk"), digits=2)
    below_target = tables.BooleanColumn(verbose_name=_("Below target"))

    def render_name(self, value, record):
        return format_html('<a href="{}">{}</a>', record.spc_url, value)

    def render_below_target(self, value, record):
        if record.index is None:
            return format_html('<span class="muted">{}</span>', record.reason or "—")
        label = _("below %(target)s") if value else _("meets %(target)s")
        css = "badge bad" if value else "badge good"
        return format_html('<span class="{}">{}</span>', css, label % {"target": record.target})
