"""Optimistic concurrency: an edit says which version of the record it started from.

A record's version is the id of its latest audit-trail row (django-simple-history writes one on
every change), so no extra column is needed and every path that changes a record moves it on.
Edit forms carry it in a hidden field; the API sends it as the ETag of a record and takes it back
as If-Match. A save that started from an older version is refused with 409 (``StaleEdit``),
which lists what changed meanwhile, instead of silently overwriting someone's work.
"""

from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext as _

from logbook.core.exceptions import Conflict
from logbook.core.history import history_rows, readable


def record_version(obj) -> int:
    """The record's version (0 for a record without an audit trail or not saved yet)."""
    history = getattr(type(obj), "history", None)
    if history is None or obj.pk is None:
        return 0
    latest = history.filter(id=obj.pk).order_by("-history_id").values_list("history_id", flat=True)
    return latest.first() or 0


class StaleEdit(Conflict):
    """Someone changed the record after this edit began. ``changes`` lists what they changed:
    rows of the audit trail (when, who, and each field's old and new value)."""

    def __init__(self, obj, since: int):
        history = type(obj).history.filter(id=obj.pk).select_related("history_user")
        # The version the edit began from, for the "old" values, and every change after it.
        rows = history_rows(
            history.filter(history_id__gte=since).order_by("history_date", "history_id"),
            str(type(obj)._meta.verbose_name).capitalize(),
        )
        self.changes = readable(rows[1:])
        self.record = obj
        super().__init__(
            _(
                "%(record)s was changed by someone else after you opened it: nothing was saved. "
                "Open it again to see the new values, then make your change."
            )
            % {"record": obj}
        )


def check_version(obj, submitted) -> None:
    """Refuse (StaleEdit) when ``submitted`` names another version than the record's now.
    ``None`` (a client that sent no version) is accepted."""
    if submitted in (None, ""):
        return
    try:
        submitted = int(str(submitted).strip().strip('W/"'))
    except ValueError:
        raise StaleEdit(obj, 0) from None
    if submitted != record_version(obj):
        raise StaleEdit(obj, submitted)


@contextmanager
def editing(record):
    """Hold ``record``'s row while an edit is checked against its version and saved, so that two
    saves of the same version cannot both pass the check (the second waits, then is refused)."""
    with transaction.atomic():
        if record is not None and record.pk is not None:
            list(
                type(record)
                ._base_manager.select_for_update()
                .filter(pk=record.pk)
                .values_list("pk", flat=True)
            )
        yield
