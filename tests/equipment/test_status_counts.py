"""The machines counted by line and status, kept by the database's triggers (StatusCount): the
home pages' tiles read them instead of counting every machine of a site."""

from django.db import connection
from django.db.models import Count

from logbook.core.roles import Role
from logbook.downtime import services as downtime
from logbook.downtime.selectors import with_downtime
from logbook.equipment import status_counts
from logbook.equipment.choices import EquipmentStatus
from logbook.equipment.models import Equipment, StatusCount
from logbook.equipment.selectors import equipment_status_counts
from tests.factories import EquipmentFactory, UserFactory


def _kept():
    return {(c.line_id, c.status): c.n for c in StatusCount.objects.filter(n__gt=0)}


def _counted():
    rows = Equipment.objects.values_list("line_id", "status").annotate(n=Count("*")).order_by()
    return {(line, status): n for line, status, n in rows}


def test_the_machines_table_has_its_triggers(db):
    # A migration that rebuilds the table on SQLite drops them: it must call install() again.
    assert status_counts.installed(connection) >= set(status_counts.TRIGGERS)


def test_the_counts_follow_every_way_a_machine_is_written(filler, other_equipment, other_line):
    assert (
        _kept()
        == _counted()
        == {
            (filler.line_id, "running"): 1,
            (other_line.pk, "running"): 1,
        }
    )
    machines = EquipmentFactory.create_batch(
        3, line=filler.line, equipment_class=filler.equipment_class
    )
    filler.status = EquipmentStatus.IDLE
    filler.save()  # a page, the admin, the API
    assert _kept() == _counted()
    Equipment.objects.filter(pk=machines[0].pk).update(status=EquipmentStatus.DECOMMISSIONED)
    Equipment.objects.filter(pk=machines[1].pk).update(line=other_line)  # moved to another line
    machines[2].name = "Renamed"
    machines[2].save()  # neither line nor status changed
    assert _kept() == _counted()
    Equipment.objects.bulk_create(
        [
            Equipment(
                asset_tag=f"BULK-{n}",
                name="Imported",
                line=other_line,
                equipment_class=filler.equipment_class,
                status=EquipmentStatus.IDLE,
            )
            for n in range(4)
        ]
    )
    machines[2].delete()
    assert (
        _kept()
        == _counted()
        == {
            (filler.line_id, "idle"): 1,
            (filler.line_id, "decommissioned"): 1,
            (other_line.pk, "running"): 2,
            (other_line.pk, "idle"): 4,
        }
    )


def test_the_tiles_count_the_users_sites_and_the_machines_stopped_now(
    supervisor, filler, other_equipment, technician
):
    EquipmentFactory.create_batch(2, line=filler.line, equipment_class=filler.equipment_class)
    EquipmentFactory(line=filler.line, equipment_class=filler.equipment_class, status="idle")
    assert equipment_status_counts(supervisor) == {"running": 3, "idle": 1}
    downtime.incident_open(equipment=filler, user=technician)
    assert equipment_status_counts(supervisor) == {"running": 2, "idle": 1, "down": 1}


def test_the_tiles_agree_with_the_register_on_what_a_stop_stops(
    supervisor, filler, other_equipment, technician
):
    # A machine, its component, theirs… five levels: a stop of the machine stops the four
    # levels the register's "down" filter reaches (down_now), not the fifth.
    chain = [filler]
    for _level in range(4):
        chain.append(
            EquipmentFactory(
                line=filler.line, equipment_class=filler.equipment_class, parent=chain[-1]
            )
        )
    downtime.incident_open(equipment=filler, user=technician)
    register = (
        with_downtime(Equipment.objects.for_user(supervisor))
        .values_list("effective_status")
        .annotate(n=Count("*"))
        .order_by()
    )
    assert equipment_status_counts(supervisor) == dict(register) == {"down": 4, "running": 1}


def test_the_tiles_of_someone_of_every_site_and_of_no_site(admin_user, filler, other_equipment):
    assert equipment_status_counts(admin_user) == {"running": 2}
    assert equipment_status_counts(UserFactory(roles=[Role.SUPERVISOR], member_of=[])) == {}
