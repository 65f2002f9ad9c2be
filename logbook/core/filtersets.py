import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def scoped(model, *related: str):
    """A queryset callable for filters: the choices of the requesting user's sites only.

    ``related`` are the joins the choices' labels need (one query, not one per option).
    """

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.for_user(request.user).select_related(*related)

    return queryset


class AnyYesNo(forms.Select):
    """A yes/no filter that reads "Any" when it does not filter (not Django's "Unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))])


class FilterSet(django_filters.FilterSet):
    """Our filter forms' defaults: yes/no filters offer Any / Yes / No."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.extra.setdefault("widget", AnyYesNo)


class SearchFilterSet(FilterSet):
    """A filterset with ``q``: free text over the fields named in ``search_fields``."""

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)
