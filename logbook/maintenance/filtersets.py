import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from logbook.accounts.models import Certification
from logbook.core.filtersets import FilterSet, SearchFilterSet, scoped
from logbook.equipment.models import EquipmentClass, Line, Site
from logbook.maintenance import selectors
from logbook.maintenance.choices import (
    ACTIVE_STATUSES,
    OPEN_WORK,
    IntervalUnit,
    WorkOrderKind,
    WorkOrderStatus,
)
from logbook.maintenance.models import IsolationPoint, MaintenanceSchedule, SparePart, WorkOrder
from logbook.maintenance.selectors import overdue
from logbook.shifts.filtersets import date_filter, people


class ScheduleFilterSet(SearchFilterSet):
    search_fields = ("title", "equipment__asset_tag", "equipment__name")
    site_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line__area__site", queryset=scoped(Site), label=_("Site")
    )
    line_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line", queryset=scoped(Line), label=_("Line")
    )
    equipment_id = django_filters.NumberFilter(field_name="equipment", widget=forms.HiddenInput)
    interval_unit = django_filters.ChoiceFilter(choices=IntervalUnit.choices, label=_("Unit"))
    due_before = date_filter("next_due", "lte", _("Due by"))

    class Meta:
        model = MaintenanceSchedule
        fields = [
            "q",
            "site_id",
            "line_id",
            "interval_unit",
            "active",
            "due_before",
            "equipment_id",
        ]


class WorkOrderFilterSet(SearchFilterSet):
    search_fields = ("title", "description", "findings", "equipment__asset_tag", "equipment__name")
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
    kind = django_filters.ChoiceFilter(choices=WorkOrderKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=WorkOrderStatus.choices, label=_("Status"))
    show = django_filters.ChoiceFilter(
        choices=[("open", _("Open work")), ("todo", _("Still to do")), ("all", _("Everything"))],
        empty_label=None,
        method="filter_show",
        help_text=_(
            "Open work: to do, in progress, to verify. Still to do: not done yet. "
            "Everything: with the history."
        ),
        label=_("Show"),
    )
    assigned_to_id = django_filters.ModelChoiceFilter(
        field_name="assigned_to", queryset=people, label=_("Assigned to")
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("My work"))
    due_after = date_filter("due_at__date", "gte", _("Due from"))
    due_before = date_filter("due_at__date", "lte", _("Due to"))
    schedule_id = django_filters.NumberFilter(field_name="schedule", widget=forms.HiddenInput)
    downtime_incident_id = django_filters.NumberFilter(
        field_name="downtime_incident", widget=forms.HiddenInput
    )

    class Meta:
        model = WorkOrder
        fields = [
            "q",
            "site_id",
            "line_id",
            "asset_tag",
            "kind",
            "status",
            "show",
            "assigned_to_id",
            "overdue",
            "mine",
            "due_after",
            "due_before",
            "equipment_id",
            "schedule_id",
            "downtime_incident_id",
        ]

    def filter_show(self, queryset, name, value):
        # A status asked for by name wins: "?status=verified" lists the verified ones.
        statuses = {"open": OPEN_WORK, "todo": ACTIVE_STATUSES}.get(value)
        if statuses is None or self.form.cleaned_data.get("status"):
            return queryset
        return queryset.in_statuses(statuses)

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        # Still to do and theirs, as on "My work" (which links here for the whole list).
        condition = selectors.mine(self.request.user)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        # Past the due day and its tolerance, still to do. Days counted in UTC here: a list
        # filter, not a KPI; the page marks each row in its own site's day.
        late = overdue(queryset)
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class SparePartFilterSet(SearchFilterSet):
    search_fields = ("part_number", "description", "location")
    to_reorder = django_filters.BooleanFilter(method="filter_reorder", label=_("To reorder"))

    class Meta:
        model = SparePart
        fields = ["q", "to_reorder"]

    def filter_reorder(self, queryset, name, value):
        if value is None:
            return queryset
        low = queryset.filter(stock__lte=F("reorder_point"))
        return low if value else queryset.exclude(stock__lte=F("reorder_point"))


class CertificationFilterSet(FilterSet):
    user_id = django_filters.ModelChoiceFilter(
        field_name="user", queryset=people, label=_("Person")
    )
    equipment_class_id = django_filters.ModelChoiceFilter(
        field_name="equipment_class", queryset=EquipmentClass.objects.all(), label=_("Class")
    )
    expires_before = date_filter("expires_on", "lte", _("Expires by"))

    class Meta:
        model = Certification
        fields = ["user_id", "equipment_class_id", "expires_before"]


class LockoutFilterSet(FilterSet):
    """The site's locks by site, line or machine."""

    site_id = django_filters.ModelChoiceFilter(
        field_name="work_order__equipment__line__area__site", queryset=scoped(Site), label=_("Site")
    )
    line_id = django_filters.ModelChoiceFilter(
        field_name="work_order__equipment__line", queryset=scoped(Line), label=_("Line")
    )
    equipment_id = django_filters.NumberFilter(
        field_name="work_order__equipment", widget=forms.HiddenInput
    )

    class Meta:
        model = IsolationPoint
        fields = ["site_id", "line_id", "equipment_id"]


class IsolationPointFilterSet(LockoutFilterSet):
    """The API's: all locks, or the ones on right now (``active``)."""

    active = django_filters.BooleanFilter(
        field_name="removed_at", lookup_expr="isnull", label=_("On right now")
    )

    class Meta(LockoutFilterSet.Meta):
        fields = ["active", *LockoutFilterSet.Meta.fields]
