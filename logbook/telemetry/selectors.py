"""Reads of machine signals for the pages."""

import datetime

from django.db.models import Count, Min, Sum, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from logbook.core.db import time_plus
from logbook.equipment.models import Equipment
from logbook.telemetry.choices import MachineState
from logbook.telemetry.models import CountMinute, MachineLink

NO_SIGNAL = "no_signal"


def machine_signal(equipment, now=None) -> dict | None:
    """What the machine's signals say now: its state and since when, or "no signal" once it has
    been silent for its class's heartbeat; None for a machine that sends none."""
    link = MachineLink.objects.filter(equipment=equipment).first()
    if link is None:
        return None
    now = now or timezone.now()
    heartbeat = datetime.timedelta(seconds=equipment.equipment_class.heartbeat_seconds)
    silent = now - link.last_signal_at >= heartbeat
    known = link.state in MachineState.values  # "" for a machine that sends no state
    return {
        "state": NO_SIGNAL if silent else (link.state or "unknown"),
        "label": MachineState(link.state).label if known and not silent else _("Sending"),
        "since": link.last_signal_at if silent else link.state_since,
        "last_signal_at": link.last_signal_at,
    }


def counting_line(line) -> bool:
    """Whether a machine of the line counts its output."""
    return line.equipment.filter(counts_line_output=True).exists()


def line_counted(line_id: int, start, end) -> tuple[int, int]:
    """(produced, good) by the line's counting machines in the minutes from ``start`` (to the
    minute) until ``end``: one aggregate."""
    counted = CountMinute.objects.filter(
        equipment__line_id=line_id,
        equipment__counts_line_output=True,
        minute__gte=start,
        minute__lt=end,
    ).aggregate(produced=Sum("produced"), rejected=Sum("rejected"))
    produced = counted["produced"] or 0
    return produced, produced - (counted["rejected"] or 0)


def machine_count(shift) -> dict | None:
    """What the line's counting machines counted during the shift, beside what was typed:
    {"produced", "good", "rejected", "typed_produced", "typed_good"}; None when no machine of
    the line counts its output (two aggregates)."""
    from logbook.shifts.models import ProductionRecord

    counted = CountMinute.objects.filter(
        equipment__line_id=shift.line_id,
        equipment__counts_line_output=True,
        minute__gte=shift.starts_at,
        minute__lt=shift.ends_at,
    ).aggregate(produced=Sum("produced"), rejected=Sum("rejected"), minutes=Count("pk"))
    if not counted["minutes"]:
        return None
    typed = (
        ProductionRecord.objects.filter(shift=shift)
        .current()
        .aggregate(
            produced=Sum("produced_count"),
            good=Sum("good_count"),
            first_run=Min("started_at"),
        )
    )
    produced, rejected = counted["produced"] or 0, counted["rejected"] or 0
    unassigned = None
    if typed["first_run"] is not None:
        unassigned = line_counted(shift.line_id, shift.starts_at, typed["first_run"])[0]
    return {
        "produced": produced,
        "rejected": rejected,
        "good": produced - rejected,
        "typed_produced": typed["produced"],
        "typed_good": typed["good"],
        "difference": None if typed["produced"] is None else typed["produced"] - produced,
        # Counted before the shift's first product run: in no production record.
        "unassigned": unassigned,
    }


