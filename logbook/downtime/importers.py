"""History import: a plant moving to Plant Logbook brings its machines and failures as CSV.

The format is the Azure predictive-maintenance sample's (docs/import.md lists the columns):

- ``PdM_machines.csv``: machineID, model, age (years in service at the start of the data)
- ``PdM_failures.csv``: datetime, machineID, failure (the component that failed)
- ``PdM_errors.csv``: datetime, machineID, errorID (alarms; the machine kept running)
- ``PdM_maint.csv``: datetime, machineID, comp (components replaced)

Times carry no zone: they are read in the site's zone. Several components failing on one machine
at one time are one incident. Every row is keyed (``source``/``external_ref``, or the event's
machine, time and code), so a second run adds nothing.
"""

import csv
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from logbook.downtime.choices import IncidentSource, ReasonKind
from logbook.downtime.models import DowntimeIncident, ReasonCode
from logbook.equipment.models import Area, Equipment, EquipmentClass, EquipmentEvent, Line, Site

FILES = {
    "machines": ("PdM_machines.csv", ["machineID", "model", "age"]),
    "failures": ("PdM_failures.csv", ["datetime", "machineID", "failure"]),
    "errors": ("PdM_errors.csv", ["datetime", "machineID", "errorID"]),
    "maintenance": ("PdM_maint.csv", ["datetime", "machineID", "comp"]),
}
DATA_START_YEAR = 2015  # "age" is counted at the start of the sample's data


class ImportError_(Exception):
    """The folder or a file cannot be read as the expected CSV; nothing was imported."""


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def say(self, text: str) -> None:
        self.lines.append(text)


def asset_tag(machine_id) -> str:
    return f"PDM-{int(machine_id)}"


def _read(folder: Path, key: str) -> list[dict]:
    name, columns = FILES[key]
    path = folder / name
    if not path.is_file():
        raise ImportError_(f"{path} is missing (expected columns: {', '.join(columns)}).")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or [])]
        if missing:
            raise ImportError_(f"{name} lacks the column(s) {', '.join(missing)}.")
        return list(reader)


def _moment(raw: str, zone) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(raw.strip()).replace(tzinfo=zone)
    except (ValueError, AttributeError):
        return None


def _place(site_code: str) -> tuple[Site, Line, EquipmentClass]:
    site, _ = Site.objects.get_or_create(
        code=site_code, defaults={"name": "Azure PdM sample fleet", "timezone": "UTC"}
    )
    area, _ = Area.objects.get_or_create(site=site, name="Imported fleet")
    line, _ = Line.objects.get_or_create(
        area=area, code="PDM", defaults={"name": "Imported machines"}
    )
    machine_class, _ = EquipmentClass.objects.get_or_create(
        code="machine", defaults={"name": "Machine"}
    )
    return site, line, machine_class


def _failure_reason() -> ReasonCode:
    category, _ = ReasonCode.objects.get_or_create(
        code="U-IMPORT", defaults={"name": "Imported failures", "kind": ReasonKind.UNPLANNED}
    )
    reason, _ = ReasonCode.objects.get_or_create(
        code="U-COMP-FAIL",
        defaults={"name": "Component failure", "kind": ReasonKind.UNPLANNED, "parent": category},
    )
    return reason


