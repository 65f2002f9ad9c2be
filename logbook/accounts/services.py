"""Electronic signatures: a deliberate act, with the password re-entered."""

import logging

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import load_backend
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logbook.accounts.models import Signature, SignatureMeaning
from logbook.core.observability import security_event
from logbook.core.roles import Role

DIRECTORY_BACKEND = "logbook.accounts.directory_backend.DirectoryBackend"


def current_request():
    """The request being served, if any (django-simple-history's middleware keeps it)."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def password_matches(user, password: str) -> bool:
    """Whether ``password`` is the person's, asked of the source they log in with: the
    directory for a directory account (while directory login is on), else the local password.
    A signature or a password check never falls back from one to the other."""
    if not password or not user.is_active:
        return False
    if not user.directory_dn:
        return user.check_password(password)
    if DIRECTORY_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return False
    backend = load_backend(DIRECTORY_BACKEND)
    found = backend.authenticate(current_request(), username=user.get_username(), password=password)
    return found is not None and found.pk == user.pk


@transaction.atomic
def signature_create(*, user, password: str, meaning: str, reason: str = "") -> Signature:
    """Return a new signature of ``user`` meaning ``meaning``, if ``password`` is theirs.

    A wrong password or an unknown meaning raises ValidationError and signs nothing.
    """
    if meaning not in SignatureMeaning.values:
        raise ValidationError(
            {
                "meaning": _("Choose what the signature means: %(choices)s.")
                % {"choices": ", ".join(SignatureMeaning.values)}
            }
        )
    request = current_request()
    credentials = {"username": user.get_username()}
    if request is not None and AxesProxyHandler.is_locked(request, credentials):
        raise ValidationError(
            {"password": _("Too many wrong passwords: signing is locked for a while.")}
        )
    if not password_matches(user, password):
        # A wrong signature password counts like a failed login (the same lockout). Recorded
        # once the request is answered (core.middleware), outside the signing transaction,
        # whose rollback would otherwise take the record of the failure with it.
        if request is not None:
            request.signature_failures = [*getattr(request, "signature_failures", ()), credentials]
        if getattr(request, "directory_unreachable", False):
            raise ValidationError(
                {"password": _("The plant's directory cannot be reached: try again in a moment.")}
            )
        raise ValidationError({"password": _("The password is not correct: nothing was signed.")})
    signature = Signature.objects.create(
        signer=user,
        signer_name=user.get_full_name() or user.get_username(),
        signed_at=timezone.now(),
        meaning=meaning,
        reason=reason.strip(),
    )
    security_event(
        "signature",
        request,
        level=logging.INFO,
        signer=user.get_username(),
        meaning=meaning,
        signature_id=signature.pk,
    )
    return signature


@transaction.atomic
def user_deactivate_many(*, users, by=None) -> int:
    """Deactivate ``users`` (never ``by`` themself): they can no longer log in or use a token,
    and the audit trail keeps their name. Returns how many were deactivated."""
    from rest_framework.authtoken.models import Token

    if by is not None:
        users = users.exclude(pk=by.pk)
    pks = list(users.filter(is_active=True).values_list("pk", flat=True))
    users.model.objects.filter(pk__in=pks).update(is_active=False)
    Token.objects.filter(user_id__in=pks).delete()
    return len(pks)


_UNCHANGED = object()


def preferences_update(*, user, daily_digest=None, home_line=_UNCHANGED, language=None):
    """A person's own settings (their profile page; "My shift" when they choose their line).
    Only what is given changes; a home line must be one of the person's sites' lines, a
    language one the pages come in ("" for the browser's)."""
    from logbook.equipment.models import Line

    fields = []
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ValidationError({"language": _("Choose one of the languages offered.")})
        user.language = language
        fields.append("language")
    if daily_digest is not None:
        user.daily_digest = bool(daily_digest)
        fields.append("daily_digest")
    if home_line is not _UNCHANGED:
        if (
            home_line is not None
            and not Line.objects.for_user(user).filter(pk=home_line.pk).exists()
        ):
            raise ValidationError({"home_line": _("Choose a line of your sites.")})
        user.home_line = home_line
        fields.append("home_line")
    if fields:
        user.save(update_fields=fields)
    return user


def _check_own_password(user, password: str, message: str):
    """Raise ValidationError({"old_password"…}) unless ``password`` is the user's; a wrong one
    counts like a failed login, and a locked-out person is refused before the check."""
    request = current_request()
    credentials = {"username": user.get_username()}
    if request is not None and AxesProxyHandler.is_locked(request, credentials):
        raise ValidationError(
            {"old_password": _("Too many wrong passwords: try again in a while.")}
        )
    if not password_matches(user, password):
        if request is not None:
            request.signature_failures = [*getattr(request, "signature_failures", ()), credentials]
        raise ValidationError({"old_password": message})


@transaction.atomic
def password_change(*, user, old_password: str, new_password: str):
    """Change one's own password: the present one re-entered, the new one by the plant's
    password rules (length, not common, not like the name). The API tokens made under the old
    one are revoked (``User.save``); the caller keeps the person's session. A directory
    account's password is the directory's to change."""
    if user.directory_dn:
        raise ValidationError(
            {"old_password": _("Your password is kept by the plant's directory: change it there.")}
        )
    _check_own_password(
        user, old_password, _("Your present password is not correct: nothing was changed.")
    )
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password1": error.messages}) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_sync_from_directory(*, user, dn: str, group_dns) -> bool:
    """Give a directory account the roles and sites its directory groups map to (the
    ``LDAP_ROLE_GROUPS`` and ``LDAP_SITE_GROUPS`` settings), at each login and each
    ``sync_directory`` run. Roles not mapped to any directory group are left as they are; sites
    are the directory's alone. Returns False, changing no role, when the person's groups give
    no role: they are in the directory but not a Plant Logbook user."""
    from django.contrib.auth.models import Group

    from logbook.equipment.models import Site

    group_dns = {group.lower() for group in group_dns}
    role_groups = settings.DIRECTORY_ROLE_GROUPS
    roles = {role for role, group in role_groups.items() if group in group_dns}
    if not roles:
        return False
    managed = Group.objects.filter(name__in=list(role_groups))
    user.groups.remove(*managed.exclude(name__in=roles))
    user.groups.add(*Group.objects.filter(name__in=roles))
    codes = [code for code, group in settings.DIRECTORY_SITE_GROUPS.items() if group in group_dns]
    user.sites.set(Site.objects.filter(code__in=codes))
    user.directory_dn = dn
    user.is_staff = Role.ADMIN in roles
    if user.has_usable_password():
        user.set_unusable_password()  # never a second, local way in beside the directory's
    user.save()
    user.forget_access()
    return True
