from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class RequestStatus(TextChoices):
    OPEN = "open", _("Waiting for a planner")
    CONVERTED = "converted", _("Work order raised")
    DECLINED = "declined", _("Declined")
