import datetime
from functools import partial

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logbook.core.fields import validate_plant_date


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


class YesNoField(forms.NullBooleanField):
    """Yes, no or any; anything else is refused (400 in the API), not silently ignored."""

    TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}

    def to_python(self, value):
        if value in (None, "", "unknown"):
            return None
        if value is True or value is False:
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(_("Say true or false."), code="invalid")

    def validate(self, value):
        return


class PlantDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment in a filter: refused outside the years a plant's records use, and
    taken in UTC (an offset such as +18:11, valid ISO, is refused by PostgreSQL)."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        validate_plant_date(moment)
        return moment.astimezone(datetime.UTC)


class PlantDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = PlantDateTimeField


class NOTHING:
    """A filter value that names no record: the filtered list is empty."""


class RecordIdField(django_filters.fields.ModelChoiceField):
    """A record's id in a filter. An id that names no record (or none of the user's sites)
    filters to nothing, as a search for it would; what is not an id at all is refused."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.isdigit():
            raise forms.ValidationError(_("A record's id is a whole number."), code="invalid")
        try:
            return super().to_python(text)
        except forms.ValidationError:
            return NOTHING

    def validate(self, value):
        if value is not NOTHING:
            super().validate(value)


def _filter_by_record(filter_, queryset, value):
    if value is NOTHING:
        return queryset.none()
    return type(filter_).filter(filter_, queryset, value)


class FilterSet(django_filters.FilterSet):
    """Our filter forms' defaults: yes/no filters offer Any / Yes / No and refuse anything else;
    a record filter given an id of no (visible) record gives an empty list, not an error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, filter_ in self.filters.items():
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.extra.setdefault("widget", AnyYesNo)
                filter_.field_class = YesNoField
            elif type(filter_) is django_filters.ModelChoiceFilter:
                filter_.field_class = RecordIdField
                filter_.filter = partial(_filter_by_record, filter_)
            elif isinstance(filter_, django_filters.NumberFilter) and name.endswith("_id"):
                filter_.field_class = forms.IntegerField  # an id, not 0.5


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
