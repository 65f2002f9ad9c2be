import io

from django.core.management import call_command

from logbook.accounts.models import User
from logbook.equipment.models import Equipment, EquipmentClass, MeterReading, Site


def _counts():
    return (
        Site.objects.count(),
        Equipment.objects.count(),
        EquipmentClass.objects.count(),
        MeterReading.objects.count(),
        User.objects.count(),
    )


def test_it_loads_a_plant_and_a_second_run_changes_nothing(db):
    call_command("load_demo", stdout=io.StringIO())
    first = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == first

    site = Site.objects.get()
    assert site.timezone == "America/Chicago"
    assert site.areas.count() == 2
    assert Equipment.objects.values("line").distinct().count() == 3
    assert 20 <= Equipment.objects.count() <= 30
    assert Equipment.objects.values("equipment_class").distinct().count() >= 6
    assert Equipment.objects.filter(parent__isnull=False).exists()
    assert MeterReading.objects.exists()


def test_the_demo_users_log_in_with_demo_and_hold_their_role(db, client):
    call_command("load_demo", stdout=io.StringIO())
    for username, role in [
        ("admin", "admin"),
        ("supervisor", "supervisor"),
        ("tech", "technician"),
        ("quality", "quality"),
        ("planner", "planner"),
    ]:
        user = User.objects.get(username=username)
        assert user.check_password("demo")
        assert user.primary_role == role
        assert user.sites.exists()


def test_the_printed_logins_name_every_demo_user_who_can_log_in(db):
    """`make run` prints them: a new user must not have to guess at tech2 or tech3."""
    out = io.StringIO()
    call_command("load_demo", "--logins", stdout=out)
    printed = out.getvalue()
    users = User.objects.filter(is_active=True)
    assert users.count() >= 7
    for user in users:
        assert f"  {user.username} " in printed
        assert user.check_password("demo")
    assert "tech2" in printed and "line L2" in printed


def _demo_words(data) -> set[str]:
    words = {row["name"] for row in data["reason_codes"]}
    words |= {name for row in data["reason_codes"] for _code, name in row["reasons"]}
    words |= {name for rows in data["failure_codes"].values() for _code, name in rows}
    words |= {row["title"] for row in data["schedules"]}
    words |= {item[0] for row in data["schedules"] for item in row["checklist"]}
    words |= {row["name"] for rows in data["shift_patterns"].values() for row in rows}
    return words


def test_every_word_of_the_demo_plant_people_read_can_be_translated():
    import json

    from django.conf import settings

    from logbook.core.demo_words import WORDS

    data = json.loads((settings.BASE_DIR / "fixtures" / "demo_plant.json").read_text())
    listed = {str(word) for word in WORDS}
    assert _demo_words(data) - listed == set(), "add them to logbook/core/demo_words.py"


def test_the_demo_plant_loads_in_german(db):
    from logbook.downtime.models import FailureCode, ReasonCode
    from logbook.maintenance.models import ChecklistItem, MaintenanceSchedule
    from logbook.shifts.models import ShiftPattern

    call_command("load_demo", language="de", stdout=io.StringIO())

    assert ReasonCode.objects.get(code="P-BRK-MEAL").name == "Essenspause"
    assert FailureCode.objects.get(list="mode", code="BRD").name == "Ausfall"
    assert set(ShiftPattern.objects.values_list("name", flat=True)) == {"Früh", "Spät", "Nacht"}
    schedule = MaintenanceSchedule.objects.get(title="Antriebskette des Füllers schmieren")
    assert ChecklistItem.objects.filter(
        schedule=schedule, text="Hauptantrieb freischalten, sperren und kennzeichnen"
    ).exists()
    assert "Hauptschalter von L1-FIL-01" in schedule.energy_sources
