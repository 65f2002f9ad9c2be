"""Demo: the last handovers of each line carry the items compiled from the demo's records (the
older ones were written before the records existed); the acknowledged ones are answered."""

from logbook.reports.handover import compile_handover
from logbook.shifts.models import Handover, HandoverAnswer, HandoverItem

COMPILED_PER_LINE = 3


def load(data, stdout):
    made = 0
    lines = Handover.objects.values_list("shift__line", flat=True).distinct().order_by()
    for line in lines:
        recent = (
            Handover.objects.filter(shift__line=line, items__isnull=True)
            .select_related("shift__line__area__site", "acknowledged_by")
            .order_by("-shift__starts_at")[:COMPILED_PER_LINE]
        )
        for handover in recent:
            items = [
                HandoverItem(handover=handover, order=order, **item)
                for order, item in enumerate(compile_handover(handover.shift), start=1)
            ]
            if handover.acknowledged_at is not None:
                for item in items:
                    item.answer = HandoverAnswer.ACCEPTED
                    item.answered_by = handover.acknowledged_by
                    item.answered_at = handover.acknowledged_at
            HandoverItem.objects.bulk_create(items)
            made += len(items)
    stdout.write(f"handover items: {made} compiled")
