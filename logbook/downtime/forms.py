from django import forms
from django.utils.translation import gettext_lazy as _

from logbook.core import idempotency
from logbook.core.forms import DateTimeInput, PhotoInput, VersionedFormMixin
from logbook.downtime.choices import FailureCodeList
from logbook.downtime.models import DowntimeIncident, FailureCode, ReasonCode
from logbook.equipment.forms import EquipmentPickField

TIMES = ("started_at", "responded_at", "repaired_at", "ended_at")
CLASSIFICATION = (
    "reason",
    "cause",
    "action_taken",
    "failure_mode",
    "failure_mechanism",
    "failure_cause",
    "detection_method",
)


def grouped_reasons():
    """Reason choices grouped under their category, for a select with optgroups."""
    reasons = (
        ReasonCode.objects.filter(active=True)
        .select_related("parent")
        .order_by("kind", "parent__name", "name")
    )
    categories = {reason.parent_id for reason in reasons}
    groups: dict[str, list] = {}
    for reason in reasons:
        if reason.pk in categories:
            continue  # a category is a heading, not a choice
        label = (
            f"{reason.get_kind_display()} › {reason.parent.name}"
            if reason.parent_id
            else reason.get_kind_display()
        )
        groups.setdefault(label, []).append((reason.pk, reason.name))
    return [("", "---------"), *groups.items()]


class IncidentFormMixin:
    """Times in the site's zone as native pickers; pick lists limited to their own list."""

    def validate_unique(self):
        # One open incident per equipment is checked by the service, whose message names the
        # incident already open; the constraint's own message could not.
        return

    def setup_fields(self):
        for name in TIMES:
            if name in self.fields:
                self.fields[name].widget = DateTimeInput()
        for name, list_name in (
            ("failure_mode", FailureCodeList.MODE),
            ("failure_mechanism", FailureCodeList.MECHANISM),
            ("failure_cause", FailureCodeList.CAUSE),
            ("detection_method", FailureCodeList.DETECTION),
        ):
            if name in self.fields:
                self.fields[name].queryset = FailureCode.objects.filter(list=list_name, active=True)
        if "reason" in self.fields:
            self.fields["reason"].queryset = ReasonCode.objects.filter(active=True)
            self.fields["reason"].choices = grouped_reasons()
        for name in ("symptom", "cause", "action_taken", "amend_reason"):
            if name in self.fields:
                self.fields[name].widget = forms.Textarea(attrs={"rows": 2})


class IncidentOpenForm(IncidentFormMixin, forms.ModelForm):
    """Machine down: which equipment, since when (now by default), what was seen."""

    class Meta:
        model = DowntimeIncident
        fields = ["equipment", "started_at", "symptom", "photo"]
        widgets = {"photo": PhotoInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"] = EquipmentPickField(
            user=user, required=True, label=_("Equipment")
        )
        self.setup_fields()
        self.fields["started_at"].required = False
        self.fields["started_at"].help_text = _("Leave empty for now.")
        # Not the time the page was opened (the model's default, now, would be written into
        # the field): when it is sent, or when it was saved on a tablet without a connection.
        self.initial.pop("started_at", None)
        self.fields["started_at"].initial = None
        self.fields["started_at"].show_hidden_initial = False

    def clean_started_at(self):
        return self.cleaned_data.get("started_at") or idempotency.happened_at()


class StageForm(forms.Form):
    at = forms.DateTimeField(required=False, widget=DateTimeInput(), label=_("Time"))


class IncidentCloseForm(IncidentFormMixin, forms.ModelForm):
    class Meta:
        model = DowntimeIncident
        fields = list(CLASSIFICATION)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_fields()
        for name in ("reason", "cause", "action_taken"):
            self.fields[name].required = True
        for name in CLASSIFICATION[3:]:
            self.fields[name].help_text = _("Required for an unplanned stop (a failure).")


class IncidentEditForm(VersionedFormMixin, IncidentFormMixin, forms.ModelForm):
    class Meta:
        model = DowntimeIncident
        fields = [*TIMES, "symptom", *CLASSIFICATION, "photo"]
        widgets = {"photo": PhotoInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_fields()


class IncidentAmendForm(IncidentEditForm):
    class Meta(IncidentEditForm.Meta):
        fields = [*IncidentEditForm.Meta.fields, "amend_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amend_reason"].required = True


class ClassifyForm(forms.Form):
    """One reason for several stops at once (the downtime list's tick boxes)."""

    reason = forms.ModelChoiceField(
        queryset=ReasonCode.objects.filter(active=True), label=_("Reason for the ticked stops")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = grouped_reasons()
