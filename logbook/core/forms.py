from decimal import Decimal

from django import forms
from django.forms import BaseInlineFormSet
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from logbook.core.versions import check_version, record_version


class VersionedFormMixin:
    """An edit form that carries the version of the record it shows (core.versions): saving over
    someone else's later change is refused with 409 and what they changed, never silent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and hasattr(type(self.instance), "history"):
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=record_version(self.instance)
            )
        else:
            self.fields.pop("version", None)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.fields:
            # Not a field of the record: the services that save the form never see it.
            check_version(self.instance, cleaned.pop("version", None))
        return cleaned


class VersionedAdminForm(VersionedFormMixin, forms.ModelForm):
    """The admin's change forms: the version is a declared field, as the admin's fieldsets
    need, and is checked like on the pages."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ScopedModelForm(VersionedFormMixin, forms.ModelForm):
    """A model form that offers only the related rows of the user's sites.

    Every choice field whose model is site-scoped is narrowed with ``for_user``: a planner of one
    site cannot even pick another site's line, and a forged id is refused as an invalid choice.
    """

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_user"):
                field.queryset = queryset.for_user(user)


def plain_number(value) -> str:
    """A decimal without the zeros its column pads it with: 1.6, not 1.600000; 6, not 6.00."""
    return f"{Decimal(value).normalize():f}"


class DecimalInput(forms.TextInput):
    """A number field that shows a stored decimal as it was typed (1.6, not 1.600000), with the
    decimal separator of the person's language (1,6 in German), and takes it back that way
    (its form field is ``localize=True``). Text, not type=number, which would refuse a comma in
    a browser set to English; the tablet still shows its numeric keypad."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return plain_number(value).replace(".", formats.get_format("DECIMAL_SEPARATOR"))
        return super().format_value(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker (big on a tablet); values are in the active (site) zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


SIGNING_IS_DELIBERATE = _("Signing is deliberate: re-enter your password.")


def password_field(help_text=SIGNING_IS_DELIBERATE):
    """The signer's password, re-entered (21 CFR Part 11 §11.200)."""
    return forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=help_text,
    )


class PhotoInput(forms.ClearableFileInput):
    """A photo field as a big button that opens the tablet's back camera (a file chooser on a
    desktop)."""

    def __init__(self, attrs=None):
        super().__init__(
            {"accept": "image/*", "capture": "environment", "class": "photo-input", **(attrs or {})}
        )


class SignatureForm(forms.Form):
    """An electronic signature: what it means, and the signer's password re-entered."""

    meaning = forms.ChoiceField(
        label=_("Meaning of the signature"),
        choices=[("reviewed", _("Reviewed")), ("approved", _("Approved"))],
        initial="reviewed",
        widget=forms.RadioSelect(attrs={"class": "chips"}),
    )
    password = password_field()


class PasswordForm(forms.Form):
    """A signature whose meaning the action fixes: only the password is asked."""

    password = password_field()


class AmendmentForm(forms.Form):
    """A correction to a record that no longer changes, and why."""

    text = forms.CharField(label=_("Correction"), widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(
        label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 2})
    )


class TableRowFormSet(BaseInlineFormSet):
    """An inline formset drawn as a table under one row of headings, with no label element per
    field: each field says its heading and its row to a screen reader instead."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = _("row %(n)s") % {"n": (index or 0) + 1}
        for field in form.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{field.label}, {row}"
