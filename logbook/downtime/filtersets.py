import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logbook.core.fields import validate_plant_date
from logbook.core.filtersets import SearchFilterSet, scoped
from logbook.downtime.choices import FailureCodeList, IncidentState, ReasonKind
from logbook.downtime.models import DowntimeIncident, FailureCode, ReasonCode
from logbook.equipment.models import Line, Site
from logbook.shifts.filtersets import date_filter


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of ``day`` in the active zone (the site's, on the pages)."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())


KINDS = [
    *ReasonKind.choices,
    ("unclassified", _("Unclassified")),
    ("losses", _("Unplanned or unclassified")),
]


class DowntimeFilterSet(SearchFilterSet):
    search_fields = ("symptom", "cause", "action_taken", "equipment__asset_tag", "equipment__name")
    site_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line__area__site", queryset=scoped(Site), label=_("Site")
    )
    line_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line", queryset=scoped(Line), label=_("Line")
    )
    asset_tag = django_filters.CharFilter(
        field_name="equipment__asset_tag", lookup_expr="iexact", label=_("Asset tag")
    )
    equipment_id = django_filters.NumberFilter(field_name="equipment", widget=forms.HiddenInput)
    reason_id = django_filters.ModelChoiceFilter(
        field_name="reason", queryset=ReasonCode.objects.select_related("parent"), label=_("Reason")
    )
    category_id = django_filters.NumberFilter(
        method="filter_category", widget=forms.HiddenInput, label=_("Category")
    )
    kind = django_filters.ChoiceFilter(choices=KINDS, method="filter_kind", label=_("Kind"))
    state = django_filters.ChoiceFilter(
        choices=IncidentState.choices, method="filter_state", label=_("State")
    )
    # The day the stop began, in the site's zone.
    started_after = date_filter("started_at__date", "gte", _("From"))
    started_before = date_filter("started_at__date", "lte", _("To"))
    after_late_pm = django_filters.BooleanFilter(
        method="filter_after_late_pm", label=_("After a late PM")
    )
    # Down at some moment of these local days (a report's period: stops that began before count).
    down_from = django_filters.DateFilter(
        method="filter_down_from",
        widget=forms.HiddenInput,
        label=_("Down from"),
        validators=[validate_plant_date],
    )
    down_to = django_filters.DateFilter(
        method="filter_down_to",
        widget=forms.HiddenInput,
        label=_("Down until"),
        validators=[validate_plant_date],
    )

    class Meta:
        model = DowntimeIncident
        fields = [
            "q",
            "site_id",
            "line_id",
            "asset_tag",
            "reason_id",
            "kind",
            "state",
            "started_after",
            "started_before",
            "equipment_id",
            "category_id",
            "down_from",
            "down_to",
            "after_late_pm",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The reason tree as groups (planned / unplanned › category), not 22 reasons in a row.
        from logbook.downtime.forms import grouped_reasons

        self.form.fields["reason_id"].widget.choices = grouped_reasons()

    def filter_category(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Q(reason__parent_id=value) | Q(reason_id=value))

    def filter_after_late_pm(self, queryset, name, value):
        """Failures whose machine had a PM overdue or done late in the interval before (the
        reports' rule, in the active zone's local days)."""
        if value is None:
            return queryset
        from logbook.reports.maintenance import after_late_pm_ids

        query, params = after_late_pm_ids(timezone.get_current_timezone_name())
        late = Q(pk__in=RawSQL(query, params))
        return queryset.filter(late if value else ~late)

    def filter_down_from(self, queryset, name, value):
        start = local_midnight(value)
        return queryset.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))

    def filter_down_to(self, queryset, name, value):
        return queryset.filter(started_at__lt=local_midnight(value + datetime.timedelta(days=1)))

    def filter_kind(self, queryset, name, value):
        if value == "unclassified":
            return queryset.filter(reason__isnull=True)
        if value == "losses":
            return queryset.filter(Q(reason__isnull=True) | Q(reason__kind=ReasonKind.UNPLANNED))
        return queryset.filter(reason__kind=value) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == IncidentState.OPEN:
            return queryset.filter(ended_at__isnull=True)
        if value == IncidentState.ENDED:
            return queryset.filter(ended_at__isnull=False, closed_at__isnull=True)
        if value == IncidentState.CLOSED:
            return queryset.filter(closed_at__isnull=False)
        return queryset


class ReasonCodeFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    kind = django_filters.ChoiceFilter(choices=ReasonKind.choices)

    class Meta:
        model = ReasonCode
        fields = ["q", "kind", "active", "parent"]


class FailureCodeFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    list = django_filters.ChoiceFilter(choices=FailureCodeList.choices)

    class Meta:
        model = FailureCode
        fields = ["q", "list", "active"]
