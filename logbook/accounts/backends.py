"""Password login for local accounts."""

from django.contrib.auth.backends import ModelBackend


class LocalBackend(ModelBackend):
    """Django's password login and permissions, for local accounts only. A directory account
    logs in through the directory alone: a local password someone gave it (in the admin, with
    changepassword) opens nothing, so leaving the directory closes every way in."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not getattr(user, "directory_dn", "")

    def get_all_permissions(self, user_obj, obj=None):
        # Roles and permissions in one query (User.load_access), where Django asks three.
        if obj is None and user_obj.is_active and not user_obj.is_anonymous:
            user_obj.load_access()
        return super().get_all_permissions(user_obj, obj)
