"""Demo quality: plans for two products, two weeks of inspections (two per shift) with a few
failures, and nonconformances at each stage. Demo data only."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from logbook.accounts.models import Signature, User
from logbook.equipment.models import Line, Site
from logbook.quality import services
from logbook.quality.choices import Verdict
from logbook.quality.models import Inspection, InspectionPlan
from logbook.shifts.models import Shift


def load(data, stdout):
    for site_row in data["sites"]:
        site = Site.objects.get(code=site_row["code"])
        if InspectionPlan.objects.filter(line__area__site=site).exists():
            continue
        quality = User.objects.filter(groups__name="quality", sites=site).first()
        techs = list(User.objects.filter(groups__name="technician", sites=site))
        made = 0
        for row in data.get("inspection_plans", []):
            line = Line.objects.get(area__site=site, code=row["line"])
            plan = services.plan_save(
                plan=InspectionPlan(name=row["name"], product=row["product"], line=line),
                user=quality,
                characteristics=[
                    {
                        key: (Decimal(value) if key in ("nominal", "lsl", "usl") else value)
                        for key, value in item.items()
                        if key not in ("mean", "sd", "fail_rate")
                    }
                    for item in row["characteristics"]
                ],
            )
            made += _inspections(plan, row, [*techs, quality])
        _nonconformances(site, quality)
        stdout.write(f"inspections: {made} created")


def _inspections(plan, row, inspectors) -> int:
    rng = random.Random(plan.product)
    now = timezone.now()
    specs = {item["name"]: item for item in row["characteristics"]}
    made = 0
    for shift in Shift.objects.filter(line=plan.line, ends_at__lte=now).order_by("starts_at"):
        for hour in (2, 6):
            results = {}
            for characteristic in plan.characteristics.all():
                spec = specs[characteristic.name]
                if characteristic.kind == "variable":
                    value = rng.gauss(spec["mean"], spec["sd"])
                    results[characteristic.pk] = f"{value:.{characteristic.decimals}f}"
                else:
                    passed = rng.random() > spec["fail_rate"]
                    results[characteristic.pk] = {
                        "passed": passed,
                        "defect": "" if passed else rng.choice(characteristic.defects),
                    }
            services.inspection_record(
                plan=plan,
                user=rng.choice(inspectors),
                shift=shift,
                results=results,
                batch=f"{plan.line.code}-{shift.date:%y%m%d}-{shift.pattern.name[0]}",
                sample=f"{rng.randint(1, 5)} × 5",
                inspected_at=shift.starts_at
                + datetime.timedelta(hours=hour, minutes=rng.randint(0, 50)),
            )
            made += 1
    return made


def _nonconformances(site, quality):
    failed = list(
        Inspection.objects.filter(line__area__site=site, verdict=Verdict.FAIL)
        .select_related("plan", "line")
        .order_by("inspected_at")
    )
    for index, inspection in enumerate(failed[-3:]):
        nc = services.nonconformance_raise(
            user=inspection.inspector,
            line=inspection.line,
            inspection=inspection,
            title=f"{inspection.plan.product} batch {inspection.batch} out of specification",
            description=services.failure_summary(inspection),
            batch=inspection.batch,
            severity="major" if index % 2 else "minor",
            quantity=1200,
        )
        if index < 2 and quality is not None:
            services.nonconformance_disposition(
                nc=nc,
                user=quality,
                disposition="rework",
                containment="Pallets of the batch on hold.",
            )
            if index == 0:
                nc.root_cause = "Filler level probe drifted after cleaning."
                nc.corrective_action = "Probe recalibrated; check added to the CIP routine."
                nc.save()
                nc.signature = Signature.objects.create(
                    signer=quality,
                    signer_name=quality.get_full_name(),
                    meaning="approved",
                    signed_at=timezone.now(),
                )
                nc.status = "closed"
                nc.save()
