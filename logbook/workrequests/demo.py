"""Demo work requests: one waiting for a planner, one turned into a work order, one declined.
Demo data only."""

import datetime

from django.utils import timezone

from logbook.accounts.models import User
from logbook.equipment.models import Equipment
from logbook.workrequests import services
from logbook.workrequests.models import WorkRequest


def load(data, stdout):
    rows = data.get("work_requests", [])
    if WorkRequest.objects.exists():
        stdout.write("work requests: already there")
        return
    for row in rows:
        equipment = Equipment.objects.get(
            asset_tag=row["equipment"], line__area__site__code=row["site"]
        )
        request = services.work_request_raise(
            equipment=equipment,
            user=User.objects.get(username=row["by"]),
            description=row["description"],
            urgency=row["urgency"],
        )
        WorkRequest.objects.filter(pk=request.pk).update(
            requested_at=timezone.now() - datetime.timedelta(hours=row["hours_ago"])
        )
        answerer = User.objects.filter(username=row.get("by_planner")).first()
        if row.get("answer") == "convert":
            services.work_request_convert(work_request=request, user=answerer)
        elif row.get("answer") == "decline":
            services.work_request_decline(work_request=request, user=answerer, reason=row["reason"])
    stdout.write(f"work requests: {len(rows)} created")
