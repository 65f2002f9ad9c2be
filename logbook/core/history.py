"""The audit trail is evidence: who did what stays forever.

django-simple-history keeps each change in a historical row whose ``history_user`` it sets to
NULL when that user is deleted, and its rows are ordinary models that ``save()`` and ``delete()``
would change. Two guards, connected in ``CoreConfig.ready`` so that they hold on every path (the
admin, a script, a cascade, a queryset's bulk delete), not only where a service is called:

- a person who ever wrote a record is deactivated, never deleted (``ProtectedError`` otherwise);
- a historical row, once written, is neither changed nor deleted (``RecordLocked``).
"""

from django.apps import apps
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from logbook.core.exceptions import RecordLocked


def historical_models():
    return [
        model
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and hasattr(model, "history_user_id")
    ]


def has_written(user) -> bool:
    """True when ``user`` appears in the audit trail of any record (one query per audited model)."""
    return any(
        model._base_manager.filter(history_user_id=user.pk).exists()
        for model in historical_models()
    )


def refuse_deleting_an_author(sender, instance, **kwargs):
    if instance.pk is not None and has_written(instance):
        raise ProtectedError(
            _(
                "%(user)s is named in the audit trail: deactivate the account instead of "
                "deleting it."
            )
            % {"user": instance},
            {instance},
        )


def refuse_changing_history(sender, instance, **kwargs):
    if instance.pk is not None and sender._base_manager.filter(pk=instance.pk).exists():
        raise RecordLocked(_("The audit trail is never changed."))


def refuse_deleting_history(sender, instance, **kwargs):
    raise RecordLocked(_("The audit trail is never deleted."))
