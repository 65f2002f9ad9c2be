from django.contrib import admin

from logbook.core.admin import ReadOnly, ScopedAdmin
from logbook.maintenance import services
from logbook.maintenance.models import (
    ChecklistItem,
    IsolationPoint,
    MaintenanceSchedule,
    SparePart,
    WorkOrder,
    WorkOrderAmendment,
)


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ("order", "text", "kind", "unit", "lower_limit", "upper_limit")


@admin.register(MaintenanceSchedule)
class ScheduleAdmin(ScopedAdmin):
    list_display = (
        "title",
        "equipment",
        "interval",
        "interval_unit",
        "anchor",
        "next_due",
        "lockout_required",
        "active",
    )
    list_filter = (
        "interval_unit",
        "anchor",
        "active",
        "lockout_required",
        "equipment__line__area__site",
    )
    search_fields = ("title", "equipment__asset_tag", "equipment__name")
    autocomplete_fields = ("equipment", "meter", "required_class")
    list_select_related = ("equipment",)
    readonly_fields = ("next_due", "last_done_on", "last_done_value")
    inlines = [ChecklistItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.schedule_recompute(schedule=form.instance)


@admin.register(SparePart)
class SparePartAdmin(ScopedAdmin):
    list_display = ("part_number", "description", "unit", "stock", "reorder_point", "location")
    search_fields = ("part_number", "description", "location")


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnly, ScopedAdmin):
    """Work orders are read here; their life cycle runs on their page and through the API,
    where the status rules, the certification gate and the stock rules are checked."""

    list_display = (
        "__str__",
        "kind",
        "equipment",
        "status",
        "priority",
        "due_at",
        "assigned_to",
        "completed_at",
    )
    list_filter = ("kind", "status", "priority", "equipment__line__area__site")
    search_fields = ("title", "description", "equipment__asset_tag", "external_ref")
    list_select_related = ("equipment", "assigned_to")
    date_hierarchy = "due_at"


@admin.register(IsolationPoint)
class IsolationPointAdmin(ReadOnly, ScopedAdmin):
    """Locks are put on and taken off on the work order's page and through the API, where a
    lock is on one machine at a time and the last removal needs the start-up check."""

    list_display = (
        "lock_number",
        "tag_number",
        "source",
        "work_order",
        "applied_by",
        "applied_at",
        "removed_by",
        "removed_at",
    )
    list_filter = ("work_order__equipment__line__area__site",)
    search_fields = ("lock_number", "tag_number", "source", "work_order__equipment__asset_tag")
    list_select_related = ("work_order", "applied_by", "removed_by")
    date_hierarchy = "applied_at"


@admin.register(WorkOrderAmendment)
class WorkOrderAmendmentAdmin(ReadOnly, ScopedAdmin):
    """Made where the service checks the order is verified and the author may amend it."""

    list_display = ("work_order", "text", "author", "created_at")
    search_fields = ("text", "reason")
