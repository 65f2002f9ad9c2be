from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkRequestsConfig(AppConfig):
    name = "logbook.workrequests"
    label = "workrequests"
    verbose_name = _("Work requests")
