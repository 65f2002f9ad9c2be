from decimal import Decimal

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from logbook.core.forms import (
    DecimalInput,
    ScopedModelForm,
    TableRowFormSet,
    VersionedFormMixin,
    password_field,
)
from logbook.equipment.forms import AssetTagField
from logbook.quality.choices import CharacteristicKind, Disposition
from logbook.quality.models import Characteristic, InspectionPlan, Nonconformance


class PlanForm(ScopedModelForm):
    # Typed, not a select of every machine of the site (thousands on a big one).
    equipment = AssetTagField(
        required=False,
        label=_("Equipment"),
        help_text=_("Asset tag, if the plan is for one machine of the line."),
    )

    class Meta:
        model = InspectionPlan
        fields = ["name", "product", "line", "equipment"]


class CharacteristicForm(forms.ModelForm):
    class Meta:
        model = Characteristic
        fields = [
            "order",
            "name",
            "kind",
            "nominal",
            "lsl",
            "usl",
            "unit",
            "decimals",
            "defect_types",
        ]
        widgets = {
            name: DecimalInput(attrs={"class": "narrow"}) for name in ("nominal", "lsl", "usl")
        } | {
            "order": forms.NumberInput(attrs={"class": "narrow"}),
            "decimals": forms.NumberInput(attrs={"class": "narrow"}),
            "unit": forms.TextInput(attrs={"class": "narrow"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False

    def has_changed(self):
        # A spare row without a name is not a characteristic.
        if not (self.data.get(self.add_prefix("name")) or "").strip():
            return False
        return super().has_changed()


CharacteristicFormSet = inlineformset_factory(
    InspectionPlan,
    Characteristic,
    form=CharacteristicForm,
    formset=TableRowFormSet,
    extra=3,
    can_delete=False,
)


class InspectionForm(forms.Form):
    """Batch, sample, and one big field per characteristic of the plan."""

    batch = forms.CharField(label=_("Batch / lot"), max_length=60)
    sample = forms.CharField(label=_("Sample"), max_length=60, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.characteristics = list(plan.characteristics.all())
        for item in self.characteristics:
            if item.kind == CharacteristicKind.VARIABLE:
                attrs = {
                    "inputmode": "decimal",
                    "class": "measure big-number",
                    "step": str(Decimal(1).scaleb(-item.decimals)),
                }
                if item.lsl is not None:
                    attrs["data-min"] = f"{item.lsl.normalize():f}"
                if item.usl is not None:
                    attrs["data-max"] = f"{item.usl.normalize():f}"
                limits = " – ".join(
                    f"{v.normalize():f}" for v in (item.lsl, item.usl) if v is not None
                )
                self.fields[f"c{item.pk}"] = forms.CharField(
                    label=f"{item.name} ({item.unit})" if item.unit else item.name,
                    widget=forms.TextInput(attrs=attrs),
                    help_text=ngettext(
                        "Limits %(limits)s, %(decimals)s decimal",
                        "Limits %(limits)s, %(decimals)s decimals",
                        item.decimals,
                    )
                    % {"limits": limits or "—", "decimals": item.decimals},
                )
            else:
                self.fields[f"c{item.pk}"] = forms.ChoiceField(
                    label=item.name,
                    choices=[("pass", _("Pass")), ("fail", _("Fail"))],
                    widget=forms.RadioSelect(attrs={"class": "chips"}),
                )
                if item.defects:
                    self.fields[f"d{item.pk}"] = forms.ChoiceField(
                        label=_("Defect (if it failed)"),
                        required=False,
                        choices=[("", "—")] + [(d, d) for d in item.defects],
                    )

    def results(self) -> dict:
        answers = {}
        for item in self.characteristics:
            raw = self.cleaned_data.get(f"c{item.pk}")
            if item.kind == CharacteristicKind.VARIABLE:
                answers[item.pk] = raw
            else:
                answers[item.pk] = {
                    "passed": None if not raw else raw == "pass",
                    "defect": self.cleaned_data.get(f"d{item.pk}", ""),
                }
        return answers


class NonconformanceForm(forms.ModelForm):
    class Meta:
        model = Nonconformance
        fields = ["title", "description", "batch", "quantity", "severity"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "severity": forms.RadioSelect(attrs={"class": "chips"}),
        }


class NonconformanceEditForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Nonconformance
        fields = [
            "title",
            "description",
            "batch",
            "quantity",
            "severity",
            "containment",
            "root_cause",
            "corrective_action",
            "preventive_action",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "description",
                "containment",
                "root_cause",
                "corrective_action",
                "preventive_action",
            )
        }


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Disposition"),
        choices=Disposition.choices,
        widget=forms.RadioSelect(attrs={"class": "chips"}),
    )
    containment = forms.CharField(
        label=_("Containment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    corrective_action = forms.CharField(
        label=_("Corrective action"), widget=forms.Textarea(attrs={"rows": 2})
    )
    preventive_action = forms.CharField(
        label=_("Preventive action"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    password = password_field(_("Closing is signed."))
