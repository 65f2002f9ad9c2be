from simple_history.admin import SimpleHistoryAdmin


class ScopedAdmin(SimpleHistoryAdmin):
    """Admin pages that keep to the user's sites, with each record's change history.

    Superusers see everything; a staff member who is not an admin sees and picks only their
    sites' rows, as on the pages and in the API.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "for_user"):
            queryset = queryset.for_user(request.user)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset = getattr(field, "queryset", None) if field else None
        if queryset is not None and hasattr(queryset, "for_user"):
            field.queryset = queryset.for_user(request.user)
        return field


class ReadOnly:
    """For records the admin shows but never writes: they are made and moved by the services
    (on their pages and through the API), which check the rules; here they are read."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
