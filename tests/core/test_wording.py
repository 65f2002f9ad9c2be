"""Words a new user reads: help that adds something to its label, plural forms for numbers."""

import importlib
import inspect
import re
from decimal import Decimal

from django import forms
from django.apps import apps


def _words(text) -> str:
    return re.sub(r"[^a-z0-9 ]", "", str(text).lower()).strip()


def _repeats(label, help_text) -> bool:
    label, help_text = _words(label), _words(help_text)
    return bool(help_text) and (help_text == label or help_text in label)


def test_no_model_field_help_repeats_its_label():
    """The failure codes' help was their own label ("Failure mode" under "failure mode")."""
    repeated = [
        f"{model._meta.label}.{field.name}: {field.help_text!r}"
        for model in apps.get_models()
        if model.__module__.startswith("logbook.")
        for field in model._meta.get_fields()
        if getattr(field, "help_text", "")
        and _repeats(getattr(field, "verbose_name", ""), field.help_text)
    ]
    assert not repeated


def test_no_form_field_help_only_names_the_label_again():
    """ "Equipment" with the help "Asset tag." said nothing the field did not."""
    repeated = []
    for app in ("accounts", "equipment", "shifts", "downtime", "maintenance", "quality"):
        try:
            module = importlib.import_module(f"logbook.{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm):
                continue
            for field_name, field in form.base_fields.items():
                help_text = _words(field.help_text)
                if help_text and (
                    _repeats(field.label or field_name, help_text) or len(help_text.split()) < 3
                ):
                    repeated.append(f"{name}.{field_name}: {field.help_text!r}")
    assert not repeated


def test_intervals_and_tolerances_read_in_the_singular_for_one(as_user, planner, pm_schedule):
    """ "every 1 days", "± 1 days"."""
    from logbook.maintenance.models import MaintenanceSchedule

    MaintenanceSchedule.objects.filter(pk=pm_schedule.pk).update(tolerance_days=1)
    html = as_user(planner).get(pm_schedule.get_absolute_url()).content.decode()
    assert "every month" in html and "± 1 day<" in html
    for interval, unit, label in [
        (1, "days", "every day"),
        (2, "weeks", "every 2 weeks"),
        (3, "months", "every 3 months"),
    ]:
        pm_schedule.interval, pm_schedule.interval_unit = Decimal(interval), unit
        assert pm_schedule.interval_label == label


def test_lists_count_what_they_hold_and_filter_by_names(as_user, supervisor, shift, patterns):
    """ "201 rows" and a raw "Pattern id" number box."""
    html = as_user(supervisor).get("/shifts/").content.decode()
    assert ">1 shift<" in html and " rows" not in html
    assert "Pattern id" not in html
    assert f'<option value="{patterns["Early"].pk}">' in html
    filtered = as_user(supervisor).get(f"/shifts/?pattern_id={patterns['Late'].pk}")
    assert ">0 shifts<" in filtered.content.decode()
