"""Who may open a page: one answer for the view that refuses and for the page that links to it.

A view declares its permissions once (``permission_required`` below for function views, the
``PermissionRequiredMixin`` of class views); ``may_open`` reads that same declaration, so a
button or link is shown exactly when following it is allowed (the ``allowed_url`` template tag
and ``link_if_allowed`` for tables).
"""

from functools import wraps

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve


def permission_required(*perms, raise_exception=True):
    """Refuse (403) a user without every one of ``perms``; the view remembers what it needs."""
    del raise_exception  # always refused with a 403: login_required sends strangers to log in

    def decorate(view):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        checked.required_permissions = perms
        return checked

    return decorate


def required_permissions(func) -> tuple[str, ...]:
    """The permissions the view behind a resolved URL needs (none declared: none)."""
    declared = getattr(func, "required_permissions", None)
    if declared is not None:
        return tuple(declared)
    view_class = getattr(func, "view_class", None)
    if view_class is not None and issubclass(view_class, PermissionRequiredMixin):
        return tuple(view_class(**func.view_initkwargs).get_permission_required())
    return ()


def may_open(user, url: str) -> bool:
    """Whether ``user`` may follow ``url`` (a path of this app) without being refused."""
    try:
        match = resolve(url.split("?", 1)[0].split("#", 1)[0])
    except Resolver404:
        return False
    return user.has_perms(required_permissions(match.func))


def link_if_allowed(record, table):
    """A table's ``linkify``: the record's page, only for a user who may open it."""
    url = record.get_absolute_url()
    request = getattr(table, "request", None)
    return url if request is not None and may_open(request.user, url) else None
