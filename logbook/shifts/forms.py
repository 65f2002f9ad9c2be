from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logbook.core import idempotency
from logbook.core.forms import (
    DateTimeInput,
    DecimalInput,
    ScopedModelForm,
    SignatureForm,
    VersionedFormMixin,
)
from logbook.equipment.forms import EquipmentPickField
from logbook.shifts.choices import EntryCategory
from logbook.shifts.models import LogEntry, ProductionRecord, Shift, ShiftPattern


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class ShiftPatternForm(ScopedModelForm):
    class Meta:
        model = ShiftPattern
        fields = ["site", "name", "start_time", "end_time", "active"]
        widgets = {"start_time": TimeInput(), "end_time": TimeInput()}


class ShiftForm(ScopedModelForm):
    """What may change on a started shift: who leads it."""

    class Meta:
        model = Shift
        fields = ["lead"]


class LogEntryForm(VersionedFormMixin, forms.ModelForm):
    """A quick entry: category, optional equipment, text; the time defaults to now."""

    class Meta:
        model = LogEntry
        fields = ["category", "equipment", "text", "occurred_at"]
        widgets = {
            "category": forms.RadioSelect(attrs={"class": "chips"}),
            "text": forms.Textarea(attrs={"rows": 3, "placeholder": _("What happened?")}),
            "occurred_at": DateTimeInput(),
        }

    def __init__(self, *args, user, shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.shift = shift
        self.instance.shift = shift
        if not self.instance.pk:
            self.instance.author = user
        self.fields["equipment"] = EquipmentPickField(
            user=user, label=_("Equipment"), help_text=_("Asset tag or name; leave empty if none.")
        )
        self.fields["category"].choices = EntryCategory.choices
        if "occurred_at" not in self.fields:
            return  # an amendment keeps the original's time
        self.fields["occurred_at"].required = False
        if not self.instance.pk:
            # Only under an empty field: an edited entry shows its own time.
            self.fields["occurred_at"].help_text = _("Leave empty for now.")
            # Not the time the page was opened: the time the entry is saved (the model's
            # default, now, would otherwise be written into the field when the page is made).
            self.initial.pop("occurred_at", None)
            self.fields["occurred_at"].initial = None
            self.fields["occurred_at"].show_hidden_initial = False

    def clean_occurred_at(self):
        chosen = self.cleaned_data.get("occurred_at")
        if chosen:
            return chosen
        if self.instance.pk:
            return self.instance.occurred_at
        return idempotency.happened_at()  # now, or when saved offline


class LateLogEntryForm(LogEntryForm):
    """An entry added to a signed shift after its sign-off, with the reason (a late entry)."""

    class Meta(LogEntryForm.Meta):
        fields = [*LogEntryForm.Meta.fields, "amend_reason"]
        widgets = {
            **LogEntryForm.Meta.widgets,
            "amend_reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"amend_reason": _("Why it is added after the sign-off")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amend_reason"].required = True


class AmendLogEntryForm(LogEntryForm):
    class Meta(LogEntryForm.Meta):
        fields = ["category", "equipment", "text", "amend_reason"]
        widgets = {
            **LogEntryForm.Meta.widgets,
            "amend_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, original, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.amends = original
        self.instance.occurred_at = original.occurred_at
        self.fields["amend_reason"].required = True


class ProductionRecordForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = ProductionRecord
        fields = [
            "product",
            "produced_count",
            "good_count",
            "ideal_cycle_time_s",
            "planned_stop_minutes",
            "started_at",
            "from_machine",
        ]
        widgets = {
            "product": forms.TextInput(
                attrs={"list": "product-suggestions", "autocomplete": "off"}
            ),
            "produced_count": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "good_count": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "ideal_cycle_time_s": DecimalInput(),
            "planned_stop_minutes": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "started_at": DateTimeInput(),
        }

    def __init__(self, *args, user, shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.shift = shift
        if not self.instance.pk:
            self.instance.recorded_by = user
        if self.instance.started_at is None:
            # Typed counts; a product run (the machine counts it) is started on its own form.
            for name in ("started_at", "from_machine"):
                self.fields.pop(name, None)
        else:
            self.fields["from_machine"].label = _("Follow the machine's counts")
            for name in ("produced_count", "good_count"):
                self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if data.get("from_machine"):
            # The machine's counts replace whatever was typed.
            data["produced_count"] = self.instance.produced_count
            data["good_count"] = self.instance.good_count
        else:
            for name in ("produced_count", "good_count"):
                if name in self.fields and data.get(name) is None and name not in self.errors:
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return data


class ProductRunForm(VersionedFormMixin, forms.ModelForm):
    """The product the line runs now: its counting machine counts it from then, until the next
    product or the end of the shift."""

    class Meta:
        model = ProductionRecord
        fields = ["product", "ideal_cycle_time_s", "planned_stop_minutes", "started_at"]
        widgets = ProductionRecordForm.Meta.widgets

    def __init__(self, *args, user, shift, **kwargs):
        super().__init__(*args, **kwargs)
        self.shift = shift
        self.instance.shift = shift
        self.instance.recorded_by = user
        self.instance.from_machine = True
        self.fields["started_at"].required = False
        self.fields["started_at"].help_text = _("Leave empty for now.")
        self.initial.pop("started_at", None)

    def clean_started_at(self):
        return self.cleaned_data.get("started_at") or max(timezone.now(), self.shift.starts_at)


class AmendProductionRecordForm(ProductionRecordForm):
    class Meta(ProductionRecordForm.Meta):
        fields = [*ProductionRecordForm.Meta.fields, "amend_reason"]
        widgets = {
            **ProductionRecordForm.Meta.widgets,
            "amend_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, original, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.amends = original
        self.fields["amend_reason"].required = True


class HandoverForm(forms.Form):
    summary = forms.CharField(
        label=_("What the records cannot say"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Production, downtime, work, inspections, PM due and lockouts are carried over from "
            "the records: add what to watch, what you noticed, what you promised."
        ),
    )
    open_items = forms.CharField(
        label=_("Open items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("One per line")}),
        help_text=_("One per line; they follow the line until someone closes them."),
    )

    def clean_open_items(self):
        return [
            line.strip() for line in self.cleaned_data["open_items"].splitlines() if line.strip()
        ]


class CloseOpenItemForm(forms.Form):
    note = forms.CharField(label=_("How it was dealt with"), required=False)


class ShiftSignOffForm(SignatureForm):
    """The supervisor's signature on a shift; before the shift may be signed (``too_early``
    names why), a reason is asked for and kept in the signature."""

    reason = forms.CharField(
        label=_("Reason for signing off now"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["meaning", "reason", "password"]

    def __init__(self, *args, too_early=(), **kwargs):
        super().__init__(*args, **kwargs)
        if too_early:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = " ".join(str(why) for why in too_early)
        else:
            del self.fields["reason"]
