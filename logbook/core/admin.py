from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from logbook.core.exceptions import RecordLocked
from logbook.core.forms import VersionedAdminForm
from logbook.core.models import JobRun


def is_locked(obj) -> bool:
    """True when ``obj`` may no longer change: it is signed, verified or closed, or it belongs to
    such a record (an entry of a signed shift). Each model says so in its ``is_locked``."""
    return bool(getattr(obj, "is_locked", False))


class ScopedAdmin(SimpleHistoryAdmin):
    """Admin pages that keep to the user's sites, with each record's change history.

    Superusers see everything; a staff member who is not an admin sees and picks only their
    sites' rows, as on the pages and in the API.

    A locked record (``is_locked``: signed, verified, closed) is read-only here on every path:
    its change form, its delete page, the bulk delete action and the history page's "revert",
    which django-simple-history saves without asking the admin's change permission and judges
    by the old version's state, not the record's.
    """

    form = VersionedAdminForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "for_user"):
            queryset = queryset.for_user(request.user)
        return queryset

    def get_fieldsets(self, request, obj=None):
        # The record's version rides along hidden, so a stale save is refused (core.versions).
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and issubclass(self.form, VersionedAdminForm):
            fieldsets = [*fieldsets, (None, {"fields": ["version"], "classes": ["hidden"]})]
        return fieldsets

    def get_fields(self, request, obj=None):
        return [name for name in super().get_fields(request, obj) if name != "version"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset = getattr(field, "queryset", None) if field else None
        if queryset is not None and hasattr(queryset, "for_user"):
            field.queryset = queryset.for_user(request.user)
        return field

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_locked(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_locked(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        locked = [obj for obj in queryset if is_locked(obj)]
        if locked:
            raise RecordLocked(
                f"{len(locked)} of the selected records are signed, verified or closed: "
                "nothing was deleted."
            )
        super().delete_queryset(request, queryset)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The revert form posts an old version over the record: refuse unless the record, as it
        # stands now, may change (django-simple-history itself does not ask).
        if request.method == "POST" and self._revert_refused(request, unquote(object_id)):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        # ``obj`` may be an old version: judge the record as it stands.
        if obj is not None and self._revert_refused(request, obj.pk):
            return True
        return super().revert_disabled(request, obj)

    def _revert_refused(self, request, pk) -> bool:
        current = self.get_object(request, str(pk))  # None for an unknown or malformed id
        return current is None or not self.has_change_permission(request, current)


class ReadOnly:
    """For records the admin shows but never writes: they are made and moved by the services
    (on their pages and through the API), which check the rules; here they are read."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JobRun)
class JobRunAdmin(ReadOnly, admin.ModelAdmin):
    """The scheduled jobs' runs, as /metrics reads them: written by the jobs, never by hand."""

    list_display = ("job", "finished_at", "ok", "detail")
    list_filter = ("job", "ok")
    date_hierarchy = "finished_at"
