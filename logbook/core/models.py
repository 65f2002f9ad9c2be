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


class JobRun(models.Model):
    """One run of a scheduled job (backup, daily digest, PM work orders, signal pruning,
    directory sync): when, whether it worked, and what it said. /metrics reports the last good
    run of each, so a backup that stopped running is noticed."""

    job = models.CharField(_("job"), max_length=40)
    started_at = DateTimeField(_("started at"))
    finished_at = DateTimeField(_("finished at"))
    ok = models.BooleanField(_("succeeded"))
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [models.Index(fields=["job", "-finished_at"], name="core_jobrun_latest")]

    def __str__(self):
        return f"{self.job} {self.finished_at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """A write sent under a key made on the device (see core.idempotency): the answer it got,
    given back to any repeat, so the write is applied exactly once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=100)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    created_at = DateTimeField(_("received at"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("answer status"), null=True)
    headers = models.JSONField(_("answer headers"), default=dict)
    body = models.BinaryField(_("answer body"), default=b"")

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key")
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="core_idempotency_age")]

    def __str__(self):
        return self.key

    def keep(self, response) -> None:
        from logbook.core.idempotency import STORED_HEADERS

        self.status_code = response.status_code
        self.headers = {
            name: response[name] for name in STORED_HEADERS if response.has_header(name)
        }
        self.body = response.content
        self.save(update_fields=["status_code", "headers", "body"])

    def replay(self):
        from django.http import HttpResponse

        from logbook.core.idempotency import REPLAYED

        response = HttpResponse(bytes(self.body), status=self.status_code)
        for name, value in self.headers.items():
            response[name] = value
        response[REPLAYED] = "true"
        return response
