from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class CharacteristicKind(TextChoices):
    VARIABLE = "variable", _("Measured (variable)")
    ATTRIBUTE = "attribute", _("Pass/fail (attribute)")


class Verdict(TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class Severity(TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Disposition(TextChoices):
    REWORK = "rework", _("Rework")
    SCRAP = "scrap", _("Scrap")
    USE_AS_IS = "use_as_is", _("Use as is")
    RETURN = "return", _("Return to supplier")


class NCStatus(TextChoices):
    OPEN = "open", _("Open")
    DISPOSITIONED = "dispositioned", _("Dispositioned")
    CLOSED = "closed", _("Closed")
