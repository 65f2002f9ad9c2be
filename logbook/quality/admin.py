from django.contrib import admin

from logbook.core.admin import ReadOnly, ScopedAdmin
from logbook.quality.models import (
    Characteristic,
    Inspection,
    InspectionPlan,
    Nonconformance,
    NonconformanceAmendment,
)


class CharacteristicInline(ReadOnly, admin.TabularInline):
    """A plan changes on its page or through the API, where versions are kept."""

    model = Characteristic
    extra = 0
    fields = ("order", "name", "kind", "nominal", "lsl", "usl", "unit", "decimals", "defect_types")


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ScopedAdmin):
    list_display = ("name", "product", "version", "is_current", "line")
    list_filter = ("is_current", "line")
    search_fields = ("name", "product")
    inlines = [CharacteristicInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(ReadOnly, ScopedAdmin):
    """A verdict is computed once, when the inspection is recorded, and never edited."""

    list_display = ("plan", "batch", "verdict", "inspector", "inspected_at", "line")
    list_filter = ("verdict", "line")
    search_fields = ("batch", "sample", "plan__product")
    list_select_related = ("plan", "inspector", "line")
    date_hierarchy = "inspected_at"


@admin.register(Nonconformance)
class NonconformanceAdmin(ReadOnly, ScopedAdmin):
    """Its life cycle (disposition, close, amend) runs on its page and through the API."""

    list_display = ("__str__", "severity", "status", "disposition", "line", "raised_at")
    list_filter = ("status", "severity", "disposition", "line")
    search_fields = ("title", "description", "batch")
    list_select_related = ("line",)


@admin.register(NonconformanceAmendment)
class NonconformanceAmendmentAdmin(ReadOnly, ScopedAdmin):
    """Made where the service checks the record is closed and the author may amend it."""

    list_display = ("nonconformance", "text", "author", "created_at")
    search_fields = ("text", "reason")
