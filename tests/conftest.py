"""Personas and a small plant shared by every test.

Two sites: ``site`` (Europe/Berlin) where the personas work, and ``other_site`` (America/Chicago)
where only ``outsider`` works. Test speed-ups live here, not in the settings module.
"""

import datetime
import re

import pytest
import time_machine

from logbook.core.roles import Role
from logbook.shifts import services as shift_services
from logbook.shifts.models import ShiftPattern
from tests.factories import (
    AreaFactory,
    EquipmentClassFactory,
    EquipmentFactory,
    LineFactory,
    MeterFactory,
    SiteFactory,
    UserFactory,
)
from tests.timeline import NOW, TODAY, at


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def site(db):
    return SiteFactory(code="PLT", name="Bremen bottling", timezone="Europe/Berlin")


@pytest.fixture
def other_site(db):
    return SiteFactory(code="OTH", name="Dallas cans", timezone="America/Chicago")


@pytest.fixture
def line(site):
    return LineFactory(area=AreaFactory(site=site, name="Filling hall"), code="L1", name="PET line")


@pytest.fixture
def other_line(other_site):
    return LineFactory(area=AreaFactory(site=other_site, name="Hall B"), code="B1", name="Can line")


@pytest.fixture
def filler_class(db):
    return EquipmentClassFactory(code="filler", name="Filler")


@pytest.fixture
def filler(line, filler_class):
    return EquipmentFactory(
        asset_tag="L1-FIL-01", name="Rotary filler", line=line, equipment_class=filler_class
    )


@pytest.fixture
def other_equipment(other_line, filler_class):
    return EquipmentFactory(
        asset_tag="B1-FIL-01", name="Can filler", line=other_line, equipment_class=filler_class
    )


@pytest.fixture
def run_hours(filler):
    return MeterFactory(equipment=filler, name="Run hours", unit="h", resets=False)


NAMES = {
    "tech": ("Sam", "Taylor"),
    "supervisor": ("Dana", "Kowalski"),
    "quality": ("Priya", "Nair"),
    "planner": ("Lee", "Okafor"),
    "admin": ("Alex", "Morgan"),
    "outsider": ("Jo", "Brandt"),
    "operator": ("Jordan", "Reyes"),
}


def _persona(username, role, sites, **extra):
    first, last = NAMES[username]
    return UserFactory(
        username=username, first_name=first, last_name=last, roles=[role], member_of=sites, **extra
    )


@pytest.fixture
def technician(site):
    return _persona("tech", Role.TECHNICIAN, [site])


@pytest.fixture
def supervisor(site):
    return _persona("supervisor", Role.SUPERVISOR, [site])


@pytest.fixture
def quality(site):
    return _persona("quality", Role.QUALITY, [site])


@pytest.fixture
def planner(site):
    return _persona("planner", Role.PLANNER, [site])


@pytest.fixture
def operator(site):
    """A machine operator: finds machines and requests work, nothing else."""
    return _persona("operator", Role.OPERATOR, [site])


@pytest.fixture
def admin(db):
    """An administrator by role (not a superuser): sees every site, works in the admin."""
    return _persona("admin", Role.ADMIN, [], is_staff=True)


@pytest.fixture
def outsider(other_site):
    """A supervisor of another site: must see and change nothing of ``site``."""
    return _persona("outsider", Role.SUPERVISOR, [other_site])


@pytest.fixture
def as_user(client):
    """Log the test client in as a persona: ``as_user(planner).get(...)``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api(db):
    """A DRF client: ``api(user)`` logs in by token, as a machine or script would."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


# Shifts at the Berlin site, at a frozen moment (tests/timeline.py) -----------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def patterns(site):
    return {
        name: ShiftPattern.objects.create(
            site=site, name=name, start_time=datetime.time(start), end_time=datetime.time(end)
        )
        for name, start, end in [("Early", 6, 14), ("Late", 14, 22), ("Night", 22, 6)]
    }


@pytest.fixture
def shift(frozen, line, patterns, technician):
    """Today's early shift on the PET line, started by the technician."""
    return shift_services.shift_start(
        line=line, pattern=patterns["Early"], date=TODAY, user=technician
    )


