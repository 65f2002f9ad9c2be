"""Password login for local accounts."""

from django.contrib.auth.backends import ModelBackend


class LocalBackend(ModelBackend):
    """Django's password login and permissions, for local accounts only. A directory account
    logs in through the directory alone: a local password someone gave it (in the admin, with
    changepassword) opens nothing, so leaving the directory closes every way in."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not getattr(user, "directory_dn", "")
