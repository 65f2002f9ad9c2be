"""Which open work is overdue: past its due time by its tolerance and one day more."""

import datetime

from logbook.maintenance.models import WorkOrder
from logbook.maintenance.selectors import overdue
from tests.timeline import NOW

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def test_each_order_is_late_by_its_own_tolerance(filler):
    def order(title, late_by, tolerance, status="open"):
        WorkOrder.objects.create(
            kind="corrective",
            equipment=filler,
            title=title,
            due_at=NOW - late_by,
            tolerance_days=tolerance,
            status=status,
        )

    order("no tolerance, a day and an hour", DAY + HOUR, 0)
    order("no tolerance, an hour short of a day", DAY - HOUR, 0)
    order("three days' tolerance, four days and an hour", 4 * DAY + HOUR, 3)
    order("three days' tolerance, only three days and a half", 3 * DAY + 12 * HOUR, 3)
    order("seven days' tolerance, five days", 5 * DAY, 7)
    order("seven days' tolerance, nine days", 9 * DAY, 7, status="in_progress")
    order("done and verified long ago", 30 * DAY, 0, status="verified")
    assert sorted(overdue(WorkOrder.objects.all(), now=NOW).values_list("title", flat=True)) == [
        "no tolerance, a day and an hour",
        "seven days' tolerance, nine days",
        "three days' tolerance, four days and an hour",
    ]
