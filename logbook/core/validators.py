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


# What a phone or tablet camera and a screenshot produce, by Pillow's name for the format.
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
# The file names a photo field takes (its content is checked by ``validate_photo``).
PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]


def validate_photo(upload) -> None:
    """A photo is an image by its content (Pillow opens it), not by its name, and no bigger than
    ``PHOTO_MAX_MB``: anything else is refused before it is stored."""
    from django.conf import settings
    from PIL import Image, UnidentifiedImageError

    limit = settings.PHOTO_MAX_MB * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The photo is %(size).1f MB; at most %(limit)d MB are taken."),
            code="photo_too_big",
            params={"size": upload.size / 1024 / 1024, "limit": settings.PHOTO_MAX_MB},
        )
    # Only a file that arrives now is checked; one stored earlier passed this check then.
    if getattr(upload, "_committed", True):
        return
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    finally:
        upload.seek(position)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(
            _("This file is not a photo (JPEG, PNG or WebP)."), code="not_a_photo"
        )
