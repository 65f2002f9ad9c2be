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
