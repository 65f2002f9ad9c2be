from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class EquipmentConfig(AppConfig):
    name = "logbook.equipment"
    label = "equipment"
    verbose_name = pgettext_lazy("section", "Equipment")
