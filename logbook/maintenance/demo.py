"""Demo maintenance: spare parts, certifications (one expired, one expiring), schedules on the
demo equipment, eight weeks of work orders (most verified, some awaiting verification, a few
overdue), and repairs raised from downtime. Demo data only, written directly."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from logbook.accounts.models import Certification, Signature, User
from logbook.core.demo_words import demo_word
from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import Equipment, EquipmentClass, Meter, Site
from logbook.maintenance import services
from logbook.maintenance.choices import ItemKind, WorkOrderKind, WorkOrderStatus
from logbook.maintenance.models import IsolationPoint, MaintenanceSchedule, SparePart, WorkOrder

HISTORY_WEEKS = 8


def load(data, stdout):
    for number, description, unit, stock, reorder, location in data.get("spare_parts", []):
        SparePart.objects.get_or_create(
            part_number=number,
            defaults={
                "description": description,
                "unit": unit,
                "stock": stock,
                "reorder_point": reorder,
                "location": location,
            },
        )
    for site_row in data["sites"]:
        site = Site.objects.get(code=site_row["code"])
        if MaintenanceSchedule.objects.filter(equipment__line__area__site=site).exists():
            continue
        today = timezone.localdate(timezone=site.zone)
        _certifications(data.get("certifications", []), today)
        made = sum(_schedule(row, site, today) for row in data.get("schedules", []))
        made += _repairs(site)
        created = services.generate_pm_work_orders()["created"]
        _lockout_now(site)
        stdout.write(f"work orders: {made} in the history, {created} falling due")


def _lockout_now(site):
    """A technician at work on a machine right now, its two energy sources locked out."""
    order = (
        WorkOrder.objects.filter(
            equipment__line__area__site=site,
            status=WorkOrderStatus.OPEN,
            lockout_required=True,
            schedule__isnull=False,
        )
        .select_related("schedule")
        .order_by("due_at")
        .first()
    )
    tech = User.objects.filter(groups__name="technician", sites=site).order_by("username").first()
    if order is None or tech is None:
        return
    services.work_order_start(work_order=order, user=tech)
    services.lockout_apply(
        work_order=order,
        user=tech,
        points=[
            {
                "source": source,
                "lock_number": f"{tech.pk:02d}{n}",
                "tag_number": f"T-{tech.pk:02d}{n}",
            }
            for n, source in enumerate(order.schedule.energy_sources.splitlines(), start=1)
        ],
    )


def _certifications(rows, today):
    for username, class_code, issued, expires in rows:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        Certification.objects.get_or_create(
            user=user,
            equipment_class=EquipmentClass.objects.get(code=class_code),
            expires_on=today + datetime.timedelta(days=expires),
            defaults={
                "issued_on": today + datetime.timedelta(days=issued),
                "reference": f"CERT-{user.pk:03d}-{class_code[:3].upper()}",
            },
        )


def _schedule(row, site, today) -> int:
    rng = random.Random(row["title"])
    equipment = Equipment.objects.get(asset_tag=row["equipment"])
    meter = Meter.objects.filter(equipment=equipment, name=row.get("meter", "")).first()
    start = today - datetime.timedelta(weeks=HISTORY_WEEKS)
    schedule = MaintenanceSchedule(
        equipment=equipment,
        title=demo_word(row["title"]),
        interval=row["interval"],
        interval_unit=row["unit"],
        meter=meter,
        anchor=row["anchor"],
        anchor_date=start,
        tolerance_days=row["tolerance"],
        estimated_minutes=row["minutes"],
        lockout_required=row["lockout"],
        energy_sources=(
            demo_word("Main switch of %(tag)s") % {"tag": equipment.asset_tag}
            + "\n"
            + demo_word("Compressed air valve of %(tag)s") % {"tag": equipment.asset_tag}
            if row["lockout"]
            else ""
        ),
        required_class=EquipmentClass.objects.filter(code=row.get("class", "")).first(),
    )
    checklist = [
        {
            "text": demo_word(item[0]),
            "kind": item[1],
            "unit": item[2] if len(item) > 2 else "",
            "lower_limit": Decimal(str(item[3])) if len(item) > 3 else None,
            "upper_limit": Decimal(str(item[4])) if len(item) > 4 else None,
        }
        for item in row["checklist"]
    ]
    services.schedule_save(schedule=schedule, checklist=checklist)
    if row["unit"] == "meter":
        return 0  # its first order comes from the meter's projection
    techs = list(User.objects.filter(groups__name="technician", sites=site).order_by("username"))
    supervisor = User.objects.filter(groups__name="supervisor", sites=site).first()
    made = 0
    while schedule.next_due and schedule.next_due < today - datetime.timedelta(days=1):
        due = schedule.next_due
        if rng.random() < 0.12 and due > today - datetime.timedelta(days=10):
            break  # left undone: it shows as overdue
        work_order = services._preventive_from(schedule, due)
        if rng.random() < 0.05:
            # Now and then a PM is dropped (a line stop, a missing part): a missed one.
            work_order.status = WorkOrderStatus.CANCELLED
            work_order.cancel_reason = "No window: the line ran a rush order."
            work_order.save()
            made += 1
            following = due + datetime.timedelta(days=1)
            schedule = services.schedule_recompute(schedule=schedule, today=following)
            if schedule.next_due is None or schedule.next_due <= due:
                break  # a floating schedule waits for the work to be done
            continue
        late = rng.choice([0, 0, 0, 0, 1, 2, -1, 5])
        done_day = min(due + datetime.timedelta(days=late), today - datetime.timedelta(days=1))
        done_at = datetime.datetime.combine(
            done_day, datetime.time(9 + rng.randint(0, 8)), tzinfo=site.zone
        )
        tech = rng.choice(techs)
        for result in work_order.checklist.all():
            if result.kind == ItemKind.CHECK:
                result.done = True
            elif result.kind == ItemKind.MEASURE:
                low, high = result.lower_limit, result.upper_limit
                result.value = (low + (high - low) * Decimal(str(rng.uniform(0.2, 0.8)))).quantize(
                    Decimal("0.01")
                )
            else:
                result.note = "ok"
            result.save()
        work_order.status = WorkOrderStatus.DONE
        work_order.assigned_to = work_order.completed_by = tech
        work_order.started_at = done_at - datetime.timedelta(minutes=row["minutes"])
        work_order.completed_at = done_at
        work_order.labour_minutes = row["minutes"] + rng.randint(-10, 20)
        if work_order.lockout_required:
            work_order.lockout_confirmed_at, work_order.lockout_confirmed_by = (
                work_order.started_at,
                tech,
            )
            work_order.startup_checked_at = done_at
            work_order.startup_checked_by = tech
            for number, source in enumerate(schedule.energy_sources.splitlines(), start=1):
                IsolationPoint.objects.create(
                    work_order=work_order,
                    source=source,
                    lock_number=f"{tech.pk:02d}{number}",
                    tag_number=f"T-{tech.pk:02d}{number}",
                    applied_by=tech,
                    applied_at=work_order.started_at,
                    removed_by=tech,
                    removed_at=done_at,
                )
        if done_day < today - datetime.timedelta(days=3) and supervisor is not None:
            work_order.status = WorkOrderStatus.VERIFIED
            work_order.signature = Signature.objects.create(
                signer=supervisor,
                signer_name=supervisor.get_full_name(),
                meaning="reviewed",
                signed_at=done_at + datetime.timedelta(hours=rng.randint(2, 30)),
            )
        work_order.save()
        schedule.last_done_on = done_day
        schedule.save(update_fields=["last_done_on"])
        services.schedule_recompute(schedule=schedule, today=done_day)
        made += 1
    services.schedule_recompute(schedule=schedule, today=today)
    return made


def _repairs(site) -> int:
    """Repairs raised from the worst failures of the last weeks."""
    made = 0
    incidents = (
        DowntimeIncident.objects.filter(
            equipment__line__area__site=site,
            reason__kind="unplanned",
            reason__code__in=["U-MECH-BELT", "U-MECH-BRG"],
        )
        .select_related("equipment")
        .order_by("-started_at")[:4]
    )
    supervisor = User.objects.filter(groups__name="supervisor", sites=site).first()
    for index, incident in enumerate(incidents):
        work_order = services.work_order_create(
            equipment=incident.equipment,
            user=supervisor,
            title=f"Follow-up: {incident.cause or incident.symptom}",
            description=f"After the stop of {incident.started_at:%Y-%m-%d}: check and replace "
            "worn parts.",
            downtime_incident=incident,
            due_at=incident.ended_at + datetime.timedelta(days=2),
        )
        if index % 2:
            WorkOrder.objects.filter(pk=work_order.pk).update(
                status=WorkOrderStatus.DONE,
                completed_at=incident.ended_at + datetime.timedelta(days=1),
                findings="Replaced the worn part, ran a test cycle.",
                labour_minutes=75,
                kind=WorkOrderKind.CORRECTIVE,
            )
        made += 1
    return made
