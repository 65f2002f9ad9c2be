"""Shift records in the admin. Signed shifts' records are read-only here too (ScopedAdmin asks
each record's ``is_locked``), and every write goes through the same services as the pages and
the API."""

from django.contrib import admin

from logbook.core.admin import ReadOnly, ScopedAdmin
from logbook.shifts import services
from logbook.shifts.models import (
    Handover,
    HandoverItem,
    LogEntry,
    OpenItem,
    ProductionRecord,
    Shift,
    ShiftPattern,
)


@admin.register(ShiftPattern)
class ShiftPatternAdmin(ScopedAdmin):
    list_display = ("name", "site", "start_time", "end_time", "active")
    list_filter = ("site", "active")
    search_fields = ("name", "site__code")
    autocomplete_fields = ("site",)


class LogEntryInline(admin.TabularInline):
    model = LogEntry
    fields = ("occurred_at", "category", "author", "equipment", "text", "amends")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shift)
class ShiftAdmin(ScopedAdmin):
    list_display = (
        "__str__",
        "line",
        "pattern",
        "date",
        "starts_at",
        "ends_at",
        "lead",
        "signature",
    )
    list_filter = ("line__area__site", "line", "pattern", "date")
    search_fields = ("line__code", "pattern__name", "lead__username", "lead__last_name")
    autocomplete_fields = ("line", "pattern", "lead")
    list_select_related = ("line", "pattern", "lead", "signature")
    readonly_fields = ("starts_at", "ends_at", "started_by", "signature")
    date_hierarchy = "date"
    inlines = [LogEntryInline]

    def get_readonly_fields(self, request, obj=None):
        # The slot of a started shift is its identity; only its lead may change.
        if obj is not None:
            return (*self.readonly_fields, "line", "pattern", "date")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            services.shift_update(shift=obj, user=request.user, lead=obj.lead)
        else:
            started = services.shift_start(
                line=obj.line, pattern=obj.pattern, date=obj.date, user=request.user, lead=obj.lead
            )
            obj.pk = started.pk

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # the inline is read-only


@admin.register(LogEntry)
class LogEntryAdmin(ScopedAdmin):
    list_display = (
        "occurred_at",
        "shift",
        "category",
        "author",
        "equipment",
        "short_text",
        "amends",
    )
    list_filter = ("category", "shift__line__area__site", "shift__line")
    search_fields = ("text", "equipment__asset_tag", "author__username")
    autocomplete_fields = ("shift", "author", "equipment", "amends")
    list_select_related = ("shift__line", "shift__pattern", "author", "equipment", "amends")
    date_hierarchy = "occurred_at"

    @admin.display(description="text")
    def short_text(self, obj):
        return obj.text[:80]

    def save_model(self, request, obj, form, change):
        fields = {
            name: getattr(obj, name) for name in ("text", "category", "occurred_at", "equipment")
        }
        if change:
            services.log_entry_update(entry=obj, user=request.user, **fields)
        else:
            saved = services.log_entry_add(
                shift=obj.shift,
                user=request.user,
                amends=obj.amends,
                amend_reason=obj.amend_reason,
                **fields,
            )
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.log_entry_delete(entry=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            services.log_entry_delete(entry=entry, user=request.user)


@admin.register(ProductionRecord)
class ProductionRecordAdmin(ScopedAdmin):
    list_display = (
        "shift",
        "product",
        "produced_count",
        "good_count",
        "ideal_cycle_time_s",
        "planned_stop_minutes",
        "recorded_by",
    )
    list_filter = ("shift__line__area__site", "shift__line")
    search_fields = ("product",)
    autocomplete_fields = ("shift", "recorded_by", "amends")
    list_select_related = ("shift__line", "shift__pattern", "recorded_by")

    COUNTS = services.COUNTS

    def save_model(self, request, obj, form, change):
        counts = {name: getattr(obj, name) for name in self.COUNTS}
        if change:
            services.production_record_update(record=obj, user=request.user, **counts)
        else:
            saved = services.production_record_add(
                shift=obj.shift,
                user=request.user,
                amends=obj.amends,
                amend_reason=obj.amend_reason,
                **counts,
            )
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.production_record_delete(record=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            services.production_record_delete(record=record, user=request.user)


@admin.register(Handover)
class HandoverAdmin(ScopedAdmin):
    list_display = (
        "shift",
        "handed_over_by",
        "handed_over_at",
        "acknowledged_by",
        "acknowledged_at",
    )
    list_filter = ("shift__line__area__site",)
    search_fields = ("summary", "shift__line__code")
    list_select_related = ("shift__line", "shift__pattern", "handed_over_by", "acknowledged_by")
    readonly_fields = (
        "shift",
        "handed_over_by",
        "handed_over_at",
        "acknowledged_by",
        "acknowledged_at",
    )

    # Handing over and acknowledging are acts done on the shift's page or through the API.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HandoverItem)
class HandoverItemAdmin(ReadOnly, ScopedAdmin):
    """Items are compiled at handover and answered on the shift's page or through the API."""

    list_display = ("text", "topic", "handover", "answer", "answered_by", "answered_at")
    list_filter = ("handover__shift__line__area__site", "topic", "answer")
    search_fields = ("text", "note")
    list_select_related = ("handover__shift__line", "handover__shift__pattern", "answered_by")


@admin.register(OpenItem)
class OpenItemAdmin(ScopedAdmin):
    list_display = ("text", "line", "raised_on", "raised_by", "closed_at", "closed_by")
    list_filter = ("line__area__site", "line", ("closed_at", admin.EmptyFieldListFilter))
    search_fields = ("text",)
    autocomplete_fields = ("line", "raised_on", "raised_by", "closed_on", "closed_by")
    list_select_related = (
        "line",
        "raised_on__pattern",
        "raised_on__line",
        "raised_by",
        "closed_by",
    )

    # Items are raised at handover and closed on a shift's page or through the API.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
