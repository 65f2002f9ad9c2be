import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from logbook.core.tables import BaseTable, PersonColumn
from logbook.shifts import clock
from logbook.shifts.choices import ShiftStatus
from logbook.shifts.models import Shift, ShiftPattern


class ShiftStatusColumn(tables.Column):
    def render(self, record, value):
        return format_html(
            '<span class="badge shift-{}">{}</span>', record.status, record.get_status_display()
        )

    export_fields = ("status_value",)

    def value(self, record, value):
        return record.get_status_display()

    def export_value(self, status_value):
        return ShiftStatus(status_value).label


class MinutesColumn(tables.Column):
    """The shift's length in minutes (its own clock: 450 on a night the clocks go back)."""

    export_fields = ("starts_at", "ends_at")

    def export_value(self, starts_at, ends_at):
        return clock.duration_minutes(starts_at, ends_at)

    def value(self, record, value):
        return value


class ShiftTable(BaseTable):
    card_fields = ("date", "pattern", "line", "status")
    date = tables.DateColumn(linkify=True, short=True, verbose_name=_("Date"))
    pattern = tables.Column(accessor="pattern__name", verbose_name=_("Shift"))
    line = tables.Column(accessor="line__code", verbose_name=_("Line"))
    site = tables.Column(accessor="line__area__site__code", verbose_name=_("Site"))
    starts_at = tables.DateTimeColumn(verbose_name=_("Starts"), short=True)
    ends_at = tables.DateTimeColumn(verbose_name=_("Ends"), short=True)
    duration = MinutesColumn(
        accessor="duration_minutes", verbose_name=_("Minutes"), orderable=False
    )
    lead = PersonColumn(
        "lead", verbose_name=_("Lead"), order_by=("lead__first_name", "lead__last_name")
    )
    status = ShiftStatusColumn(accessor="status_value", verbose_name=_("Status"))
    signed_by = tables.Column(
        accessor="signature__signer_name",
        verbose_name=_("Signed by"),
        attrs={"td": {"class": "wide"}, "th": {"class": "wide"}},
    )

    class Meta(BaseTable.Meta):
        model = Shift
        fields = (
            "date",
            "pattern",
            "line",
            "site",
            "starts_at",
            "ends_at",
            "duration",
            "lead",
            "status",
            "signed_by",
        )
        order_by = ("-date",)


class ShiftPatternTable(BaseTable):
    name = tables.Column(linkify=True)
    site = tables.Column(accessor="site__code", verbose_name=_("Site"))
    start_time = tables.TimeColumn(format="H:i")
    end_time = tables.TimeColumn(format="H:i")
    active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = ShiftPattern
        fields = ("name", "site", "start_time", "end_time", "active")
