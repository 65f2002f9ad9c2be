import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logbook.core.fields import validate_plant_date

DEFAULT_DAYS = 30


class PeriodForm(forms.Form):
    """A period of whole local days: [from 00:00, to + 1 day 00:00) in the site's zone."""

    period_from = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plant_date],
    )
    period_to = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_plant_date],
    )

    def __init__(self, data=None, *, zone, **kwargs):
        self.zone = zone
        today = timezone.localdate(timezone=zone)
        initial = {
            "period_from": today - datetime.timedelta(days=DEFAULT_DAYS - 1),
            "period_to": today,
        }
        if data is not None and not any(name in data for name in initial):
            data = None
        super().__init__(data, initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        return cleaned

    def period(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The aware [start, end) of the chosen days (or of the default last 30 days)."""
        values = self.cleaned_data if self.is_bound and self.is_valid() else self.initial
        start = datetime.datetime.combine(values["period_from"], datetime.time(0), tzinfo=self.zone)
        end_day = values["period_to"] + datetime.timedelta(days=1)
        return start, datetime.datetime.combine(end_day, datetime.time(0), tzinfo=self.zone)
