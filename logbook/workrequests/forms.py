from django import forms
from django.utils.translation import gettext_lazy as _

from logbook.core.forms import DateTimeInput, PhotoInput
from logbook.equipment.forms import EquipmentPickField
from logbook.maintenance.choices import Priority
from logbook.workrequests.models import WorkRequest


class WorkRequestForm(forms.ModelForm):
    """Request work: which machine, what is wrong, how urgent, a photo if it helps."""

    class Meta:
        model = WorkRequest
        fields = ["equipment", "description", "urgency", "photo"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "urgency": forms.RadioSelect(attrs={"class": "chips"}),
            "photo": PhotoInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["equipment"] = EquipmentPickField(
            user=user, required=True, label=_("Equipment")
        )
        self.fields["urgency"].choices = Priority.choices  # no empty choice: a tap picks one


class ConvertForm(forms.Form):
    """Turn a request into a work order: the title and priority start from the request."""

    title = forms.CharField(label=_("What needs doing"), max_length=160)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "chips"}),
    )
    due_at = forms.DateTimeField(
        label=_("Due"), required=False, widget=DateTimeInput(), help_text=_("Leave empty for now.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from logbook.accounts.models import User

        self.fields["assigned_to"] = forms.ModelChoiceField(
            label=_("Assign to"),
            required=False,
            queryset=User.objects.for_user(user).filter(groups__name="technician").distinct(),
        )
