from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from logbook.core.roles import Role


class User(AbstractUser):
    """A person who works in the plant: technician, supervisor, quality, planner or admin.

    Roles are Django groups (see ``core.roles``); ``sites`` are the plants whose records the
    person sees and changes. Admins (the admin role, or a superuser) see every site.
    """

    sites = models.ManyToManyField(
        "equipment.Site",
        related_name="members",
        blank=True,
        verbose_name=_("sites"),
        help_text=_("The sites whose records this person sees and changes."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Return the names of the user's roles (one query, cached for the request)."""
        if not self.is_authenticated:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @property
    def sees_all_sites(self) -> bool:
        return self.is_superuser or Role.ADMIN in self.role_names

    @property
    def primary_role(self) -> str | None:
        """Return the role whose home page the user lands on: the most senior they hold."""
        if self.is_superuser:
            return Role.ADMIN.value
        for role in (Role.ADMIN, Role.SUPERVISOR, Role.PLANNER, Role.QUALITY, Role.TECHNICIAN):
            if role in self.role_names:
                return role.value
        return None
