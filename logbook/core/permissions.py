"""API permissions. Kept apart from core.api: DRF imports them while it is itself loading."""

from rest_framework import permissions


class RolePermission(permissions.DjangoModelPermissions):
    """The page permissions, for the API: reading needs the model's view permission too."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        # An action (sign-off, handover…) names its own permission instead of the POST default.
        action_perms = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if action_perms is not None:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(action_perms))
        return super().has_permission(request, view)
