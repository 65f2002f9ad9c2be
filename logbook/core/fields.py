"""Model fields every app shares."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The longest free text a record takes (characters): a page of a shift report, far beyond any
# note a technician types, and a bound on what a hostile client can make the database store.
TEXT_MAX_LENGTH = 10_000


class TextField(models.TextField):
    """Free text with a sane maximum, checked by the model (``full_clean``), its forms (the
    textarea's maxlength) and the API (DRF reads ``max_length``): one limit on every path."""

    def __init__(self, *args, max_length=TEXT_MAX_LENGTH, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))


# A plant's records fall in these years; a date outside them is a typing error or a hostile
# client (year 1 and year 9999 overflow when shifted between time zones).
EARLIEST_YEAR, LATEST_YEAR = 1950, 2150


def validate_plant_date(value) -> None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("%(year)d is outside the years a plant's records use (%(first)d–%(last)d)."),
            code="date_out_of_range",
            params={"year": value.year, "first": EARLIEST_YEAR, "last": LATEST_YEAR},
        )


class DateTimeField(models.DateTimeField):
    """A moment in the plant's life: refused outside EARLIEST_YEAR–LATEST_YEAR on every path."""

    default_validators = [validate_plant_date]


class DateField(models.DateField):
    """A day in the plant's life: refused outside EARLIEST_YEAR–LATEST_YEAR on every path."""

    default_validators = [validate_plant_date]


class DecimalField(models.DecimalField):
    """A number people type: its form field takes the number as the person's language writes
    it (12,5 in German, Spanish and Polish; 12.5 in English) and shows it back the same way,
    with the numeric keypad on a tablet. Stored as Django's DecimalField (the migrations say
    so), so the change is the forms' alone."""

    def formfield(self, **kwargs):
        from logbook.core.forms import DecimalInput

        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", DecimalInput)
        return super().formfield(**kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