def signal_losses(*, start, end, line=None, site=None, now=None) -> dict:
    """What the machines' own signals add to the reports over [start, end), cut at now, for a
    line or a site: per machine, its micro-stops (how many, and their minutes: a speed loss, not
    downtime) and the minutes it sent no signal (silent periods, and a silence still lasting
    past its heartbeat), each clipped to the period. ``{"rows": [...], "micro_stops",
    "micro_stop_minutes", "no_signal_minutes"}``. One query."""
    from logbook.core.routing import reading_connection
    from logbook.equipment.models import EquipmentClass
    from logbook.reports import sql
    from logbook.reports.oee import scope_condition
    from logbook.telemetry.models import MicroStop, SilentPeriod

    now = now or timezone.now()
    end = min(end, now)
    if end <= start:
        return {"rows": [], "micro_stops": 0, "micro_stop_minutes": 0.0, "no_signal_minutes": 0.0}
    epoch, greatest, least = sql.dialect()
    in_scope, params = scope_condition("e.line_id", line=line, site=site)
    params.update(sql.period_params(start, end, now))
    query = f"""
        WITH t AS (
            SELECT equipment_id, 1 AS micro, {epoch("started_at")} AS s, {epoch("ended_at")} AS f
            FROM {MicroStop._meta.db_table}
            WHERE started_at < %(end)s AND ended_at > %(start)s
            UNION ALL
            SELECT equipment_id, 0, {epoch("started_at")}, {epoch("ended_at")}
            FROM {SilentPeriod._meta.db_table}
            WHERE started_at < %(end)s AND ended_at > %(start)s
            UNION ALL
            SELECT k.equipment_id, 0, {epoch("k.last_signal_at")}, %(now)s
            FROM {MachineLink._meta.db_table} k
            JOIN {Equipment._meta.db_table} ke ON ke.id = k.equipment_id
            JOIN {EquipmentClass._meta.db_table} kc ON kc.id = ke.equipment_class_id
            WHERE k.last_signal_at < %(end)s
              AND {epoch("k.last_signal_at")} + kc.heartbeat_seconds <= %(now)s
        )
        SELECT e.id, e.asset_tag, e.name,
               SUM(t.micro),
               SUM(CASE WHEN t.micro = 1
                        THEN {least}(t.f, %(e0)s) - {greatest}(t.s, %(s0)s) ELSE 0 END),
               SUM(CASE WHEN t.micro = 0
                        THEN {least}(t.f, %(e0)s) - {greatest}(t.s, %(s0)s) ELSE 0 END)
        FROM t JOIN {Equipment._meta.db_table} e ON e.id = t.equipment_id
        WHERE {in_scope}
        GROUP BY e.id, e.asset_tag, e.name
        ORDER BY e.asset_tag
    """
    with reading_connection().cursor() as cursor:
        cursor.execute(query, params)
        found = cursor.fetchall()
    rows = [
        {
            "equipment_id": pk,
            "asset_tag": tag,
            "name": name,
            "micro_stops": int(count or 0),
            "micro_stop_minutes": max(float(micro or 0), 0.0) / 60,
            "no_signal_minutes": max(float(silent or 0), 0.0) / 60,
        }
        for pk, tag, name, count, micro, silent in found
    ]
    return {
        "rows": rows,
        "micro_stops": sum(row["micro_stops"] for row in rows),
        "micro_stop_minutes": sum(row["micro_stop_minutes"] for row in rows),
        "no_signal_minutes": sum(row["no_signal_minutes"] for row in rows),
    }


def silent_machines(user, now=None, shown=None, **filters) -> tuple[list, int]:
    """The user's machines that have sent nothing for their class's heartbeat (``filters`` on
    the equipment, e.g. ``line_id``), shown as "no signal" beside the machines down: the first
    ``shown`` of them (silent longest first), each with its line, site and link, and how many
    there are in all (``COUNT(*) OVER ()``). One query, whatever the number of machines linked
    or silent.

    Read from the machine links (the few machines that send signals; from the machines' side
    SQLite walked all 20,000 of five years' company through their sites to find none linked:
    8.6 → 1.1 ms); a link is silent when its last signal plus the heartbeat is past."""
    now = now or timezone.now()
    heard_until = time_plus(
        "last_signal_at",
        "equipment__equipment_class__heartbeat_seconds",
        datetime.timedelta(seconds=1),
    )
    links = list(
        MachineLink.objects.for_user(user)
        .filter(**{f"equipment__{name}": value for name, value in filters.items()})
        .alias(heard_until=heard_until)
        .filter(heard_until__lte=now)
        .select_related("equipment__line__area__site")
        .annotate(of=Window(Count("pk")))
        .order_by("last_signal_at", "pk")[:shown]
    )
    # Each machine knows its link (a one-to-one read with select_related).
    return [link.equipment for link in links], links[0].of if links else 0
