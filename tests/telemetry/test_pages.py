"""What the pages show of a machine's signals."""

import datetime

import pytest

from logbook.downtime.models import DowntimeIncident
from logbook.telemetry.services import ingest

pytestmark = pytest.mark.django_db


def signal(machine, minutes_ago, kind="state", value="running"):
    at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes_ago)
    return {"asset_tag": machine.asset_tag, "at": at.isoformat(), "kind": kind, "value": value}


def test_the_incident_page_shows_the_machines_times_and_its_alarms(
    as_user, technician, site, filler
):
    ingest(
        site=site,
        items=[
            signal(filler, 6),
            signal(filler, 4, value="fault"),
            signal(filler, 3, kind="alarm", value={"code": "E042", "text": "Bottle jam at infeed"}),
        ],
    )
    incident = DowntimeIncident.objects.get(equipment=filler)
    page = as_user(technician).get(incident.get_absolute_url()).content.decode()
    assert 'class="machine-times"' in page and "Posted by a machine" in page
    assert "E042" in page and "Bottle jam at infeed" in page
    equipment_page = as_user(technician).get(filler.get_absolute_url()).content.decode()
    assert "signal-fault" in equipment_page
    assert f'href="{incident.get_absolute_url()}">during the stop' in equipment_page


def test_a_machine_silent_for_its_heartbeat_shows_no_signal(as_user, technician, site, filler):
    ingest(site=site, items=[signal(filler, 4)])
    page = as_user(technician).get(filler.get_absolute_url()).content.decode()
    assert "signal-running" in page and "No signal" not in page
    filler.equipment_class.heartbeat_seconds = 180
    filler.equipment_class.save()
    page = as_user(technician).get(filler.get_absolute_url()).content.decode()
    assert "status-no-signal" in page and "No signal" in page


def test_a_silent_machine_shows_in_the_live_list_of_home_and_line(
    as_user, technician, operator, outsider, site, line, filler, other_equipment
):
    ingest(site=site, items=[signal(filler, 4)])
    client = as_user(technician)
    assert "No signal" not in client.get("/downtime/ongoing/").content.decode()
    filler.equipment_class.heartbeat_seconds = 180
    filler.equipment_class.save()
    for url in ("/downtime/ongoing/", f"/downtime/ongoing/?line={line.pk}", "/"):
        page = client.get(url).content.decode()
        assert "status-no-signal" in page and filler.asset_tag in page, url
        assert f"s{filler.pk} " in page  # the live list's version: the page refreshes it
    other = f"/downtime/ongoing/?line={other_equipment.line.pk}"
    assert "No signal" not in client.get(other).content.decode()
    assert "No signal" not in as_user(operator).get("/").content.decode()
    # Another site's supervisor sees down and silent machines, of that site only.
    for url in ("/downtime/ongoing/", "/"):
        assert filler.asset_tag not in as_user(outsider).get(url).content.decode(), url


def test_a_machine_without_signals_says_nothing_of_them(as_user, technician, filler):
    assert (
        "Machine signal" not in as_user(technician).get(filler.get_absolute_url()).content.decode()
    )


def test_the_down_now_list_alone_is_the_users_and_the_lines(
    as_user, technician, operator, site, line, filler, other_equipment
):
    from logbook.downtime.services import incident_open

    incident_open(equipment=filler, user=technician)
    client = as_user(technician)
    page = client.get("/downtime/ongoing/").content.decode()
    assert filler.asset_tag in page and other_equipment.asset_tag not in page
    assert f'data-version="{DowntimeIncident.objects.get().pk} "' in page
    assert filler.asset_tag in client.get(f"/downtime/ongoing/?line={line.pk}").content.decode()
    other_line = other_equipment.line.pk
    assert (
        filler.asset_tag not in client.get(f"/downtime/ongoing/?line={other_line}").content.decode()
    )
    assert client.get("/downtime/ongoing/?line=abc").status_code == 400
    # The line page and the home page fetch it again by themselves.
    assert (
        f'data-live="/downtime/ongoing/?line={line.pk}"'
        in client.get(line.get_absolute_url()).content.decode()
    )
    assert 'data-live="/downtime/ongoing/"' in client.get("/").content.decode()
    assert as_user(operator).get("/downtime/ongoing/").status_code == 403


def test_the_shift_shows_the_machines_count_beside_the_typed_one(
    as_user, technician, site, filler, shift
):
    from decimal import Decimal

    from logbook.shifts.services import production_record_add
    from tests.timeline import at

    filler.counts_line_output = True
    filler.save()

    def reading(hour, minute, total, reject):
        return {
            "asset_tag": filler.asset_tag,
            "at": at(hour, minute).isoformat(),
            "kind": "count",
            "value": {"total": total, "reject": reject},
        }

    # What was made up to 05:59 belongs to the night shift; the early one starts at 06:00.
    ingest(
        site=site,
        items=[reading(5, 50, 900, 5), reading(5, 59, 1000, 10), reading(9, 30, 5000, 50)],
    )
    page = as_user(technician).get(shift.get_absolute_url()).content.decode()
    assert "counted 4000 produced, 3960 good (40 rejected)" in page
    assert 'name="produced_count" value="4000"' in page and 'name="good_count" value="3960"' in page

    production_record_add(
        shift=shift,
        user=technician,
        product="Water 0.5 l",
        produced_count=4100,
        good_count=4050,
        ideal_cycle_time_s=Decimal("0.4"),
    )
    page = as_user(technician).get(shift.get_absolute_url()).content.decode()
    assert "Recorded counts differ by +100" in page
    assert 'name="produced_count" value="4000"' not in page


def test_down_now_shows_the_machines_silent_longest_and_counts_the_rest(
    as_user, supervisor, site, line, filler
):
    from logbook.downtime.selectors import DOWN_NOW_SHOWN
    from tests.factories import EquipmentFactory
    from tests.queries import queries

    filler.equipment_class.heartbeat_seconds = 180
    filler.equipment_class.save()
    ingest(site=site, items=[signal(filler, 30)])
    client = as_user(supervisor)
    few = {url: queries(client, url) for url in ("/", "/downtime/ongoing/")}
    machines = [
        EquipmentFactory(line=line, equipment_class=filler.equipment_class)
        for _ in range(DOWN_NOW_SHOWN + 1)
    ]
    ingest(site=site, items=[signal(machine, 20 - n) for n, machine in enumerate(machines)])
    # One of them still within its heartbeat: not silent, not counted.
    ingest(site=site, items=[signal(machines[-1], 1)])
    for url in few:
        page = client.get(url).content.decode()
        # The filler, silent for half an hour, first; the last silent one waits, counted.
        assert page.index(filler.asset_tag) < page.index(machines[0].asset_tag), url
        assert machines[DOWN_NOW_SHOWN - 2].asset_tag in page, url
        assert machines[DOWN_NOW_SHOWN - 1].asset_tag not in page, url
        assert "and 1 more machine without a signal" in page, url
        assert page.count("status-no-signal") == DOWN_NOW_SHOWN, url
        assert queries(client, url) == few[url], url
