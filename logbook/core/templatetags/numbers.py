from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def number(value, decimals=None):
    """A stored decimal at its own precision: ``decimals`` places where the record names them
    (a characteristic's), else as typed, without the zeros its column pads it with (1.6, 6)."""
    if value is None or value == "":
        return ""
    if decimals not in (None, ""):
        return floatformat(value, int(decimals))
    try:
        places = max(0, -Decimal(str(value)).normalize().as_tuple().exponent)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return floatformat(value, places)
