import time

from django.contrib.auth.signals import user_login_failed
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control


class PersonLanguageMiddleware:
    """The language a person chose on their profile wins over the browser's and the login
    page's (LocaleMiddleware, before this one, chose from those)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        if chosen:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


class SiteTimezoneMiddleware:
    """Show times in the zone of the user's site.

    Times are stored in UTC (and the API answers in UTC). A technician of one site sees that
    site's wall clock everywhere; a user of several sites (or an admin) sees UTC unless a page
    renders a record in its own site's zone, as detail pages do with ``{% timezone … %}``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        user = getattr(request, "user", None)
        # The API speaks UTC to everyone, whichever way the caller authenticated.
        if request.path.startswith("/api/"):
            user = None
        if user is not None and user.is_authenticated:
            zones = {site.timezone for site in user.site_list}
            if len(zones) == 1:
                zone = zones.pop()
        if zone:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class RecordLockedMiddleware:
    """A change refused because its record is signed, or because it was already done, answers 409
    with the reason, on any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from logbook.core.exceptions import Conflict, RecordLocked

        if isinstance(exception, Conflict):
            if isinstance(exception, RecordLocked):
                from logbook.core.observability import security_event

                security_event("locked_record_write_refused", request, reason=str(exception))
            context = {
                "message": str(exception),
                "locked": isinstance(exception, RecordLocked),
                "changes": getattr(exception, "changes", None),
                "reopen": request.get_full_path() if hasattr(exception, "changes") else None,
            }
            return render(request, "409.html", context, status=409)
        return None


class SignedInPagesMiddleware:
    """Shared tablets: a signed-in page is never stored (the browser's back button after logout
    shows nothing), a session ends after ``SESSION_IDLE_MINUTES`` without a request, and wrong
    signature passwords count toward the log-in lockout.

    The session's expiry slides with use: it is pushed back at most once a minute, not on every
    request, so reading pages does not write the session table each time.
    """

    TOUCH_EVERY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            if now - session.get("touched", 0) >= self.TOUCH_EVERY:
                session["touched"] = now  # saved by the session middleware, new expiry
        response = self.get_response(request)
        for credentials in getattr(request, "signature_failures", ()):
            # Wrong signature passwords (accounts.services.signature_create) count as failed
            # log-ins, recorded here after the request's transactions are over.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if request.user.is_authenticated or request.path.startswith("/api/"):
            patch_cache_control(response, no_store=True, private=True)
        if request.user.is_authenticated:
            # Whose page this is: the service worker keeps copies per person (templates/sw.js).
            response["Logbook-User"] = str(request.user.pk)
        return response


def stamp_session(sender, request, user, **kwargs):
    """A fresh log-in counts as use: the idle clock starts now (and the next requests within a
    minute write nothing)."""
    if hasattr(request, "session"):
        request.session["touched"] = int(time.time())
