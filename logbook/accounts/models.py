from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from logbook.core.fields import DateField, DateTimeField
from logbook.core.roles import Role


class PeopleQuerySet(models.QuerySet):
    def for_user(self, user):
        """The people who share a site with ``user`` (everyone, for an admin).

        A queryset method (not only the manager's), so every person field that forms, the admin
        and the API scope with ``for_user`` offers and accepts only these people.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        if user.sees_all_sites:
            return self
        return self.filter(
            models.Exists(
                User.sites.through.objects.filter(
                    user_id=models.OuterRef("pk"), site_id__in=user.sites.values("pk")
                )
            )
        )


class PeopleManager(UserManager.from_queryset(PeopleQuerySet)):
    pass


def check_person_on_site(person, site, field: str) -> None:
    """Refuse a record that names a person of another site (``field`` carries the error)."""
    if person is None or site is None:
        return
    if not person.sites.filter(pk=site.pk).exists():
        raise ValidationError(
            {field: _("%(person)s does not work at %(site)s.") % {"person": person, "site": site}}
        )


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
    home_line = models.ForeignKey(
        "equipment.Line",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home line"),
        help_text=_("The line whose shift “My shift” opens."),
    )
    daily_digest = models.BooleanField(
        _("daily digest"),
        default=True,
        help_text=_("Supervisors: yesterday's figures and what needs attention, by e-mail."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of your pages. None: your browser's."),
    )
    directory_dn = models.CharField(
        _("directory entry"),
        max_length=500,
        blank=True,
        editable=False,
        help_text=_(
            "The person's entry in the plant's directory (LDAP or Active Directory), if they log "
            "in with it: the directory then gives their password, roles and sites."
        ),
    )

    objects = PeopleManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"
        permissions = [("view_audit_trail", _("Can read the audit trail of records"))]

    def __str__(self):
        return self.name_of(self.first_name, self.last_name, self.username)

    def save(self, *args, **kwargs):
        # A new password revokes the API tokens made under the old one, on every path that sets
        # it (the password form, the admin, changepassword): a token must not outlive a leak.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user_id=self.pk).delete()

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Return the names of the user's roles (read with the permissions, by
        ``load_access``)."""
        if not self.is_authenticated:
            return frozenset()
        self.load_access()
        return self.__dict__["role_names"]

    def load_access(self) -> None:
        """Read what the user may do, roles and permissions, in one query, and keep it for the
        request (the user object lives as long as the request): ``role_names``, and the caches
        Django's permission checks (``has_perm``) read before they ask the database.

        Every page needs both, and Django asks them in three queries (the groups, the groups'
        permissions, the user's own): two round trips more on every page, which a database
        server, unlike SQLite inside the process, makes each request pay. A superuser's
        permissions are all of them: Django reads those itself."""
        from django.contrib.auth.models import Group, Permission

        if "role_names" in self.__dict__:  # read already (only this method sets it)
            return
        by_role = Group.objects.filter(user=self).values_list(
            "name", "permissions__content_type__app_label", "permissions__codename"
        )
        own = Permission.objects.filter(user=self).values_list(
            models.Value(None, output_field=models.CharField()),
            "content_type__app_label",
            "codename",
        )
        rows = list(by_role.order_by().union(own.order_by(), all=True))
        self.__dict__["role_names"] = frozenset(role for role, _app, _code in rows if role)
        if not self.is_superuser:
            self._group_perm_cache = {f"{app}.{code}" for role, app, code in rows if role and app}
            self._user_perm_cache = {f"{app}.{code}" for role, app, code in rows if not role}

    def forget_access(self) -> None:
        """Drop what ``load_access`` and Django keep of the user's roles, sites and permissions,
        after they change (the next check reads them again)."""
        for name in (
            "role_names",
            "site_list",
            "_perm_cache",
            "_user_perm_cache",
            "_group_perm_cache",
        ):
            self.__dict__.pop(name, None)

    @cached_property
    def site_list(self) -> list:
        """Return the sites the user belongs to (one query, cached for the request: the time
        zone middleware and the page both need them)."""
        if not self.is_authenticated:
            return []
        return list(self.sites.all())

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    @staticmethod
    def name_of(first_name, last_name, username) -> str:
        """How a person is named everywhere: their full name, else their username."""
        return f"{first_name} {last_name}".strip() or username

    @property
    def sees_all_sites(self) -> bool:
        return self.is_superuser or Role.ADMIN in self.role_names

    @property
    def primary_role(self) -> str | None:
        """Return the role whose home page the user lands on: the most senior they hold."""
        if self.is_superuser:
            return Role.ADMIN.value
        for role in (
            Role.ADMIN,
            Role.SUPERVISOR,
            Role.PLANNER,
            Role.QUALITY,
            Role.TECHNICIAN,
            Role.OPERATOR,
        ):
            if role in self.role_names:
                return role.value
        return None


class SignatureMeaning(models.TextChoices):
    PERFORMED = "performed", _("Performed")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")


class Signature(models.Model):
    """An electronic signature: who signed, when, and what the signature means.

    Made only by ``accounts.services.signature_create`` after the signer re-entered their
    password (21 CFR Part 11 §11.200). The signer's printed name is copied at signing time, so the
    record shows it even if the account is renamed later. Signatures are never changed.
    """

    signer = models.ForeignKey(
        User, models.PROTECT, related_name="signatures", verbose_name=_("signer")
    )
    signer_name = models.CharField(_("signer's name"), max_length=300)
    signed_at = DateTimeField(_("signed at"))
    meaning = models.CharField(_("meaning"), max_length=20, choices=SignatureMeaning.choices)
    # Why the signer signed before the record's own rule allowed it (a shift still running, a
    # handover not yet acknowledged): empty for a signature made in the ordinary way.
    reason = models.TextField(_("reason for signing early"), blank=True, default="")

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self):
        return _("%(meaning)s by %(name)s") % {
            "meaning": self.get_meaning_display(),
            "name": self.signer_name,
        }


class CertificationQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(expires_on__gte=day)

    def for_user(self, user):
        """Certifications of the people who share a site with ``user`` (all, for an admin)."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.sees_all_sites:
            return self
        return self.filter(user__in=User.objects.for_user(user).values("pk"))


class Certification(models.Model):
    """A person's qualification to work on a class of equipment, until it expires."""

    user = models.ForeignKey(
        User, models.PROTECT, related_name="certifications", verbose_name=_("person")
    )
    equipment_class = models.ForeignKey(
        "equipment.EquipmentClass",
        models.PROTECT,
        related_name="certifications",
        verbose_name=_("equipment class"),
    )
    reference = models.CharField(_("certificate"), max_length=60, blank=True)
    issued_on = DateField(_("issued on"), null=True, blank=True)
    expires_on = DateField(_("expires on"))

    objects = CertificationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["expires_on"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "equipment_class", "expires_on"],
                name="%(app_label)s_%(class)s_unique",
            )
        ]

    def __str__(self):
        return _("%(person)s · %(class)s (until %(day)s)") % {
            "person": self.user,
            "class": self.equipment_class,
            "day": f"{self.expires_on:%Y-%m-%d}",
        }

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("maintenance:certification_edit", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": _("It cannot expire before it was issued.")})
