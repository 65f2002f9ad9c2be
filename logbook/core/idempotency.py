"""Writes applied exactly once, however often a client sends them.

A tablet that lost its connection keeps its writes in a queue and sends them again when the
connection returns; it cannot know whether a write sent just before the drop arrived. So each
queued write carries a key made on the device (the ``Idempotency-Key`` header, or the
``idempotency_key`` field of a page's form). The first request with a key is applied and its
answer stored with the key; a repeat of the same request gets that stored answer back
(``Idempotent-Replayed: true``) and changes nothing. The same key on a different request is
refused (422): the client mixed up its keys.

Only a write that was applied keeps its key (:func:`applied`). A refused write (4xx, 5xx) applied
nothing, so a repeat is simply tried again: after the password is asked again, after the
conflict is resolved, after the database is back. Keys belong to the person who sent them:
another person's identical key is another write. They expire after ``IDEMPOTENCY_KEY_HOURS``.

The queue also sends the device's clock (``Device-Time``) and, for each write, the moment the
person recorded it on the device (``Recorded-At``). A device whose clock is further than
``DEVICE_CLOCK_SKEW_MINUTES`` off the server's is refused (400), since every time it recorded
would be as far off. The services read :func:`recorded_at` to keep when a record was made on
the device beside when the server received it.

This is one middleware, so the API and the pages share it, whichever view the write reaches.
"""

import contextvars
import datetime
import hashlib
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
DEVICE_TIME = "Device-Time"
RECORDED_AT = "Recorded-At"
REPLAYED = "Idempotent-Replayed"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY = re.compile(r"[A-Za-z0-9_.:-]{8,100}")
# Form fields that differ between two sends of the same write (a new CSRF token after the
# password was asked again), so they are not part of what makes two requests the same.
UNSIGNED_FIELDS = frozenset({"csrfmiddlewaretoken", FIELD})
STORED_HEADERS = ("Content-Type", "Location")

_recorded_at: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "recorded_at", default=None
)


class Refused(Exception):
    """A write refused before it reached its view: bad key, bad clock (400 or 422)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def recorded_at() -> datetime.datetime | None:
    """When the write being applied was recorded on the device that queued it (None: now)."""
    return _recorded_at.get()


def happened_at() -> datetime.datetime:
    """When the write being applied happened: now, or when it was saved on a tablet that had
    no connection then (sent later with its Recorded-At). The default time of new records."""
    return recorded_at() or timezone.now()


def request_key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        key = request.POST.get(FIELD) or None
    if key is None:
        return None
    if not KEY.fullmatch(key):
        raise Refused(
            _(
                "An Idempotency-Key is 8 to 100 letters, digits, dots, colons, hyphens or "
                "underscores."
            )
        )
    return key


def fingerprint(request) -> str:
    """What makes two sends the same write: method, path and body (a form: its fields and files,
    whatever token came with it)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name in sorted(request.POST):
            if name not in UNSIGNED_FIELDS:
                for value in request.POST.getlist(name):
                    digest.update(f"{name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:{upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _device_time(request, header: str) -> datetime.datetime | None:
    value = request.headers.get(header)
    if value is None:
        return None
    moment = parse_datetime(value.strip())
    if moment is None or timezone.is_naive(moment):
        raise Refused(
            _("%(header)s must be a date and time with its UTC offset (ISO 8601).")
            % {"header": header}
        )
    return moment


def check_device_clock(request) -> datetime.datetime | None:
    """The device's clock against the server's; returns when the write was recorded on it."""
    device_now = _device_time(request, DEVICE_TIME)
    recorded = _device_time(request, RECORDED_AT)
    if device_now is not None:
        allowed = datetime.timedelta(minutes=settings.DEVICE_CLOCK_SKEW_MINUTES)
        off = device_now - timezone.now()
        if abs(off) > allowed:
            raise Refused(
                _(
                    "This device's clock is %(minutes)s minutes off the server's (at most "
                    "%(allowed)s allowed): set its time right, then send again. Nothing was "
                    "saved."
                )
                % {
                    "minutes": round(abs(off).total_seconds() / 60),
                    "allowed": settings.DEVICE_CLOCK_SKEW_MINUTES,
                }
            )
        if recorded is not None and recorded > device_now:
            raise Refused(_("Recorded-At is later than Device-Time: nothing was saved."))
        if recorded is not None:
            # The device's clock, set right by the offset measured now.
            recorded -= off
    return recorded


def applied(response) -> bool:
    """Whether the answer says the write was applied: a redirect (a page's form, saved), or a
    success that is not a page (a page answering 200 is its form shown again with errors)."""
    if response.streaming:
        return False
    if 300 <= response.status_code < 400:
        return True
    html = response.get("Content-Type", "").startswith("text/html")
    return 200 <= response.status_code < 300 and not html


def run_once(*, user, key: str, fingerprint: str, respond):
    """Apply the write (``respond()`` gives its answer) unless this person's key was applied
    already, in which case return the answer it got then."""
    from logbook.core.models import IdempotencyKey

    with transaction.atomic():
        expired = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
        IdempotencyKey.objects.filter(user=user, created_at__lt=expired).delete()
        try:
            with transaction.atomic():
                # A second send of the same key waits here until the first one is done.
                stored = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            stored = IdempotencyKey.objects.get(user=user, key=key)
            if stored.fingerprint != fingerprint:
                raise Refused(
                    _(
                        "This Idempotency-Key was already used for a different request: make "
                        "a new key for each write."
                    ),
                    status=422,
                ) from None
            from logbook.core.observability import OFFLINE_REPLAYS

            OFFLINE_REPLAYS.inc()
            return stored.replay()
        response = respond()
        if applied(response):
            stored.keep(response)
        elif response.status_code >= 500:
            transaction.set_rollback(True)
        else:
            # Refused: nothing was applied, so the key is free to be sent again. What the
            # refusal itself recorded (a failed signature's count) stays.
            stored.delete()
        return response


def _api_user(request):
    """The person an API request authenticates as (token or session), or None."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    try:
        user = Request(request, authenticators=authenticators).user
    except APIException:
        return None
    return user if user.is_authenticated else None


def _refusal(request, error: Refused):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(error)}, status=error.status)
    return HttpResponse(str(error), status=error.status, content_type="text/plain; charset=utf-8")


class IdempotencyMiddleware:
    """Every write under a key is applied once (see the module's text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in WRITES:
            return self.get_response(request)
        try:
            recorded = check_device_clock(request)
            key = request_key(request)
            if key is None:
                return self._respond(request, recorded)
            user = request.user if request.user.is_authenticated else None
            if user is None and request.path.startswith("/api/"):
                user = _api_user(request)
            if user is None:
                # Not signed in: the view refuses it (login, 401); nothing to keep.
                return self._respond(request, recorded)
            return run_once(
                user=user,
                key=key,
                fingerprint=fingerprint(request),
                respond=lambda: self._respond(request, recorded),
            )
        except Refused as error:
            return _refusal(request, error)

    def _respond(self, request, recorded):
        token = _recorded_at.set(recorded)
        try:
            return self.get_response(request)
        finally:
            _recorded_at.reset(token)
