"""The audit trail is evidence: who did what stays forever.

django-simple-history keeps each change in a historical row whose ``history_user`` it sets to
NULL when that user is deleted, and its rows are ordinary models that ``save()`` and ``delete()``
would change. Two guards, connected in ``CoreConfig.ready`` so that they hold on every path (the
admin, a script, a cascade, a queryset's bulk delete), not only where a service is called:

- a person who ever wrote a record is deactivated, never deleted (``ProtectedError`` otherwise);
- a historical row, once written, is neither changed nor deleted (``RecordLocked``).

It also reads the trail as people do (``history_rows``, ``readable``): for the audit page and
for the 409 of a stale edit, which lists what changed meanwhile.
"""

import datetime

from django.apps import apps
from django.db.models import ProtectedError
from django.utils import timezone
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


def history_rows(history_qs, label):
    """Turn one record's history (oldest first) into rows: when, who, what, which changes.

    Each change is (field, old, new) with the raw values; ``readable`` names them afterwards.
    """
    rows, previous = [], {}
    for version in history_qs:
        key = version.id
        before = previous.get(key)
        fields = version.instance_type._meta.concrete_fields
        if before is not None:
            # Every stored field, the non-editable ones (a signature, computed times) included.
            changes = [
                (field, getattr(before, field.attname), getattr(version, field.attname))
                for field in fields
                if getattr(before, field.attname) != getattr(version, field.attname)
            ]
        else:
            # The first version: what the record was made with (its values, not just "created").
            changes = [
                (field, None, getattr(version, field.attname))
                for field in fields
                if not field.primary_key and getattr(version, field.attname) not in (None, "")
            ]
        previous[key] = version
        rows.append(
            {
                "when": version.history_date,
                "who": version.history_user,
                "kind": version.get_history_type_display(),
                "created": version.history_type == "+",
                "record": f"{label} #{version.id}",
                "changes": changes,
            }
        )
    return rows


def readable(rows):
    """Show related records by name and times in the page's zone: one query per related model."""
    wanted = {}
    for row in rows:
        for field, old, new in row["changes"]:
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update(
                    value for value in (old, new) if value is not None
                )
    names = {
        model: {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=pks)}
        for model, pks in wanted.items()
    }

    def show(field, value):
        if value is None or value == "":
            return None
        if field.is_relation:
            return names[field.related_model].get(value, f"#{value}")
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return value

    for row in rows:
        row["changes"] = [
            (field.verbose_name, show(field, old), show(field, new))
            for field, old, new in row["changes"]
        ]
    return rows
