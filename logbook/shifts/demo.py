"""Two weeks of demo shifts: three 8-hour shifts a day on each line, with entries, counts,
handovers and open items; most signed off, the last few waiting for the supervisor.

Demo data only: it is written directly (signatures included, without a password prompt) because
it describes the past. Every record a person makes goes through ``shifts.services``.
"""

import datetime
import random
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from logbook.accounts.models import Signature, User
from logbook.core.demo_words import demo_word
from logbook.equipment.models import Line, Site
from logbook.reports.oee import oee
from logbook.shifts import clock
from logbook.shifts.models import (
    Handover,
    LogEntry,
    OpenItem,
    ProductionRecord,
    Shift,
    ShiftPattern,
)

DAYS = 28
UNSIGNED_PER_LINE = 2  # the last ended shifts of each line wait for sign-off

ENTRIES = {
    "production": [
        "Started {product}; line up to speed after {n} minutes.",
        "Running at nominal speed, no rejects at the inspector.",
        "Short stops at the {eq_name}: cleared, running again.",
        "Changeover to {product} finished, first bottles checked.",
        "Buffer before the {eq_name} full twice, speed reduced for 10 minutes.",
    ],
    "maintenance": [
        "Adjusted the guide rails at the {eq_name}.",
        "Greased the {eq_name} drive chain as per PM card.",
        "Replaced a worn belt on the {eq_name}.",
        "Checked air pressure at the {eq_name}: 6.1 bar, within limits.",
        "Vibration on the {eq_name} motor: called maintenance, bearing to be watched.",
    ],
    "safety": [
        "Walkway by the {eq_name} wet: cleaned, sign put up.",
        "Guard door interlock of the {eq_name} tested: OK.",
        "Lockout done before clearing the jam at the {eq_name}.",
    ],
    "quality": [
        "Fill level check: 5 samples in range.",
        "Torque check on caps: all within 1.6–2.2 N·m.",
        "Label position off by 2 mm after the changeover: corrected at the {eq_name}.",
    ],
    "note": [
        "New operator on the line, shown the start-up routine.",
        "Material for the next changeover staged at the line.",
        "Forklift charging point out of order, reported to facilities.",
    ],
}
UTILITY_ENTRIES = {
    "maintenance": [
        "Compressor 1 oil level checked: OK.",
        "Condensate drain of the {eq_name} cleaned.",
        "Chiller inlet temperature 7.2 °C, outlet 12.0 °C.",
    ],
    "note": ["Network pressure steady at 6.8 bar.", "CIP skid cycle completed for line 2."],
    "safety": ["Compressor room door closed and signed.", "Eye-wash station checked."],
}
SUMMARIES = [
    "Line ran well. {product} all shift. Watch the {eq_name}: a few short stops near the end.",
    "Quiet shift, counts on target. Materials for next shift staged.",
    "Two jams at the {eq_name}, cleared. Maintenance informed about the noise.",
    "Changeover done mid-shift; first hour slow, then at speed.",
]
OPEN_ITEMS = [
    "Spare belt for the {eq_name} to be ordered.",
    "Check the {eq_name} sensor after the next cleaning.",
    "Label reel stock low: ask the warehouse for two more.",
]


def load(data, stdout):
    made = 0
    for site_code, patterns in data.get("shift_patterns", {}).items():
        site = Site.objects.get(code=site_code)
        for row in patterns:
            ShiftPattern.objects.get_or_create(
                site=site,
                name=demo_word(row["name"]),
                defaults={
                    "start_time": datetime.time.fromisoformat(row["start"]),
                    "end_time": datetime.time.fromisoformat(row["end"]),
                },
            )
        if Shift.objects.filter(line__area__site=site).exists():
            continue
        for line in Line.objects.filter(area__site=site).order_by("code"):
            made += _line_history(site, line, data.get("products", {}).get(line.code, []))
    stdout.write(f"shifts: {made} created")


