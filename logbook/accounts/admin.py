from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from logbook.accounts.models import Certification, Signature, User
from logbook.core.admin import ReadOnly


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "roles", "site_codes", "is_active")
    list_filter = ("groups", "sites", "is_active", "is_staff")
    search_fields = ("username", "first_name", "last_name", "email")
    filter_horizontal = ("groups", "user_permissions", "sites")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Plant"), {"fields": ("sites", "home_line")}),
    )
    autocomplete_fields = ("home_line",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "sites")

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
