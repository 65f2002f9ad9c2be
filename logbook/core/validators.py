import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def timezone_names() -> tuple[str, ...]:
    """Return the IANA zone names this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            _("%(value)s is not a known IANA time zone (for example Europe/Berlin)."),
            code="invalid_timezone",
            params={"value": value},
        )
