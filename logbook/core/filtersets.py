import django_filters
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


class SearchFilterSet(django_filters.FilterSet):
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
