"""Scheduled jobs: each run is logged as a JSON line and kept as a JobRun for /metrics."""

import datetime
import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils import timezone

logger = logging.getLogger("logbook.jobs")

KEEP_RUNS_DAYS = 90


class JobCommand(BaseCommand):
    """A management command that a timer runs. Its runs are recorded (job name: the command's
    name), whether they end well or raise."""

    def execute(self, *args, **options):
        job = self.__module__.rsplit(".", 1)[-1]
        started, clock = timezone.now(), time.monotonic()
        ok, detail = False, ""
        try:
            output = super().execute(*args, **options)
            ok = True
            return output
        except BaseException as error:
            detail = str(error)[:500] or type(error).__name__
            raise
        finally:
            record_run(job, started, ok, detail, time.monotonic() - clock)


def record_run(job: str, started, ok: bool, detail: str, seconds: float) -> None:
    from logbook.core.models import JobRun

    logger.log(
        logging.INFO if ok else logging.ERROR,
        "job %s %s",
        job,
        "finished" if ok else "failed",
        extra={
            "event": "job",
            "job": job,
            "ok": ok,
            "duration_s": round(seconds, 3),
            "detail": detail,
        },
    )
    finished = timezone.now()
    try:
        JobRun.objects.create(
            job=job, started_at=started, finished_at=finished, ok=ok, detail=detail
        )
        JobRun.objects.filter(
            job=job, finished_at__lt=finished - datetime.timedelta(days=KEEP_RUNS_DAYS)
        ).delete()
    except DatabaseError:  # the database may be what failed: the log line above still says it
        logger.exception("job %s: its run could not be recorded", job)
