from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from logbook.core.fields import DateTimeField, TextField


class Amendment(models.Model):
    """A correction kept beside a record that may no longer change (verified, closed, signed):
    what is corrected, why, by whom and when. The subclass names the record it amends."""

    text = TextField(_("correction"))
    reason = TextField(_("reason"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at"]

    def __str__(self):
        return self.text[:80]

    @property
    def is_locked(self) -> bool:
        """An amendment is itself a correction on the record: it is never changed."""
        return self.pk is not None
