from django.contrib import admin

from logbook.core.admin import ScopedAdmin
from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)
from logbook.equipment.services import meter_reading_record, meter_reading_update


@admin.register(Site)
class SiteAdmin(ScopedAdmin):
    list_display = ("code", "name", "timezone")
    list_filter = ("timezone",)
    search_fields = ("code", "name")


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ("name", "site")
    list_filter = ("site",)
    search_fields = ("name", "site__code", "site__name")
    autocomplete_fields = ("site",)
    list_select_related = ("site",)


@admin.register(Line)
class LineAdmin(ScopedAdmin):
    list_display = ("code", "name", "area", "site_code")
    list_filter = ("area__site", "area")
    search_fields = ("code", "name", "area__name")
    autocomplete_fields = ("area",)
    list_select_related = ("area__site",)

    @admin.display(description="Site", ordering="area__site__code")
    def site_code(self, obj):
        return obj.area.site.code


@admin.register(EquipmentClass)
class EquipmentClassAdmin(ScopedAdmin):
    list_display = ("name", "code", "min_stop_seconds", "heartbeat_seconds")
    search_fields = ("name", "code")


class MeterInline(admin.TabularInline):
    model = Meter
    extra = 0
    fields = ("name", "unit", "resets")


@admin.register(Equipment)
class EquipmentAdmin(ScopedAdmin):
    list_display = (
        "asset_tag",
        "name",
        "equipment_class",
        "line",
        "criticality",
        "status",
        "parent",
        "manufacturer",
        "model",
    )
    list_filter = ("status", "criticality", "equipment_class", "line__area__site", "line")
    search_fields = ("asset_tag", "name", "serial_number", "manufacturer", "model")
    autocomplete_fields = ("line", "parent", "equipment_class")
    list_select_related = ("line", "equipment_class", "parent")
    inlines = [MeterInline]


@admin.register(Meter)
class MeterAdmin(ScopedAdmin):
    list_display = ("equipment", "name", "unit", "resets")
    list_filter = ("resets", "equipment__line__area__site")
    search_fields = ("name", "equipment__asset_tag", "equipment__name")
    autocomplete_fields = ("equipment",)
    list_select_related = ("equipment",)


@admin.register(MeterReading)
class MeterReadingAdmin(ScopedAdmin):
    list_display = ("meter", "value", "taken_at", "taken_by")
    list_filter = ("meter__equipment__line__area__site",)
    search_fields = ("meter__name", "meter__equipment__asset_tag")
    autocomplete_fields = ("meter", "taken_by")
    list_select_related = ("meter__equipment", "taken_by")
    date_hierarchy = "taken_at"

    def get_changeform_initial_data(self, request):
        return {"taken_by": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        # Through the service, so the meter lock and the monotonic rule hold here too.
        fields = {name: getattr(obj, name) for name in ("meter", "value", "taken_at", "taken_by")}
        if change:
            meter_reading_update(reading=obj, **fields)
        else:
            obj.pk = meter_reading_record(**fields).pk