@transaction.atomic
def import_pdm(folder, *, repair_minutes: int = 240, site_code: str = "PDM", user=None) -> Report:
    """Import machines, failures and errors from ``folder``. Returns what was done and skipped.

    A failure becomes a closed unplanned incident lasting ``repair_minutes``, ended early at the
    machine's next failure if that comes sooner (it was running again by then).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportError_(f"{folder} is not a folder.")
    if repair_minutes <= 0:
        raise ImportError_("--repair-minutes must be more than 0.")
    rows = {key: _read(folder, key) for key in FILES}
    report = Report()
    site, line, machine_class = _place(site_code)
    zone = site.zone

    machines = _machines(rows["machines"], line, machine_class, report)
    _failures(rows["failures"], machines, zone, repair_minutes, report, user)
    _errors(rows["errors"], machines, zone, report)
    _maintenance(rows["maintenance"], machines, zone, report)
    for reason, count in sorted(report.skipped.items()):
        report.say(f"skipped {count}: {reason}")
    return report


def _machines(rows, line, machine_class, report) -> dict[int, Equipment]:
    existing = {e.asset_tag: e for e in Equipment.objects.filter(asset_tag__startswith="PDM-")}
    machines, created = {}, 0
    for row in rows:
        try:
            machine_id, age = int(row["machineID"]), int(row["age"])
        except (TypeError, ValueError):
            report.skipped["machine rows without a numeric machineID or age"] += 1
            continue
        tag = asset_tag(machine_id)
        equipment = existing.get(tag)
        if equipment is None:
            equipment = Equipment.objects.create(
                asset_tag=tag,
                name=f"Machine {machine_id}",
                line=line,
                equipment_class=machine_class,
                model=row["model"].strip(),
                commissioned_on=datetime.date(DATA_START_YEAR - age, 1, 1),
            )
            created += 1
        machines[machine_id] = equipment
    report.say(f"machines: {created} created, {len(machines) - created} already there")
    return machines


def _failures(rows, machines, zone, repair_minutes, report, user) -> None:
    events: dict[int, dict[datetime.datetime, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        moment = _moment(row["datetime"], zone)
        machine = _machine_of(row, machines)
        if moment is None or machine is None:
            report.skipped["failure rows with an unreadable time or an unknown machine"] += 1
            continue
        events[machine.pk][moment].append(row["failure"].strip())
    reason = _failure_reason()
    known = set(
        DowntimeIncident.objects.filter(source=IncidentSource.IMPORT).values_list(
            "external_ref", flat=True
        )
    )
    by_pk = {machine.pk: machine for machine in machines.values()}
    new, shortened, total = [], 0, 0
    repair = datetime.timedelta(minutes=repair_minutes)
    for machine_pk, moments in events.items():
        ordered = sorted(moments)
        for index, start in enumerate(ordered):
            total += 1
            machine = by_pk[machine_pk]
            ref = f"pdm-failure:{machine.asset_tag}:{start.replace(tzinfo=None).isoformat()}"
            if ref in known:
                continue
            end = start + repair
            if index + 1 < len(ordered) and ordered[index + 1] < end:
                end = ordered[index + 1]
                shortened += 1
            components = ", ".join(sorted(set(moments[start])))
            new.append(
                DowntimeIncident(
                    equipment=machine,
                    started_at=start,
                    ended_at=end,
                    reason=reason,
                    symptom=f"Failure of {components}",
                    cause=f"{components} failed",
                    action_taken=f"Replaced {components}",
                    source=IncidentSource.IMPORT,
                    external_ref=ref,
                    reported_by=user,
                    closed_at=timezone.now(),
                    closed_by=user,
                )
            )
    # Imported history is written in bulk: it was closed long ago, and the rules that matter
    # for it (stages in order, no overlap on one machine) hold by construction above.
    bulk_create_with_history(
        new, DowntimeIncident, batch_size=1000, default_user=user, default_change_reason="imported"
    )
    report.say(
        f"failures: {len(rows)} rows → {total} incidents (components failing together are one): "
        f"{len(new)} created, {total - len(new)} already there"
        + (f"; {shortened} ended early at the machine's next failure" if shortened else "")
    )


def _errors(rows, machines, zone, report) -> None:
    before = EquipmentEvent.objects.filter(source="import").count()
    events = []
    for row in rows:
        moment = _moment(row["datetime"], zone)
        machine = _machine_of(row, machines)
        if moment is None or machine is None:
            report.skipped["error rows with an unreadable time or an unknown machine"] += 1
            continue
        events.append(
            EquipmentEvent(
                equipment=machine,
                occurred_at=moment,
                code=row["errorID"].strip(),
                message="imported alarm",
                source="import",
            )
        )
    EquipmentEvent.objects.bulk_create(events, batch_size=2000, ignore_conflicts=True)
    created = EquipmentEvent.objects.filter(source="import").count() - before
    report.say(
        f"errors: {len(rows)} rows: {created} events created, {len(events) - created} already there"
    )


def _machine_of(row, machines) -> Equipment | None:
    try:
        return machines.get(int(row["machineID"]))
    except (TypeError, ValueError):
        return None


def _maintenance(rows, machines, zone, report) -> None:
    """Component replacements → completed work orders. One at the time of a failure of that
    component is the repair of that failure: corrective, linked to its incident. The others
    were planned: preventive, on the machine's (inactive) "imported replacements" schedule."""
    from logbook.maintenance.choices import WorkOrderKind, WorkOrderStatus
    from logbook.maintenance.models import MaintenanceSchedule, WorkOrder

    incidents = {
        (incident.equipment_id, incident.started_at): incident
        for incident in DowntimeIncident.objects.filter(source=IncidentSource.IMPORT)
    }
    failed = {
        (incident.equipment_id, incident.started_at, component.strip())
        for incident in incidents.values()
        for component in incident.symptom.removeprefix("Failure of ").split(",")
    }
    groups: dict[tuple, list[str]] = defaultdict(list)
    for row in rows:
        moment = _moment(row["datetime"], zone)
        machine = _machine_of(row, machines)
        if moment is None or machine is None:
            report.skipped["maintenance rows with an unreadable time or an unknown machine"] += 1
            continue
        component = row["comp"].strip()
        corrective = (machine.pk, moment, component) in failed
        groups[(machine.pk, moment, corrective)].append(component)
    known = set(
        WorkOrder.objects.filter(external_ref__startswith="pdm-maint:").values_list(
            "external_ref", flat=True
        )
    )
    by_pk = {machine.pk: machine for machine in machines.values()}
    schedules = {}
    made = {"corrective": 0, "preventive": 0}
    for (machine_pk, moment, corrective), components in sorted(groups.items()):
        machine = by_pk[machine_pk]
        kind = "corrective" if corrective else "preventive"
        ref = f"pdm-maint:{machine.asset_tag}:{moment.replace(tzinfo=None).isoformat()}:{kind}"
        if ref in known:
            continue
        names = ", ".join(sorted(set(components)))
        schedule = None
        if not corrective:
            schedule = schedules.get(machine_pk)
            if schedule is None:
                schedule, _ = MaintenanceSchedule.objects.get_or_create(
                    equipment=machine,
                    title="Component replacement (imported history)",
                    defaults={
                        "interval": 1,
                        "interval_unit": "months",
                        "active": False,
                        "anchor_date": moment.date(),
                    },
                )
                schedules[machine_pk] = schedule
        WorkOrder.objects.create(
            kind=WorkOrderKind.CORRECTIVE if corrective else WorkOrderKind.PREVENTIVE,
            equipment=machine,
            schedule=schedule,
            downtime_incident=incidents.get((machine_pk, moment)) if corrective else None,
            title=f"Replace {names}",
            status=WorkOrderStatus.VERIFIED,
            due_at=moment,
            started_at=moment,
            completed_at=moment,
            findings="Imported from the plant's history.",
            external_ref=ref,
        )
        made[kind] += 1
    report.say(
        f"maintenance: {len(rows)} rows → {made['corrective'] + made['preventive']} work orders "
        f"created ({made['corrective']} repairs linked to their failure, "
        f"{made['preventive']} planned replacements)"
    )
