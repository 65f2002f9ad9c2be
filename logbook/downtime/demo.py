"""Demo downtime: the reason tree, the ISO 14224 pick lists, and two weeks of stops on the lines
(most closed, a few to classify, one machine down now). Demo data only, written directly."""

import datetime
import random

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from logbook.accounts.models import User
from logbook.core.demo_words import demo_word
from logbook.downtime.choices import IncidentSource
from logbook.downtime.models import DowntimeIncident, FailureCode, ReasonCode
from logbook.equipment.models import Equipment, Site

DAYS = 28
STOPS = [
    # (reason code, minutes range, symptom, cause, action, failure coding or None)
    (
        "U-JAM-BOT",
        (5, 25),
        "Bottles fallen at the infeed star wheel",
        "Worn guide rail",
        "Cleared the jam, adjusted the guide",
        ("BRD", "1.5", "WEA", "PRO"),
    ),
    (
        "U-JAM-LAB",
        (5, 20),
        "Labels wrapping around the drum",
        "Glue too thin",
        "Cleaned the drum, raised glue temperature",
        ("ERO", "1.5", "OPE", "PRO"),
    ),
    (
        "U-MECH-BELT",
        (30, 120),
        "Conveyor stopped, belt slipping",
        "Belt worn through",
        "Replaced the belt",
        ("BRD", "2.2", "WEA", "CO"),
    ),
    (
        "U-ELEC-SENS",
        (10, 45),
        "Machine stops with photo-eye fault",
        "Dirty reflector",
        "Cleaned and re-aligned the sensor",
        ("SPO", "3.1", "MNT", "ALM"),
    ),
    (
        "U-PNEU-AIR",
        (10, 40),
        "Low air pressure alarm",
        "Compressor 1 tripped",
        "Reset the compressor, checked the dryer",
        ("FTS", "5.0", "EXT", "ALM"),
    ),
    (
        "U-MECH-BRG",
        (60, 240),
        "Noise and heat at the drive",
        "Bearing failed",
        "Replaced the bearing and checked alignment",
        ("VIB", "2.2", "MNT", "CM"),
    ),
    (
        "U-MAT-SHORT",
        (15, 60),
        "No preforms at the blow molder",
        "Silo empty",
        "Called the warehouse, refilled",
        None,
    ),
    (
        "P-CHG-PROD",
        (30, 60),
        "Changeover to the next product",
        "Production plan",
        "Changed parts and settings",
        None,
    ),
    ("P-CLN-SAN", (20, 40), "Sanitation of the filler", "Hygiene plan", "Sanitised", None),
]


def load(data, stdout):
    _reason_tree(data.get("reason_codes", []))
    _failure_codes(data.get("failure_codes", {}))
    for site_row in data["sites"]:
        site = Site.objects.get(code=site_row["code"])
        if DowntimeIncident.objects.filter(equipment__line__area__site=site).exists():
            continue
        made = _incidents(site)
        stdout.write(f"downtime incidents: {made} created")


def _reason_tree(categories):
    for row in categories:
        category, _ = ReasonCode.objects.get_or_create(
            code=row["code"], defaults={"name": demo_word(row["name"]), "kind": row["kind"]}
        )
        for code, name in row["reasons"]:
            ReasonCode.objects.get_or_create(
                code=code,
                defaults={"name": demo_word(name), "kind": row["kind"], "parent": category},
            )


def _failure_codes(lists):
    for list_name, rows in lists.items():
        for code, name in rows:
            FailureCode.objects.get_or_create(
                list=list_name, code=code, defaults={"name": demo_word(name)}
            )


def _incidents(site) -> int:
    rng = random.Random(site.code + "-downtime")
    now = timezone.now()
    reasons = {reason.code: reason for reason in ReasonCode.objects.all()}
    codes = {(code.list, code.code): code for code in FailureCode.objects.all()}
    techs = list(User.objects.filter(groups__name="technician", sites=site).order_by("username"))
    supervisor = User.objects.filter(groups__name="supervisor", sites=site).first()
    machines = list(
        Equipment.objects.filter(line__area__site=site, parent__isnull=True).order_by("asset_tag")
    )
    incidents = []
    for machine in machines:
        moment = now - datetime.timedelta(days=DAYS) + datetime.timedelta(hours=rng.uniform(2, 30))
        while True:
            code, (low, high), symptom, cause, action, coding = rng.choice(STOPS)
            minutes = rng.randint(low, high)
            end = moment + datetime.timedelta(minutes=minutes)
            if end > now - datetime.timedelta(hours=2):
                break
            tech = rng.choice(techs)
            incident = DowntimeIncident(
                equipment=machine,
                started_at=moment,
                ended_at=end,
                symptom=symptom,
                reported_by=tech,
                responded_at=moment + datetime.timedelta(minutes=min(minutes, rng.randint(1, 8))),
            )
            incident.repaired_at = max(
                incident.responded_at, end - datetime.timedelta(minutes=rng.randint(0, 5))
            )
            # The most recent stops are still to classify, as on any real morning.
            if end < now - datetime.timedelta(hours=20):
                incident.reason = reasons[code]
                incident.cause, incident.action_taken = cause, action
                if coding:
                    (
                        incident.failure_mode,
                        incident.failure_mechanism,
                        incident.failure_cause,
                        incident.detection_method,
                    ) = (
                        codes[(name, value)]
                        for name, value in zip(
                            ("mode", "mechanism", "cause", "detection"), coding, strict=True
                        )
                    )
                incident.closed_at = end + datetime.timedelta(minutes=rng.randint(10, 90))
                incident.closed_by = supervisor or tech
            incidents.append(incident)
            moment = end + datetime.timedelta(hours=rng.expovariate(1 / 40))
    # One machine is down right now, posted by the machine itself, reason still unknown.
    cip = Equipment.objects.filter(line__area__site=site, asset_tag__contains="CIP").first()
    if cip is not None:
        incidents.append(
            DowntimeIncident(
                equipment=cip,
                started_at=now - datetime.timedelta(minutes=47),
                symptom="Return pump pressure low (alarm 1042)",
                source=IncidentSource.MACHINE,
            )
        )
    bulk_create_with_history(incidents, DowntimeIncident, default_user=None)
    return len(incidents)
