"""Electronic signatures: a deliberate act, with the password re-entered."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logbook.accounts.models import Signature, SignatureMeaning


@transaction.atomic
def signature_create(*, user, password: str, meaning: str) -> Signature:
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
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct: nothing was signed.")})
    return Signature.objects.create(
        signer=user,
        signer_name=user.get_full_name() or user.get_username(),
        signed_at=timezone.now(),
        meaning=meaning,
    )
