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
