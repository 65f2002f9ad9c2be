import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logbook.core.filtersets import FilterSet, PlantDateTimeFilter, SearchFilterSet, scoped
from logbook.equipment.choices import Criticality, EquipmentStatus
from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)


class SiteFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "timezone")

    class Meta:
        model = Site
        fields = ["q"]


class AreaFilterSet(SearchFilterSet):
    search_fields = ("name",)
    site_id = django_filters.ModelChoiceFilter(
        field_name="site", queryset=scoped(Site), label=_("Site")
    )

    class Meta:
        model = Area
        fields = ["q", "site_id"]


class LineFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    site_id = django_filters.ModelChoiceFilter(
        field_name="area__site", queryset=scoped(Site), label=_("Site")
    )
    area_id = django_filters.ModelChoiceFilter(
        field_name="area", queryset=scoped(Area, "site"), label=_("Area")
    )

    class Meta:
        model = Line
        fields = ["q", "site_id", "area_id"]


class EquipmentClassFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "description")

    class Meta:
        model = EquipmentClass
        fields = ["q"]


class EquipmentFilterSet(SearchFilterSet):
    search_fields = ("asset_tag", "name", "serial_number", "manufacturer", "model")
    site_id = django_filters.ModelChoiceFilter(
        field_name="line__area__site", queryset=scoped(Site), label=_("Site")
    )
    area_id = django_filters.ModelChoiceFilter(
        field_name="line__area", queryset=scoped(Area, "site"), label=_("Area")
    )
    line_id = django_filters.ModelChoiceFilter(
        field_name="line", queryset=scoped(Line), label=_("Line")
    )
    equipment_class_id = django_filters.ModelChoiceFilter(
        field_name="equipment_class", queryset=EquipmentClass.objects.all(), label=_("Class")
    )
    criticality = django_filters.ChoiceFilter(choices=Criticality.choices, label=_("Criticality"))
    status = django_filters.ChoiceFilter(
        choices=EquipmentStatus.choices, method="filter_status", label=_("Status")
    )

    class Meta:
        model = Equipment
        fields = [
            "q",
            "site_id",
            "area_id",
            "line_id",
            "equipment_class_id",
            "criticality",
            "status",
        ]

    def filter_status(self, queryset, name, value):
        # The status people see: down while an open incident stops it (see downtime.selectors).
        if not value:
            return queryset
        if "effective_status" in queryset.query.annotations:
            # Spelled out rather than compared with the CASE, which every machine must compute:
            # down is down now or recorded down; any other status is recorded and not down now.
            from logbook.downtime.selectors import down_now

            if value == EquipmentStatus.DOWN:
                return queryset.filter(down_now() | Q(status=value))
            return queryset.filter(Q(status=value) & ~down_now())
        return queryset.filter(status=value)


class MeterFilterSet(SearchFilterSet):
    search_fields = ("name", "unit", "equipment__asset_tag", "equipment__name")
    site_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line__area__site", queryset=scoped(Site), label=_("Site")
    )
    line_id = django_filters.ModelChoiceFilter(
        field_name="equipment__line", queryset=scoped(Line), label=_("Line")
    )
    equipment_id = django_filters.NumberFilter(field_name="equipment", label=_("Equipment id"))
    equipment_tag = django_filters.CharFilter(
        field_name="equipment__asset_tag", lookup_expr="iexact", label=_("Asset tag")
    )

    class Meta:
        model = Meter
        fields = ["q", "site_id", "line_id", "equipment_id", "equipment_tag", "resets"]


class MeterReadingFilterSet(FilterSet):
    meter_id = django_filters.NumberFilter(field_name="meter", label=_("Meter id"))
    equipment_id = django_filters.NumberFilter(
        field_name="meter__equipment", label=_("Equipment id")
    )
    taken_after = PlantDateTimeFilter(
        field_name="taken_at", lookup_expr="gte", label=_("Taken at or after")
    )
    taken_before = PlantDateTimeFilter(
        field_name="taken_at", lookup_expr="lt", label=_("Taken before")
    )
    taken_by_id = django_filters.NumberFilter(field_name="taken_by", label=_("Taken by (id)"))

    class Meta:
        model = MeterReading
        fields = ["meter_id", "equipment_id", "taken_after", "taken_before", "taken_by_id"]
