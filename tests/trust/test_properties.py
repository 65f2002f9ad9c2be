"""Property-based: the services and the forms, driven with generated input, end in a saved
record or a clear validation error (or a refusal that says why), never another exception.

Bounded (a few dozen examples each, derandomised) so that CI stays well inside its time.
"""

import contextlib
import datetime
import decimal
import inspect

import pytest
from django import forms as django_forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from logbook.core.exceptions import Conflict
from logbook.downtime import services as downtime
from logbook.equipment.services import meter_reading_record
from logbook.maintenance import services as maintenance
from logbook.shifts import services as shifts

EXPECTED = (ValidationError, PermissionDenied, Conflict)
BOUNDED = hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)

# Text as people and hostile clients type it: markup, NUL, emoji, huge, empty.
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "<script>", "=HYPERLINK(1)", "x" * 20_000, "😀" * 5]),
)
# What a service is handed: the pages and the API parse numbers first (they refuse "inf" and
# "NaN" as text), so a service sees integers and finite decimals, of any size and sign.
numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=None),
)
# What a form is handed: any text, numbers in every spelling included.
typed_numbers = st.one_of(
    numbers.map(str),
    st.sampled_from(["inf", "-Infinity", "NaN", "1e309", "1,5", "0x10", "٣", "10**9"]),
)
moments = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime.datetime(1, 1, 2),
        max_value=datetime.datetime(9999, 12, 30),
        timezones=st.just(datetime.UTC),
    ),
)


def _attempt(call):
    """Run ``call`` in a savepoint: it saves, or refuses with a reason; nothing else."""
    try:
        with transaction.atomic():
            return call()
    except EXPECTED:
        return None


@BOUNDED
@given(text=texts, category=texts, occurred_at=moments)
def test_a_log_entry_is_saved_or_refused(shift, technician, text, category, occurred_at):
    _attempt(
        lambda: shifts.log_entry_add(
            shift=shift, user=technician, text=text, category=category, occurred_at=occurred_at
        )
    )


@BOUNDED
@given(produced=numbers, good=numbers, cycle=numbers, stops=numbers, product=texts)
def test_production_counts_are_saved_or_refused(
    shift, technician, produced, good, cycle, stops, product
):
    _attempt(
        lambda: shifts.production_record_add(
            shift=shift,
            user=technician,
            product=product,
            produced_count=produced,
            good_count=good,
            ideal_cycle_time_s=cycle,
            planned_stop_minutes=stops,
        )
    )


@BOUNDED
@given(symptom=texts, started_at=moments, ended_at=moments)
def test_a_stop_is_saved_or_refused(filler, technician, symptom, started_at, ended_at):
    _attempt(
        lambda: downtime.incident_open(
            equipment=filler,
            user=technician,
            symptom=symptom,
            started_at=started_at,
            ended_at=ended_at,
        )
    )


@BOUNDED
@given(title=texts, description=texts, priority=numbers, due_at=moments)
def test_a_work_order_is_saved_or_refused(filler, planner, title, description, priority, due_at):
    _attempt(
        lambda: maintenance.work_order_create(
            equipment=filler,
            user=planner,
            title=title,
            description=description,
            priority=priority,
            due_at=due_at,
        )
    )


@BOUNDED
@given(value=numbers, taken_at=moments)
def test_a_meter_reading_is_saved_or_refused(run_hours, technician, value, taken_at):
    _attempt(
        lambda: meter_reading_record(
            meter=run_hours, value=decimal.Decimal(value), taken_by=technician, taken_at=taken_at
        )
    )


def _form_classes():
    """Every model form of the pages (found by import, so a new one is driven too)."""
    import importlib

    found = []
    for app in ("equipment", "shifts", "downtime", "maintenance", "quality"):
        module = importlib.import_module(f"logbook.{app}.forms")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, django_forms.ModelForm)
                and value.__module__ == module.__name__
                and getattr(value._meta, "model", None) is not None
            ):
                found.append(value)
    return found


FORMS = _form_classes()


def _a_record_of(model, shift, user):
    """A saved record for an amendment form to amend (an entry or counts of the shift)."""
    if model.__name__ == "LogEntry":
        return shifts.log_entry_add(shift=shift, user=user, text="Original", category="note")
    return shifts.production_record_add(
        shift=shift,
        user=user,
        product="Cola",
        produced_count=10,
        good_count=9,
        ideal_cycle_time_s=1,
        planned_stop_minutes=0,
    )


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__name__)
@BOUNDED
@given(data=st.data())
def test_every_form_validates_generated_input_without_an_error(
    form_class, data, supervisor, filler, shift, run_hours
):
    values = st.one_of(texts, typed_numbers, moments.map(lambda m: "" if m is None else str(m)))
    form_data = {name: data.draw(values, label=name) for name in form_class.base_fields}
    original = None
    if (
        form_class.__name__.startswith("Amend")
        and form_class._meta.model.__name__ != "DowntimeIncident"
    ):
        original = _a_record_of(form_class._meta.model, shift, supervisor)
    context = {"user": supervisor, "shift": shift, "meter": run_hours, "original": original}
    kwargs = {"data": form_data}
    for klass in form_class.__mro__:
        if "__init__" in vars(klass):
            for name, parameter in inspect.signature(klass.__init__).parameters.items():
                if parameter.kind == parameter.KEYWORD_ONLY and name in context:
                    kwargs[name] = context[name]
    form = form_class(**kwargs)
    with contextlib.suppress(*EXPECTED):
        form.is_valid()
