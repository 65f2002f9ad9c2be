from django import template
from django.http import QueryDict

from logbook.reports.dashboard import percent

register = template.Library()


@register.filter(name="percent")
def percent_filter(value, digits=1):
    """A 0–1 ratio as "74.8 %"; an em dash where there is none."""
    return percent(
        None if value == "" else float(value) if value is not None else None, int(digits)
    )


@register.simple_tag
def query_with(query: str, **changes) -> str:
    """``query`` (a URL-encoded query string) with some parameters replaced."""
    params = QueryDict(query, mutable=True)
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
