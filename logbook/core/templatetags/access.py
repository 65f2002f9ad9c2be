from django import template
from django.urls import reverse

from logbook.core.access import may_open

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed_url(context, view_name, *args):
    """The URL of ``view_name`` when the page's user may open it, else "" (show no button)."""
    url = reverse(view_name, args=args)
    request = context.get("request")
    return url if request is not None and may_open(request.user, url) else ""