def _line_history(site, line, products) -> int:
    rng = random.Random(f"{site.code}-{line.code}")
    zone, now = site.zone, timezone.now()
    patterns = list(ShiftPattern.objects.filter(site=site).order_by("start_time"))
    techs = list(User.objects.filter(groups__name="technician", sites=site).order_by("username"))
    supervisor = User.objects.filter(groups__name="supervisor", sites=site).order_by("pk").first()
    equipment = list(line.equipment.filter(parent__isnull=True).order_by("asset_tag"))
    today = timezone.localdate(timezone=zone)
    slots = []
    for offset in range(DAYS, -1, -1):
        day = today - datetime.timedelta(days=offset)
        for pattern in patterns:
            starts_at, ends_at = clock.shift_window(day, pattern.start_time, pattern.end_time, zone)
            if starts_at <= now:
                slots.append((pattern, day, starts_at, ends_at))
    ended = [slot for slot in slots if slot[3] <= now]
    unsigned = {id(slot) for slot in ended[-UNSIGNED_PER_LINE:]}
    product = products[0] if products else None
    entries, records, prev_shift, open_items = [], [], None, []
    for index, (pattern, day, starts_at, ends_at) in enumerate(slots):
        lead = techs[index % len(techs)]
        running = ends_at > now
        shift = Shift.objects.create(
            line=line,
            pattern=pattern,
            date=day,
            lead=lead,
            started_by=lead,
            starts_at=starts_at,
            ends_at=ends_at,
        )
        if products and rng.random() < 0.15:
            product = rng.choice(products)
        last = min(ends_at, now) - datetime.timedelta(minutes=5)
        count = rng.randint(1, 2) if running else rng.randint(3, 6)
        for _ in range(count):
            entries.append(_entry(rng, shift, lead, equipment, product, starts_at, last))
        if product and not running:
            minutes = clock.duration_minutes(starts_at, ends_at)
            planned = 30 + (45 if rng.random() < 0.2 else 0)
            # The line ran its shift less the planned stops and the stops it really had.
            down = oee(line=line, start=starts_at, end=ends_at)["unplanned_downtime_minutes"]
            run_seconds = max(minutes - planned - down - rng.randint(0, 15), 0) * 60
            cycle = Decimal(product["ideal_cycle_time_s"])
            produced = int(run_seconds / float(cycle) * rng.uniform(0.86, 0.97))
            records.append(
                ProductionRecord(
                    shift=shift,
                    product=product["product"],
                    produced_count=produced,
                    good_count=int(produced * rng.uniform(0.975, 0.996)),
                    ideal_cycle_time_s=cycle,
                    planned_stop_minutes=planned,
                    recorded_by=lead,
                )
            )
        if prev_shift is not None:
            handover = prev_shift.handover
            handover.acknowledged_by = lead
            handover.acknowledged_at = starts_at + datetime.timedelta(minutes=rng.randint(2, 12))
            handover.save()
            for item in open_items:
                if rng.random() < 0.5:
                    item.closed_on, item.closed_by = shift, lead
                    item.closed_at = starts_at + datetime.timedelta(hours=rng.randint(1, 6))
                    item.closing_note = "Done."
                    item.save()
            open_items = [item for item in open_items if item.closed_at is None]
        if running:
            break
        eq = rng.choice(equipment) if equipment else None
        fill = {"product": product["product"] if product else "", "eq_name": _name(eq)}
        prev_shift = shift
        Handover.objects.create(
            shift=shift,
            summary=rng.choice(SUMMARIES).format(**fill),
            handed_over_by=lead,
            handed_over_at=ends_at - datetime.timedelta(minutes=rng.randint(0, 10)),
        )
        if rng.random() < 0.25:
            open_items.append(
                OpenItem.objects.create(
                    line=line,
                    raised_on=shift,
                    raised_by=lead,
                    text=rng.choice(OPEN_ITEMS).format(**fill),
                )
            )
        if id(slots[index]) not in unsigned and supervisor is not None:
            shift.signature = Signature.objects.create(
                signer=supervisor,
                signer_name=supervisor.get_full_name(),
                signed_at=ends_at + datetime.timedelta(minutes=rng.randint(20, 90)),
                meaning=rng.choice(["reviewed", "reviewed", "approved"]),
            )
            shift.save(update_fields=["signature"])
    # Written as they happened: an entry when it occurred, counts at the shift's end (the
    # digest's record-quality score counts entries written after their shift ended).
    bulk_create_with_history(entries, LogEntry, default_user=None)
    bulk_create_with_history(records, ProductionRecord, default_user=None)
    LogEntry.objects.filter(shift__line=line).update(created_at=F("occurred_at"))
    shift_end = Shift.objects.filter(pk=OuterRef("shift_id")).values("ends_at")[:1]
    ProductionRecord.objects.filter(shift__line=line).update(created_at=Subquery(shift_end))
    _amend_one(line, supervisor)
    return len(slots)


def _name(equipment) -> str:
    return equipment.name.lower() if equipment else "line"


def _entry(rng, shift, author, equipment, product, starts_at, last):
    utilities = product is None
    table = UTILITY_ENTRIES if utilities else ENTRIES
    category = rng.choice(list(table))
    eq = rng.choice(equipment) if equipment and rng.random() < 0.7 else None
    span = max(int((last - starts_at).total_seconds()), 60)
    return LogEntry(
        shift=shift,
        author=author,
        category=category,
        equipment=eq,
        occurred_at=starts_at + datetime.timedelta(seconds=rng.randint(60, span)),
        text=rng.choice(table[category]).format(
            product=product["product"] if product else "", n=rng.randint(5, 25), eq_name=_name(eq)
        ),
    )


def _amend_one(line, supervisor):
    """One signed shift carries an amendment, as corrections happen in real plants."""
    shift = Shift.objects.filter(line=line, signature__isnull=False).order_by("-starts_at")[3:4]
    entry = LogEntry.objects.filter(shift__in=shift).order_by("occurred_at").first()
    if entry is None or supervisor is None:
        return
    LogEntry.objects.create(
        shift=entry.shift,
        author=supervisor,
        category=entry.category,
        equipment=entry.equipment,
        occurred_at=entry.occurred_at,
        text=f"{entry.text} Checked with the technician: done on the second machine too.",
        amends=entry,
        amend_reason="Entry was incomplete; completed after the shift review.",
    )
