import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from logbook.core.access import link_if_allowed
from logbook.core.tables import BaseTable, PersonColumn
from logbook.workrequests.models import WorkRequest


class WorkRequestTable(BaseTable):
    number = tables.Column(
        accessor="pk", verbose_name=_("No."), linkify=lambda record: record.get_absolute_url()
    )
    equipment = tables.Column(
        accessor="equipment__asset_tag",
        verbose_name=_("Equipment"),
        linkify=lambda record: record.equipment.get_absolute_url(),
    )
    description = tables.Column(verbose_name=_("What is wrong"))
    requested_by = PersonColumn("requested_by", verbose_name=_("Requested by"))
    work_order = tables.Column(
        accessor="work_order_id",
        verbose_name=_("Work order"),
        linkify=lambda record, table: (
            link_if_allowed(record.work_order, table) if record.work_order_id else None
        ),
    )

    card_fields = ("number", "equipment", "status", "urgency")

    class Meta(BaseTable.Meta):
        model = WorkRequest
        fields = (
            "number",
            "requested_at",
            "equipment",
            "description",
            "urgency",
            "status",
            "requested_by",
            "work_order",
        )
        empty_text = _("No work requests match these filters.")

    def render_number(self, record):
        return record.number

    def value_number(self, record):
        return record.number

    def render_description(self, record):
        return record.title

    def render_work_order(self, record):
        return record.work_order.number

    def value_work_order(self, record):
        return record.work_order.number if record.work_order_id else ""
