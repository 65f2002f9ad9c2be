import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logbook.accounts.models import User
from logbook.core.filtersets import FilterSet, SearchFilterSet, scoped
from logbook.equipment.models import Line, Site
from logbook.shifts.choices import EntryCategory, ShiftStatus
from logbook.shifts.models import (
    HandoverAnswer,
    HandoverItem,
    LogEntry,
    OpenItem,
    ProductionRecord,
    Shift,
    ShiftPattern,
)


def people(request):
    if request is None:
        return User.objects.none()
    return User.objects.for_user(request.user).order_by("first_name", "last_name")


def date_filter(field_name, lookup, label):
    """A native date picker filter on plain dates.

    Not django-filter's DateFromToRangeFilter: it turns days into UTC datetimes, which moves a
    local date to the day before east of Greenwich.
    """
    return django_filters.DateFilter(
        field_name=field_name,
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ShiftPatternFilterSet(SearchFilterSet):
    search_fields = ("name",)
    site_id = django_filters.ModelChoiceFilter(
        field_name="site", queryset=scoped(Site), label=_("Site")
    )

    class Meta:
        model = ShiftPattern
        fields = ["q", "site_id", "active"]


class ShiftFilterSet(FilterSet):
    site_id = django_filters.ModelChoiceFilter(
        field_name="line__area__site", queryset=scoped(Site), label=_("Site")
    )
    line_id = django_filters.ModelChoiceFilter(
        field_name="line", queryset=scoped(Line), label=_("Line")
    )
    date_after = date_filter("date", "gte", _("From"))
    date_before = date_filter("date", "lte", _("To"))
    status = django_filters.ChoiceFilter(
        choices=ShiftStatus.choices, method="filter_status", label=_("Status")
    )
    lead_id = django_filters.ModelChoiceFilter(field_name="lead", queryset=people, label=_("Lead"))
    unacknowledged = django_filters.BooleanFilter(
        method="filter_unacknowledged",
        widget=forms.HiddenInput,
        label=_("Handover not acknowledged"),
    )
    # The reports' per-pattern chart links here (?pattern_id=N): a choice by name, not an id.
    pattern_id = django_filters.ModelChoiceFilter(
        field_name="pattern", queryset=scoped(ShiftPattern), label=_("Shift pattern")
    )

    class Meta:
        model = Shift
        fields = [
            "site_id",
            "line_id",
            "date_after",
            "date_before",
            "status",
            "lead_id",
            "unacknowledged",
        ]

    def filter_unacknowledged(self, queryset, name, value):
        if value is None:
            return queryset
        waiting = Q(handover__isnull=False, handover__acknowledged_at__isnull=True)
        return queryset.filter(waiting if value else ~waiting)

    def filter_status(self, queryset, name, value):
        if not value:
            return queryset
        if value == ShiftStatus.SIGNED:
            return queryset.filter(signature__isnull=False)
        if value == ShiftStatus.HANDED_OVER:
            return queryset.filter(signature__isnull=True, handover__isnull=False)
        return queryset.filter(signature__isnull=True, handover__isnull=True)


class LogEntryFilterSet(SearchFilterSet):
    search_fields = ("text", "equipment__asset_tag", "equipment__name")
    shift_id = django_filters.NumberFilter(field_name="shift", label=_("Shift id"))
    line_id = django_filters.ModelChoiceFilter(
        field_name="shift__line", queryset=scoped(Line), label=_("Line")
    )
    equipment_id = django_filters.NumberFilter(field_name="equipment", label=_("Equipment id"))
    category = django_filters.ChoiceFilter(choices=EntryCategory.choices, label=_("Category"))
    author_id = django_filters.ModelChoiceFilter(
        field_name="author", queryset=people, label=_("Author")
    )
    # __date is taken in the active zone: the site's local day.
    occurred_after = date_filter("occurred_at__date", "gte", _("From"))
    occurred_before = date_filter("occurred_at__date", "lte", _("To"))

    class Meta:
        model = LogEntry
        fields = [
            "q",
            "line_id",
            "category",
            "author_id",
            "occurred_after",
            "occurred_before",
            "shift_id",
            "equipment_id",
        ]


class ProductionRecordFilterSet(SearchFilterSet):
    search_fields = ("product",)
    shift_id = django_filters.NumberFilter(field_name="shift", label=_("Shift id"))
    line_id = django_filters.ModelChoiceFilter(
        field_name="shift__line", queryset=scoped(Line), label=_("Line")
    )

    class Meta:
        model = ProductionRecord
        fields = ["q", "shift_id", "line_id"]


class OpenItemFilterSet(SearchFilterSet):
    search_fields = ("text",)
    line_id = django_filters.ModelChoiceFilter(
        field_name="line", queryset=scoped(Line), label=_("Line")
    )
    is_open = django_filters.BooleanFilter(
        field_name="closed_at", lookup_expr="isnull", label=_("Still open")
    )

    class Meta:
        model = OpenItem
        fields = ["q", "line_id", "is_open"]


class HandoverItemFilterSet(FilterSet):
    shift_id = django_filters.NumberFilter(field_name="handover__shift", label=_("Shift id"))
    line_id = django_filters.ModelChoiceFilter(
        field_name="handover__shift__line", queryset=scoped(Line), label=_("Line")
    )
    answer = django_filters.ChoiceFilter(
        choices=[("pending", _("Not answered")), *HandoverAnswer.choices],
        method="filter_answer",
        label=_("Answer"),
    )

    class Meta:
        model = HandoverItem
        fields = ["shift_id", "line_id", "answer"]

    def filter_answer(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(answer="" if value == "pending" else value)
