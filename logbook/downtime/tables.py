import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from logbook.core.tables import BaseTable
from logbook.downtime.choices import IncidentState, ReasonKind
from logbook.downtime.models import DowntimeIncident, incident_state
from logbook.shifts.clock import duration_minutes

WIDE = {"td": {"class": "wide"}, "th": {"class": "wide"}}


class StateColumn(tables.Column):
    export_fields = ("ended_at", "closed_at")

    def export_value(self, ended_at, closed_at):
        return IncidentState(incident_state(ended_at, closed_at)).label

    def render(self, record, value):
        return format_html(
            '<span class="badge incident-{}">{}</span>', record.state, record.get_state_display()
        )

    def value(self, record, value):
        return record.get_state_display()


class KindColumn(tables.Column):
    export_fields = ("reason_id", "reason__kind")

    def export_value(self, reason_id, kind):
        return _("Unclassified") if reason_id is None else ReasonKind(kind).label

    def render(self, record, value):
        if record.reason_id is None:
            return format_html('<span class="badge unclassified">{}</span>', _("Unclassified"))
        return record.reason.get_kind_display()

    def value(self, record, value):
        return (
            str(_("Unclassified")) if record.reason_id is None else record.reason.get_kind_display()
        )


class MinutesColumn(tables.Column):
    """Minutes down; for a machine still down, a counter that runs on the page."""

    export_fields = ("started_at", "ended_at")

    def export_value(self, started_at, ended_at):
        return None if ended_at is None else duration_minutes(started_at, ended_at)

    def render(self, record, value):
        if record.duration_minutes is None:
            return format_html(
                '<span class="running" data-since="{}">{}</span>',
                record.started_at.isoformat(),
                _("still down"),
            )
        return record.duration_minutes

    def value(self, record, value):
        return record.duration_minutes


class IncidentTable(BaseTable):
    card_fields = ("pick", "started_at", "equipment", "duration", "state")
    # Ticked stops go to the classify-at-once form below the table (its id: "classify").
    pick = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "input": {
                "name": "incident",
                "form": "classify",
                "aria-label": lambda record: (
                    _("Tick the stop of %(equipment)s at %(time)s")
                    % {
                        "equipment": record.equipment.asset_tag,
                        "time": date_format(
                            timezone.localtime(record.started_at), "SHORT_DATETIME_FORMAT"
                        ),
                    }
                ),
            },
            "th__input": {"data-check-all": "incident", "aria-label": _("Tick all")},
        },
        exclude_from_export=True,
        orderable=False,
    )
    started_at = tables.DateTimeColumn(linkify=True, verbose_name=_("Stopped"), short=True)
    equipment = tables.Column(
        accessor="equipment__asset_tag",
        verbose_name=_("Equipment"),
        attrs={"td": {"class": "nowrap"}},
    )
    line = tables.Column(accessor="equipment__line__code", verbose_name=_("Line"))
    reason = tables.Column(accessor="reason__name", verbose_name=_("Reason"))
    # "pk" accessors: never empty, so the column renders even for an unclassified, open stop.
    kind = KindColumn(accessor="pk", verbose_name=_("Kind"), orderable=False)
    ended_at = tables.DateTimeColumn(verbose_name=_("Running again"), short=True)
    duration = MinutesColumn(accessor="pk", verbose_name=_("Minutes"), orderable=False)
    state = StateColumn(accessor="pk", verbose_name=_("State"), orderable=False)
    symptom = tables.Column(attrs=WIDE)
    cause = tables.Column(attrs=WIDE)

    def render_equipment(self, record, value):
        # A machine with a lock on says so wherever its stops are listed.
        if getattr(record, "locked_out", False):
            return format_html(
                '{} <span class="badge status-down">{}</span>', value, _("Locked out")
            )
        return value

    class Meta(BaseTable.Meta):
        model = DowntimeIncident
        fields = (
            "pick",
            "started_at",
            "equipment",
            "line",
            "reason",
            "kind",
            "ended_at",
            "duration",
            "state",
            "symptom",
            "cause",
        )
