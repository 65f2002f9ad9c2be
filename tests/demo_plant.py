"""The demo plant as a test fixture, with every kind of record a plant keeps."""

import io

from django.core.management import call_command

from logbook.accounts.models import User


def demo_with_every_locked_kind():
    """The demo plant, plus what it lacks: parts used on a verified order, amendments, an alarm."""
    from logbook.maintenance.models import PartUsage, SparePart, WorkOrder
    from logbook.maintenance.services import work_order_amend
    from logbook.quality.models import Nonconformance
    from logbook.quality.services import nonconformance_amend

    call_command("load_demo", stdout=io.StringIO())
    from django.utils import timezone

    from logbook.equipment.models import Equipment, EquipmentEvent

    supervisor = User.objects.get(username="supervisor")
    EquipmentEvent.objects.create(
        equipment=Equipment.objects.first(), occurred_at=timezone.now(), code="E-42"
    )
    verified = WorkOrder.objects.filter(status="verified").first()
    # Parts taken on an order before it was verified (written as the service would).
    PartUsage.objects.create(
        work_order=verified, part=SparePart.objects.first(), quantity=1, used_by=supervisor
    )
    work_order_amend(work_order=verified, user=supervisor, text="Chain was 10 mm", reason="Typo")
    nonconformance_amend(
        nc=Nonconformance.objects.filter(status="closed").first(),
        user=User.objects.get(username="quality"),
        text="Batch was 42",
        reason="Typo",
    )
