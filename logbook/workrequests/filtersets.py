import django_filters
from django.utils.translation import gettext_lazy as _

from logbook.core.filtersets import SearchFilterSet, scoped
from logbook.equipment.models import Line, Site
from logbook.maintenance.choices import Priority
from logbook.workrequests.choices import RequestStatus
from logbook.workrequests.models import WorkRequest


class WorkRequestFilterSet(SearchFilterSet):
    search_fields = ("description", "equipment__asset_tag", "equipment__name")
    site_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line__area__site", queryset=scoped(Site), label=_("Site")
    )
    line_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line", queryset=scoped(Line), label=_("Line")
    )
    equipment_id = django_filters.NumberFilter(field_name="equipment", label=_("Equipment"))
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices, label=_("Status"))
    urgency = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Urgency"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Mine only"))

    class Meta:
        model = WorkRequest
        fields = ["q", "site_id", "line_id", "equipment_id", "status", "urgency", "mine"]

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(requested_by=self.request.user)
