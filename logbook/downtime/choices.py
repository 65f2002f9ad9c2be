from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class ReasonKind(TextChoices):
    PLANNED = "planned", _("Planned")
    UNPLANNED = "unplanned", _("Unplanned")


class FailureCodeList(TextChoices):
    """The ISO 14224 pick lists that code a failure."""

    MODE = "mode", _("Failure mode")
    MECHANISM = "mechanism", _("Failure mechanism")
    CAUSE = "cause", _("Failure cause")
    DETECTION = "detection", _("Detection method")


class IncidentSource(TextChoices):
    MANUAL = "manual", _("Recorded by a person")
    MACHINE = "machine", _("Posted by a machine")
    IMPORT = "import", _("Imported history")


class IncidentState(TextChoices):
    OPEN = "open", _("Down")
    ENDED = "ended", _("Running again, to classify")
    CLOSED = "closed", _("Closed")
