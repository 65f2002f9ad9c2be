from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logbook.core.forms import DateInput, DateTimeInput, ScopedModelForm
from logbook.core.validators import timezone_names
from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)


class SiteForm(ScopedModelForm):
    timezone = forms.TypedChoiceField(
        label=_("Time zone"),
        choices=lambda: [("", "---------")] + [(name, name) for name in timezone_names()],
    )

    class Meta:
        model = Site
        fields = ["code", "name", "timezone"]


class AreaForm(ScopedModelForm):
    class Meta:
        model = Area
        fields = ["site", "name"]


class LineForm(ScopedModelForm):
    class Meta:
        model = Line
        fields = ["area", "code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.select_related("site")


class EquipmentClassForm(ScopedModelForm):
    class Meta:
        model = EquipmentClass
        fields = ["code", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class EquipmentForm(ScopedModelForm):
    class Meta:
        model = Equipment
        fields = [
            "asset_tag",
            "name",
            "line",
            "parent",
            "equipment_class",
            "manufacturer",
            "model",
            "serial_number",
            "criticality",
            "status",
            "commissioned_on",
        ]
        widgets = {"commissioned_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = self.fields["line"].queryset.select_related("area__site")
        parents = self.fields["parent"].queryset.only("pk", "asset_tag", "name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class MeterForm(ScopedModelForm):
    class Meta:
        model = Meter
        fields = ["equipment", "name", "unit", "resets"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"].queryset = self.fields["equipment"].queryset.only(
            "pk", "asset_tag", "name"
        )


class MeterReadingForm(ScopedModelForm):
    """A reading of one meter (the meter comes from the page, not from the form)."""

    class Meta:
        model = MeterReading
        fields = ["value", "taken_at"]
        widgets = {
            "value": forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            "taken_at": DateTimeInput(),
        }

    def __init__(self, *args, meter, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meter = meter
        self.fields["taken_at"].required = False
        self.fields["taken_at"].initial = None
        self.fields["taken_at"].help_text = _("Leave empty for now.")
        self.fields["value"].label = _("Value (%(unit)s)") % {"unit": meter.unit}

    def clean_taken_at(self):
        return self.cleaned_data.get("taken_at") or timezone.now()
