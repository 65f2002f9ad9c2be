from django.utils import timezone


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
            zones = {site.timezone for site in user.sites.all()}
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
            context = {"message": str(exception), "locked": isinstance(exception, RecordLocked)}
            return render(request, "409.html", context, status=409)
        return None
