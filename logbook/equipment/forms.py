import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logbook.core.forms import DateInput, DateTimeInput, ScopedModelForm
from logbook.core.validators import timezone_names
from logbook.equipment.choices import EquipmentStatus
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
        fields = ["area", "code", "name", "oee_target"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = self.fields["area"].queryset.select_related("site")
        # Left empty, a line keeps (or gets) the usual target.
        self.fields["oee_target"].required = False

    def clean_oee_target(self):
        value = self.cleaned_data.get("oee_target")
        if value is None:
            return self.instance.oee_target if self.instance.pk else Line.oee_target.field.default
        return value


class EquipmentClassForm(ScopedModelForm):
    class Meta:
        model = EquipmentClass
        fields = ["code", "name", "description", "min_stop_seconds", "heartbeat_seconds"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def _typed(value) -> str:
    """What was typed, trimmed; refused before it reaches a query if it holds a NUL character
    (PostgreSQL cannot even compare one: the lookup would fail, not miss)."""
    text = str(value).strip()
    ProhibitNullCharactersValidator()(text)
    return text


class AssetTagField(forms.ModelChoiceField):
    """Pick equipment by typing its asset tag (it is on the machine's label).

    A select of every machine of a large site would hold thousands of options; a tag is quicker
    to type on a tablet, and an unknown or foreign tag is refused like any invalid choice.
    """

    widget = forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"})
    default_error_messages = {
        "invalid_choice": _("No equipment with this asset tag on your sites."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("to_field_name", "asset_tag")
        super().__init__(Equipment.objects.all(), **kwargs)

    def prepare_value(self, value):
        # An edit form's initial value is the equipment's id: show its tag, as it was typed.
        if isinstance(value, Equipment):
            return value.asset_tag
        if isinstance(value, int):
            tag = Equipment.objects.filter(pk=value).values_list("asset_tag", flat=True).first()
            return tag or value
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Equipment):
            return value
        tag = _typed(value)
        # Case-insensitive, as people type; the exact tag wins if two differ only in case.
        found = list(self.queryset.filter(asset_tag__iexact=tag)[:2])
        exact = [equipment for equipment in found if equipment.asset_tag == tag]
        if len(found) == 1 or exact:
            return (exact or found)[0]
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class EquipmentForm(ScopedModelForm):
    parent = AssetTagField(
        required=False,
        label=_("Part of"),
        help_text=_("Asset tag of the machine this is a component of, if any."),
    )

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
            "counts_line_output",
        ]
        widgets = {"commissioned_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = self.fields["line"].queryset.select_related("area__site")


class MeterForm(ScopedModelForm):
    equipment = AssetTagField(
        label=_("Equipment"), help_text=_("The tag on its label, e.g. L1-FIL-01.")
    )

    class Meta:
        model = Meter
        fields = ["equipment", "name", "unit", "resets"]


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


# The address on a machine's QR label (its floor card): /equipment/<id>/card/.
LABEL_ADDRESS = re.compile(r"/equipment/(\d+)/(?:card/)?(?:[?#].*)?$")


class EquipmentPickField(forms.Field):
    """Equipment typed by asset tag or name, or picked from the suggestions (“TAG – name”)."""

    default_error_messages = {
        "unknown": _("No equipment with this asset tag or name on your sites."),
        "ambiguous": _("Several machines have this name: type the asset tag."),
    }
    widget = forms.TextInput(attrs={"autocomplete": "off", "list": "equipment-suggestions"})

    def __init__(self, *, user, **kwargs):
        self.user = user
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Equipment):
            return f"{value.asset_tag} – {value.name}"
        return value

    def to_python(self, value):
        if isinstance(value, Equipment) or value in self.empty_values:
            return value or None
        text = _typed(value)
        tag = text.split(" – ", 1)[0].strip()
        visible = Equipment.objects.for_user(self.user)
        scanned = LABEL_ADDRESS.search(text)
        if scanned:  # the address a machine's QR label holds, read by the camera
            found = list(visible.filter(pk=int(scanned.group(1))))
        else:
            found = (
                list(visible.filter(asset_tag__iexact=tag)[:2])
                or list(visible.filter(name__iexact=text)[:2])
                # Part of a name or tag, in any case: "labeler" finds "Roll-fed labeler".
                or list(
                    visible.filter(Q(name__icontains=text) | Q(asset_tag__icontains=text))
                    .exclude(status=EquipmentStatus.DECOMMISSIONED)
                    .order_by("asset_tag")[:2]
                )
            )
        if not found:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        if len(found) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        return found[0]
