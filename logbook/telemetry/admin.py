from django.contrib import admin

from logbook.core.admin import ReadOnly, ScopedAdmin
from logbook.telemetry.models import Gateway, MicroStop, OpcUaNode, RejectedSignal, SilentPeriod


@admin.register(Gateway)
class GatewayAdmin(ScopedAdmin):
    """Gateways are made with their key by ``manage.py gateway_token``; here they are renamed
    or revoked (untick active)."""

    list_display = ("name", "site", "active", "created_at", "last_seen_at")
    list_filter = ("active", "site")
    fields = ("site", "name", "active", "created_at", "last_seen_at")
    readonly_fields = ("site", "created_at", "last_seen_at")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SiteRows:
    """The user's sites' rows only (records without a change history of their own)."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)


@admin.register(MicroStop, SilentPeriod)
class MicroStopAdmin(ReadOnly, SiteRows, admin.ModelAdmin):
    list_display = ("equipment", "started_at", "ended_at")
    list_filter = ("equipment__line__area__site",)
    list_select_related = ("equipment",)
    date_hierarchy = "started_at"


@admin.register(RejectedSignal)
class RejectedSignalAdmin(ReadOnly, SiteRows, admin.ModelAdmin):
    list_display = ("received_at", "gateway", "reason")
    list_filter = ("gateway__site",)
    search_fields = ("reason", "payload")
    list_select_related = ("gateway__site",)


@admin.register(OpcUaNode)
class OpcUaNodeAdmin(ScopedAdmin):
    """Which OPC UA variable carries which machine's state, counter or alarm."""

    list_display = ("endpoint", "node_id", "equipment", "kind")
    list_filter = ("endpoint", "kind", "equipment__line__area__site")
    search_fields = ("node_id", "equipment__asset_tag")
    autocomplete_fields = ("equipment",)
    list_select_related = ("equipment",)
