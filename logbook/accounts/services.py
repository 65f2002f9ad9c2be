"""Electronic signatures: a deliberate act, with the password re-entered."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logbook.accounts.models import Signature, SignatureMeaning


def current_request():
    """The request being served, if any (django-simple-history's middleware keeps it)."""
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


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
    if not password or not user.check_password(password):
        # A wrong signature password counts like a failed login (the same lockout). Recorded
        # once the request is answered (core.middleware), outside the signing transaction,
        # whose rollback would otherwise take the record of the failure with it.
        if request is not None:
            request.signature_failures = [*getattr(request, "signature_failures", ()), credentials]
        raise ValidationError({"password": _("The password is not correct: nothing was signed.")})
    return Signature.objects.create(
        signer=user,
        signer_name=user.get_full_name() or user.get_username(),
        signed_at=timezone.now(),
        meaning=meaning,
        reason=reason.strip(),
    )


@transaction.atomic
def user_deactivate_many(*, users, by) -> int:
    """Deactivate ``users`` (never ``by`` themself): they can no longer log in or use a token,
    and the audit trail keeps their name. Returns how many were deactivated."""
    from rest_framework.authtoken.models import Token

    pks = list(users.exclude(pk=by.pk).filter(is_active=True).values_list("pk", flat=True))
    users.model.objects.filter(pk__in=pks).update(is_active=False)
    Token.objects.filter(user_id__in=pks).delete()
    return len(pks)


_UNCHANGED = object()


def preferences_update(*, user, daily_digest=None, home_line=_UNCHANGED):
    """A person's own settings (their profile page; "My shift" when they choose their line).
    Only what is given changes; a home line must be one of the person's sites' lines."""
    from logbook.equipment.models import Line

    fields = []
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
    if not password or not user.check_password(password):
        if request is not None:
            request.signature_failures = [*getattr(request, "signature_failures", ()), credentials]
        raise ValidationError({"old_password": message})


@transaction.atomic
def password_change(*, user, old_password: str, new_password: str):
    """Change one's own password: the present one re-entered, the new one by the plant's
    password rules (length, not common, not like the name). The API tokens made under the old
    one are revoked (``User.save``); the caller keeps the person's session."""
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
