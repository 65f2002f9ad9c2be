from decimal import Decimal

from django import forms
from django.db.models import Max, Q
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from logbook.accounts.models import Certification
from logbook.core.forms import (
    DateInput,
    DateTimeInput,
    DecimalInput,
    ScopedModelForm,
    TableRowFormSet,
    VersionedFormMixin,
)
from logbook.equipment.forms import AssetTagField
from logbook.equipment.models import Equipment
from logbook.maintenance.choices import ItemKind, Priority
from logbook.maintenance.models import ChecklistItem, MaintenanceSchedule, SparePart, WorkOrder


class ScheduleForm(ScopedModelForm):
    equipment = AssetTagField(
        label=_("Equipment"), help_text=_("The tag on its label, e.g. L1-FIL-01.")
    )

    class Meta:
        model = MaintenanceSchedule
        fields = [
            "equipment",
            "title",
            "interval",
            "interval_unit",
            "meter",
            "anchor",
            "anchor_date",
            "tolerance_days",
            "estimated_minutes",
            "priority",
            "lockout_required",
            "energy_sources",
            "required_class",
            "active",
        ]
        widgets = {"anchor_date": DateInput(), "interval": DecimalInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The meters of the schedule's equipment only: a select of every meter of a site of
        # thousands of machines would be a page of megabytes. Without the equipment yet, the
        # list fills in once the tag is typed (logbook.js asks the API; the page works without).
        meter = self.fields["meter"]
        equipment = self._equipment()
        meter.queryset = (
            meter.queryset.filter(equipment=equipment) if equipment else meter.queryset.none()
        )
        meter.label_from_instance = lambda m: f"{m.name} ({m.unit})"
        meter.help_text = _("A meter of the equipment above (for a schedule by meter).")
        meter.widget.attrs.update(
            {"data-meters-of": self["equipment"].auto_id, "data-meters-url": reverse("meters-list")}
        )

    def _equipment(self):
        if self.is_bound:
            try:
                return self.fields["equipment"].clean(self["equipment"].data)
            except forms.ValidationError:
                return None
        if self.instance.equipment_id:
            return self.instance.equipment
        equipment = self.initial.get("equipment")
        return equipment if isinstance(equipment, Equipment) else None


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["order", "text", "kind", "unit", "lower_limit", "upper_limit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False

    def has_changed(self):
        # A spare row left without text is not an item, whatever its kind and order say.
        if not self.instance.pk and not (self.data.get(self.add_prefix("text")) or "").strip():
            return False
        return super().has_changed()


ChecklistFormSet = inlineformset_factory(
    MaintenanceSchedule,
    ChecklistItem,
    form=ChecklistItemForm,
    formset=TableRowFormSet,
    fields=["order", "text", "kind", "unit", "lower_limit", "upper_limit"],
    extra=3,
    can_delete=True,
    widgets={
        "order": forms.NumberInput(attrs={"class": "narrow"}),
        "unit": forms.TextInput(attrs={"class": "narrow"}),
        "lower_limit": DecimalInput(attrs={"class": "narrow"}),
        "upper_limit": DecimalInput(attrs={"class": "narrow"}),
    },
)


def checklist_formset(data, instance=None):
    """The checklist rows of a schedule, the spare ones numbered on from the last item."""
    instance = instance or MaintenanceSchedule()
    after = (instance.checklist.aggregate(last=Max("order"))["last"] or 0) if instance.pk else 0
    spare = ChecklistFormSet.extra
    return ChecklistFormSet(
        data,
        instance=instance,
        prefix="checklist",
        initial=[{"order": after + number} for number in range(1, spare + 1)],
    )


class CorrectiveForm(forms.Form):
    """Raise a repair: what, how urgent, by when, for whom."""

    title = forms.CharField(label=_("What needs doing"), max_length=160)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
        widget=forms.RadioSelect(attrs={"class": "chips"}),
    )
    due_at = forms.DateTimeField(
        label=_("Due"), required=False, widget=DateTimeInput(), help_text=_("Leave empty for now.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from logbook.accounts.models import User

        self.fields["equipment"] = AssetTagField(label=_("Equipment"))
        self.fields["equipment"].queryset = self.fields["equipment"].queryset.for_user(user)
        self.fields["assigned_to"] = forms.ModelChoiceField(
            label=_("Assign to"),
            required=False,
            queryset=User.objects.for_user(user).filter(groups__name="technician").distinct(),
        )
        self.order_fields(
            ["equipment", "title", "description", "priority", "due_at", "assigned_to"]
        )


class PlanForm(ScopedModelForm):
    class Meta:
        model = WorkOrder
        fields = ["title", "description", "priority", "due_at", "assigned_to"]
        widgets = {"due_at": DateTimeInput(), "description": forms.Textarea(attrs={"rows": 3})}


class PartSearchField(forms.Field):
    """A spare part found by typing: its number, or part of its number or name in any case
    ("bearing" finds "Ball bearing 6204"); the page suggests the parts as one types."""

    default_error_messages = {
        "unknown": _("No spare part with this number or name."),
        "ambiguous": _("Several parts match: pick one from the list or type its number."),
    }
    widget = forms.TextInput(
        attrs={"list": "parts-list", "autocomplete": "off", "class": "part-search"}
    )

    def prepare_value(self, value):
        return value.part_number if isinstance(value, SparePart) else value

    def to_python(self, value):
        if isinstance(value, SparePart) or value in self.empty_values:
            return value or None
        text = str(value).strip()
        number = text.split(" – ", 1)[0].strip()
        found = list(SparePart.objects.filter(part_number__iexact=number)[:2]) or list(
            SparePart.objects.filter(
                Q(part_number__icontains=text) | Q(description__icontains=text)
            ).order_by("part_number")[:2]
        )
        if not found:
            raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        if len(found) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
        return found[0]


class PartLineForm(forms.Form):
    part = PartSearchField(required=False, label=_("Part (number or name)"))
    quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        min_value=Decimal("0.01"),
        localize=True,
        widget=DecimalInput(),
    )

    def clean(self):
        data = super().clean()
        if data.get("part") and not data.get("quantity"):
            self.add_error("quantity", _("How many?"))
        return data


# One row to start; the page adds a row per part (“Add a part”).
PartLinesFormSet = forms.formset_factory(PartLineForm, extra=1)


class CompleteForm(forms.Form):
    """The checklist, findings and labour. Parts come in their own formset."""

    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    labour_minutes = forms.IntegerField(label=_("Labour (minutes)"), required=False, min_value=0)

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(work_order.checklist.all())
        for row in self.rows:
            if row.kind == ItemKind.CHECK:
                self.fields[f"done_{row.pk}"] = forms.TypedChoiceField(
                    label=row.text,
                    choices=[("yes", _("Done")), ("no", _("Not done"))],
                    widget=forms.RadioSelect(attrs={"class": "chips"}),
                    required=False,
                )
            elif row.kind == ItemKind.MEASURE:
                attrs = {"class": "measure"}
                if row.lower_limit is not None:
                    attrs["data-min"] = row.lower_limit
                if row.upper_limit is not None:
                    attrs["data-max"] = row.upper_limit
                limits = " – ".join(
                    f"{value.normalize():f}"
                    for value in (row.lower_limit, row.upper_limit)
                    if value is not None
                )
                self.fields[f"value_{row.pk}"] = forms.DecimalField(
                    label=f"{row.text} ({row.unit})" if row.unit else row.text,
                    required=False,
                    localize=True,
                    widget=DecimalInput(attrs=attrs),
                    help_text=_("Limits: %(limits)s") % {"limits": limits} if limits else "",
                )
            self.fields[f"note_{row.pk}"] = forms.CharField(
                label=_("Note") if row.kind != ItemKind.NOTE else row.text,
                required=False,
            )
            # As answered so far: the answers are kept step by step (checklist_save).
            if row.done is not None:
                self.initial.setdefault(f"done_{row.pk}", "yes" if row.done else "no")
            if row.value is not None:
                self.initial.setdefault(f"value_{row.pk}", f"{row.value.normalize():f}")
            self.initial.setdefault(f"note_{row.pk}", row.note)
        self.initial.setdefault("findings", work_order.findings)
        self.initial.setdefault("labour_minutes", work_order.labour_minutes)
        # The steps first, then what was found and how long it took.
        self.order_fields(
            [name for name in self.fields if name not in ("findings", "labour_minutes")]
        )

    def results(self):
        answers = []
        for row in self.rows:
            answer = {"id": row.pk, "note": self.cleaned_data.get(f"note_{row.pk}", "")}
            if row.kind == ItemKind.CHECK:
                choice = self.cleaned_data.get(f"done_{row.pk}")
                answer["done"] = None if not choice else choice == "yes"
            elif row.kind == ItemKind.MEASURE:
                answer["value"] = self.cleaned_data.get(f"value_{row.pk}")
            answers.append(answer)
        return answers


class LockForm(forms.Form):
    """One energy source and the lock (and tag) put on it."""

    source = forms.CharField(label=_("Energy source"), max_length=120, required=False)
    lock_number = forms.CharField(
        label=_("Lock no."),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    tag_number = forms.CharField(
        label=_("Tag no."),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


LockFormSet = forms.formset_factory(LockForm, extra=0)


def lock_formset(work_order, data=None):
    """One row per energy source the schedule names (and none of them on yet), then two for
    sources typed on the spot."""
    on = set(
        work_order.isolation_points.filter(removed_at__isnull=True).values_list("source", flat=True)
    )
    sources = []
    if work_order.schedule_id:
        sources = [
            line.strip()
            for line in work_order.schedule.energy_sources.splitlines()
            if line.strip() and line.strip() not in on
        ]
    initial = [{"source": source} for source in sources] + [{}, {}]
    return LockFormSet(data, initial=initial, prefix="locks")


class LockRemoveForm(forms.Form):
    points = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Locks removed"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "chips"}),
        error_messages={"required": _("Tick the locks you removed.")},
    )
    startup_checked = forms.BooleanField(
        label=_("Start-up check done: guards back, people clear, machine tried"),
        required=False,
    )
    note = forms.CharField(label=_("Start-up note"), required=False, max_length=500)

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        points = self.fields["points"]
        points.queryset = work_order.isolation_points.filter(removed_at__isnull=True)
        points.label_from_instance = lambda point: (
            f"{point.lock_number} · {point.source}"
            + (f" ({_('tag')} {point.tag_number})" if point.tag_number else "")
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SparePartForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = SparePart
        fields = ["part_number", "description", "unit", "stock", "reorder_point", "location"]
        widgets = {"stock": DecimalInput(), "reorder_point": DecimalInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)  # parts are not site-scoped: ``user`` is not needed


class CertificationForm(ScopedModelForm):
    class Meta:
        model = Certification
        fields = ["user", "equipment_class", "reference", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}
