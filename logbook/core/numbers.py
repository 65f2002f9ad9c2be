"""Numbers in words for people: grouped and with the decimal separator of the page's language
(98,000.5 in English, 98.000,5 in German, 98 000,5 in Polish)."""

from django.utils import formats


def local_number(value, places: int = 0) -> str:
    # Rounded first: Django's number_format cuts a float's extra places off instead.
    return formats.number_format(round(value, places), places, use_l10n=True, force_grouping=True)


def local_percent(ratio, places: int = 1) -> str:
    """A ratio as a percentage (0.916 → 91.6 %); a dash when there is none."""
    return "—" if ratio is None else f"{local_number(ratio * 100, places)} %"
