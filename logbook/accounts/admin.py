from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from logbook.accounts.models import Certification, Signature, User
from logbook.accounts.services import user_deactivate_many
from logbook.core.admin import ReadOnly
from logbook.core.history import has_written


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "roles", "site_codes", "is_active")
    list_filter = ("groups", "sites", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("groups", "user_permissions", "sites")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Plant"), {"fields": ("sites", "home_line", "directory_dn")}),
    )
    # Set at the person's directory login: their roles and sites then come from the directory
    # at each login (changes made here last until the next one).
    readonly_fields = ("directory_dn",)
    autocomplete_fields = ("home_line",)

    actions = ["deactivate"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "sites")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # people are deactivated, one by one deleted
        return actions

    def has_delete_permission(self, request, obj=None):
        # Someone named in the audit trail stays in it: deactivate them instead.
        if obj is not None and has_written(obj):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Deactivate the selected people (they can no longer log in)"))
    def deactivate(self, request, queryset):
        count = user_deactivate_many(users=queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d person deactivated.", "%(count)d people deactivated.", count)
            % {"count": count},
        )

    @admin.display(description=_("Roles"))
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all())

    @admin.display(description=_("Sites"))
    def site_codes(self, obj):
        return ", ".join(site.code for site in obj.sites.all())


@admin.register(Signature)
class SignatureAdmin(ReadOnly, admin.ModelAdmin):
    """Signatures are evidence: readable, never added, changed or deleted by hand."""

    list_display = ("signer_name", "meaning", "signed_at", "signer")
    list_filter = ("meaning",)
    search_fields = ("signer_name", "signer__username")
    date_hierarchy = "signed_at"


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("user", "equipment_class", "reference", "issued_on", "expires_on")
    list_filter = ("equipment_class",)
    search_fields = ("user__username", "user__last_name", "reference")
    autocomplete_fields = ("user", "equipment_class")
    date_hierarchy = "expires_on"
