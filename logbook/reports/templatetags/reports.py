from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def percent(value, digits=1):
    """A 0–1 ratio as "74.8 %"; an em dash where there is none."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f} %"


@register.simple_tag
def query_with(query: str, **changes) -> str:
    """``query`` (a URL-encoded query string) with some parameters replaced."""
    params = QueryDict(query, mutable=True)
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
