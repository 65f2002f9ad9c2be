from django.contrib import admin

from logbook.core.admin import ReadOnly, ScopedAdmin
from logbook.workrequests.models import WorkRequest


@admin.register(WorkRequest)
class WorkRequestAdmin(ReadOnly, ScopedAdmin):
    """Requests are read here; they are raised and answered on their pages and through the API,
    where an answer is given once and links the work order."""

    list_display = (
        "__str__",
        "equipment",
        "urgency",
        "status",
        "requested_by",
        "requested_at",
        "work_order",
    )
    list_filter = ("status", "urgency", "equipment__line__area__site")
    search_fields = ("description", "equipment__asset_tag", "equipment__name")
    list_select_related = ("equipment", "requested_by", "work_order")
    date_hierarchy = "requested_at"
