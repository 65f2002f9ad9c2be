from django.contrib import admin
from django.core.exceptions import ValidationError

from logbook.core.admin import ScopedAdmin
from logbook.core.forms import VersionedAdminForm
from logbook.downtime import services
from logbook.downtime.models import DowntimeIncident, FailureCode, ReasonCode


@admin.register(ReasonCode)
class ReasonCodeAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind", "parent", "active")
    list_filter = ("kind", "active", "parent")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(FailureCode)
class FailureCodeAdmin(ScopedAdmin):
    list_display = ("code", "name", "list", "active")
    list_filter = ("list", "active")
    search_fields = ("code", "name")


class DowntimeIncidentAdminForm(VersionedAdminForm):
    """Shows the service's refusals (an overlap names the other incident) as form errors."""

    class Meta:
        model = DowntimeIncident
        fields = [
            *services.EDITABLE,
            "equipment",
            "reported_by",
            "source",
            "external_ref",
            "amends",
            "amend_reason",
        ]

    def validate_unique(self):
        return  # the overlap check below says more than the constraint's message

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.instance.equipment_id is None:
            return
        try:
            services.check_overlap(self.instance)
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(DowntimeIncident)
class DowntimeIncidentAdmin(ScopedAdmin):
    form = DowntimeIncidentAdminForm
    list_display = ("equipment", "started_at", "ended_at", "reason", "source", "closed_at")
    list_filter = (
        "reason__kind",
        "source",
        "equipment__line__area__site",
        "equipment__line",
        ("ended_at", admin.EmptyFieldListFilter),
        ("reason", admin.EmptyFieldListFilter),
    )
    search_fields = ("equipment__asset_tag", "symptom", "cause", "action_taken", "external_ref")
    autocomplete_fields = (
        "equipment",
        "reason",
        "failure_mode",
        "failure_mechanism",
        "failure_cause",
        "detection_method",
        "reported_by",
        "amends",
    )
    list_select_related = ("equipment", "reason")
    date_hierarchy = "started_at"
    readonly_fields = ("closed_at", "closed_by", "created_at")

    def has_delete_permission(self, request, obj=None):
        return False  # downtime is history: corrected, never deleted

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in services.EDITABLE}
        if change:
            services.incident_update(incident=obj, user=request.user, **fields)
        else:
            fields.pop("started_at")
            obj.pk = services.incident_open(
                equipment=obj.equipment,
                user=request.user,
                started_at=obj.started_at,
                source=obj.source,
                **fields,
            ).pk
