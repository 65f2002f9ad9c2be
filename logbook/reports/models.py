from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from logbook.core.fields import DateTimeField


class DigestDelivery(models.Model):
    """One daily digest sent to one person for one day: the row is claimed before the mail goes
    out, so two runs (or two servers at once) send it once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    sent_at = DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="reports_one_digest_per_day")
        ]

    def __str__(self):
        return f"{self.user} {self.day}"
