from django import forms


class ScopedModelForm(forms.ModelForm):
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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker (big on a tablet); values are in the active (site) zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