@pytest.fixture
def signed_shift(shift, technician, supervisor):
    """The early shift with an entry and counts, handed over and signed off (reviewed) early."""
    from tests.factories import PASSWORD

    shift_services.log_entry_add(
        shift=shift,
        user=technician,
        text="Filler jam cleared",
        category="production",
        occurred_at=at(7, 30),
    )
    shift_services.production_record_add(
        shift=shift,
        user=technician,
        product="Cola 0.5 L",
        produced_count=1000,
        good_count=990,
        ideal_cycle_time_s=1,
        planned_stop_minutes=30,
    )
    shift_services.shift_hand_over(shift=shift, user=technician, summary="All good")
    # Signed while it runs (the line stood for the rest of it): the supervisor gives the reason.
    shift_services.shift_sign_off(
        shift=shift,
        user=supervisor,
        password=PASSWORD,
        meaning="reviewed",
        reason="Line stopped for the rest of the shift",
    )
    shift.refresh_from_db()
    return shift


EXTERNAL_REFERENCE = re.compile(
    r"""(?:src|href|action)\s*=\s*["']\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.I
)


def external_references(html: str) -> list[str]:
    """Return the src/href/action attributes of ``html`` that point at another host."""
    return [match.group(0) for match in EXTERNAL_REFERENCE.finditer(html)]


# Downtime ----------------------------------------------------------------------------------


@pytest.fixture
def reasons(db):
    """A small reason tree and one code of each ISO 14224 list."""
    from logbook.downtime.models import FailureCode, ReasonCode

    planned = ReasonCode.objects.create(code="P", name="Planned stops", kind="planned")
    unplanned = ReasonCode.objects.create(code="U", name="Failures", kind="unplanned")
    codes = {
        name: FailureCode.objects.create(list=name, code=name[:3].upper(), name=name.title())
        for name in ("mode", "mechanism", "cause", "detection")
    }
    return {
        "changeover": ReasonCode.objects.create(
            code="P-CHG", name="Changeover", kind="planned", parent=planned
        ),
        "jam": ReasonCode.objects.create(
            code="U-JAM", name="Jam", kind="unplanned", parent=unplanned
        ),
        "coding": {
            "failure_mode": codes["mode"],
            "failure_mechanism": codes["mechanism"],
            "failure_cause": codes["cause"],
            "detection_method": codes["detection"],
        },
    }


# Maintenance -------------------------------------------------------------------------------


@pytest.fixture
def pm_schedule(filler, frozen):
    """A monthly lubrication of the filler, due today, lockout required, with a checklist."""
    from logbook.maintenance.models import MaintenanceSchedule
    from logbook.maintenance.services import schedule_save

    schedule = MaintenanceSchedule(
        equipment=filler,
        title="Lubricate the drive chain",
        interval=1,
        interval_unit="months",
        anchor="floating",
        anchor_date=TODAY,
        tolerance_days=3,
        lockout_required=True,
        estimated_minutes=45,
    )
    return schedule_save(
        schedule=schedule,
        checklist=[
            {"text": "Isolate and lock out the drive", "kind": "check"},
            {
                "text": "Chain tension",
                "kind": "measure",
                "unit": "mm",
                "lower_limit": 8,
                "upper_limit": 12,
            },
            {"text": "Remarks", "kind": "note"},
        ],
    )


@pytest.fixture
def part(db):
    from logbook.maintenance.models import SparePart

    return SparePart.objects.create(
        part_number="LUB-220",
        description="Chain oil 1 L",
        unit="L",
        stock=5,
        reorder_point=2,
        location="Store A-3",
    )


@pytest.fixture
def ldap_directory(tmp_path):
    """A throwaway OpenLDAP directory on loopback (see tests/directory_server.py)."""
    import importlib.util

    from tests.directory_server import SLAPADD, SLAPD, Directory

    if SLAPD is None or SLAPADD is None:
        pytest.skip("slapd is not installed here (.ci/run installs Debian's slapd)")
    if importlib.util.find_spec("django_auth_ldap") is None:
        pytest.skip("the 'ldap' extra is not installed (it needs libldap2-dev, libsasl2-dev)")
    directory = Directory(tmp_path).start()
    yield directory
    directory.stop()


@pytest.fixture
def directory_login(ldap_directory, settings, site):
    """Directory login turned on, as the environment of tests/directory_server.py sets it,
    with ``site`` (code PLT) the site its group maps to."""
    from logbook.accounts.directory import directory_settings
    from logbook.accounts.services import DIRECTORY_BACKEND
    from tests.directory_server import environment

    for name, value in directory_settings(environment(ldap_directory.uri)).items():
        setattr(settings, name, value)
    backends = [b for b in settings.AUTHENTICATION_BACKENDS if b != DIRECTORY_BACKEND]
    settings.AUTHENTICATION_BACKENDS = [backends[0], DIRECTORY_BACKEND, *backends[1:]]
    return ldap_directory
