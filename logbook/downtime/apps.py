from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DowntimeConfig(AppConfig):
    name = "logbook.downtime"
    label = "downtime"
    verbose_name = _("Downtime")
