"""Work requests: reported from the floor, answered once by a planner or supervisor.

A request is answered by turning it into a corrective work order (linked both ways) or by
declining it with a reason; either answer is final, so a second answer is a conflict (409).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logbook.core.exceptions import Conflict
from logbook.maintenance.choices import Priority
from logbook.maintenance.services import work_order_create
from logbook.workrequests.choices import RequestStatus
from logbook.workrequests.models import WorkRequest


@transaction.atomic
def work_request_raise(
    *, equipment, user, description, urgency=Priority.NORMAL, photo=""
) -> WorkRequest:
    """Report a problem on ``equipment``: what is wrong, how urgent, a photo if taken."""
    request = WorkRequest(
        equipment=equipment,
        description=description,
        urgency=urgency,
        photo=photo,
        requested_by=user,
    )
    request.full_clean()
    request.save()
    return request


def _open(work_request: WorkRequest) -> WorkRequest:
    """The request's row, held until the answer is saved, and still waiting for one."""
    locked = (
        WorkRequest.objects.select_for_update(of=("self",))
        .select_related("equipment__line__area__site", "requested_by")
        .get(pk=work_request.pk)
    )
    if locked.status != RequestStatus.OPEN:
        raise Conflict(
            _("%(number)s was already answered: %(status)s.")
            % {"number": locked.number, "status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def work_request_convert(
    *, work_request: WorkRequest, user, title="", priority=None, due_at=None, assigned_to=None
) -> WorkRequest:
    """Raise the corrective work order the request asks for; the request points to it."""
    work_request = _open(work_request)
    work_order = work_order_create(
        equipment=work_request.equipment,
        user=user,
        title=title or work_request.title,
        description=_("%(text)s\n\nRequested by %(name)s (%(number)s).")
        % {
            "text": work_request.description,
            "name": work_request.requested_by,
            "number": work_request.number,
        },
        priority=priority or work_request.urgency,
        due_at=due_at,
        assigned_to=assigned_to,
    )
    work_request.status = RequestStatus.CONVERTED
    work_request.work_order = work_order
    work_request.decided_by = user
    work_request.decided_at = timezone.now()
    work_request.full_clean()
    work_request.save()
    return work_request


@transaction.atomic
def work_request_decline(*, work_request: WorkRequest, user, reason: str) -> WorkRequest:
    """Say no, and why: the requester reads the reason on their request."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the request is declined.")})
    work_request = _open(work_request)
    work_request.status = RequestStatus.DECLINED
    work_request.decline_reason = reason.strip()
    work_request.decided_by = user
    work_request.decided_at = timezone.now()
    work_request.full_clean()
    work_request.save()
    return work_request
