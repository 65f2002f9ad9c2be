import django_filters
from django.utils.translation import gettext_lazy as _

from logbook.core.filtersets import FilterSet, PlantDateTimeFilter, scoped
from logbook.equipment.models import Line, Site
from logbook.telemetry.models import MicroStop, SilentPeriod


class _MachineFilterSet(FilterSet):
    site_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line__area__site", queryset=scoped(Site), label=_("Site")
    )
    line_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line", queryset=scoped(Line), label=_("Line")
    )
    equipment_id = django_filters.NumberFilter(field_name="equipment", label=_("Equipment"))


class MicroStopFilterSet(_MachineFilterSet):
    since = PlantDateTimeFilter(field_name="started_at", lookup_expr="gte", label=_("From"))
    until = PlantDateTimeFilter(field_name="started_at", lookup_expr="lt", label=_("Until"))

    class Meta:
        model = MicroStop
        fields = ["site_id", "line_id", "equipment_id", "since", "until"]


class SilentPeriodFilterSet(MicroStopFilterSet):
    class Meta(MicroStopFilterSet.Meta):
        model = SilentPeriod
