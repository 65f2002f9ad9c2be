import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logbook.core.filtersets import SearchFilterSet, scoped
from logbook.equipment.models import Line, Site
from logbook.quality.choices import NCStatus, Severity, Verdict
from logbook.quality.models import Inspection, InspectionPlan, Nonconformance
from logbook.shifts.filtersets import date_filter, people


class InspectionPlanFilterSet(SearchFilterSet):
    search_fields = ("name", "product")
    line_id = django_filters.ModelChoiceFilter(
        field_name="line", queryset=scoped(Line), label=_("Line")
    )
    is_current = django_filters.BooleanFilter(label=_("Current versions only"))

    class Meta:
        model = InspectionPlan
        fields = ["q", "line_id", "is_current"]


class InspectionFilterSet(SearchFilterSet):
    search_fields = ("batch", "sample", "plan__product", "plan__name")
    line_id = django_filters.ModelChoiceFilter(
        field_name="line", queryset=scoped(Line), label=_("Line")
    )
    plan_id = django_filters.ModelChoiceFilter(
        field_name="plan", queryset=scoped(InspectionPlan), label=_("Plan (version)")
    )
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label=_("Verdict"))
    inspector_id = django_filters.ModelChoiceFilter(
        field_name="inspector", queryset=people, label=_("Inspector")
    )
    batch = django_filters.CharFilter(lookup_expr="iexact", label=_("Batch"))
    inspected_after = date_filter("inspected_at__date", "gte", _("From"))
    inspected_before = date_filter("inspected_at__date", "lte", _("To"))
    shift_id = django_filters.NumberFilter(field_name="shift", label=_("Shift id"))

    class Meta:
        model = Inspection
        fields = [
            "q",
            "line_id",
            "plan_id",
            "verdict",
            "inspector_id",
            "batch",
            "inspected_after",
            "inspected_before",
            "shift_id",
        ]


class NonconformanceFilterSet(SearchFilterSet):
    search_fields = ("title", "description", "batch")
    line_id = django_filters.ModelChoiceFilter(
        field_name="line", queryset=scoped(Line), label=_("Line")
    )
    status = django_filters.ChoiceFilter(choices=NCStatus.choices, label=_("Status"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    site_id = django_filters.ModelChoiceFilter(
        field_name="line__area__site", queryset=scoped(Site), label=_("Site")
    )
    still_open = django_filters.BooleanFilter(method="filter_still_open", label=_("Not closed"))

    class Meta:
        model = Nonconformance
        fields = ["q", "site_id", "line_id", "status", "severity", "still_open"]

    def filter_still_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = Q(status=NCStatus.CLOSED)
        return queryset.filter(~closed if value else closed)
