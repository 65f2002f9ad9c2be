from django.contrib import admin

from logbook.core.admin import ScopedAdmin
from logbook.quality.models import (
    Characteristic,
    Inspection,
    InspectionPlan,
    Nonconformance,
    NonconformanceAmendment,
)


class CharacteristicInline(admin.TabularInline):
    model = Characteristic
    extra = 0
    fields = ("order", "name", "kind", "nominal", "lsl", "usl", "unit", "decimals", "defect_types")

    def has_change_permission(self, request, obj=None):
        return False  # a plan changes through its page or the API, where versions are kept

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ScopedAdmin):
    list_display = ("name", "product", "version", "is_current", "line")
    list_filter = ("is_current", "line")
    search_fields = ("name", "product")
    inlines = [CharacteristicInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin):
    list_display = ("plan", "batch", "verdict", "inspector", "inspected_at", "line")
    list_filter = ("verdict", "line")
    search_fields = ("batch", "sample", "plan__product")
    list_select_related = ("plan", "inspector", "line")
    date_hierarchy = "inspected_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a verdict is computed once and never edited

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Nonconformance)
class NonconformanceAdmin(ScopedAdmin):
    list_display = ("__str__", "severity", "status", "disposition", "line", "raised_at")
    list_filter = ("status", "severity", "disposition", "line")
    search_fields = ("title", "description", "batch")
    list_select_related = ("line",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # its life cycle runs on its page and through the API

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NonconformanceAmendment)
class NonconformanceAmendmentAdmin(ScopedAdmin):
    list_display = ("nonconformance", "text", "author", "created_at")
    search_fields = ("text", "reason")

    def has_add_permission(self, request):
        # Made on the record's page or through the API, where the service checks that the
        # record is signed and the author may amend it; here they are read.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
