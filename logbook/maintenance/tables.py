import datetime

import django_tables2 as tables
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from logbook.accounts.models import Certification
from logbook.core.access import link_if_allowed
from logbook.core.tables import BaseTable, PersonColumn, QuantityColumn
from logbook.maintenance.models import IsolationPoint, MaintenanceSchedule, SparePart, WorkOrder

WIDE = {"td": {"class": "wide"}, "th": {"class": "wide"}}


class WorkOrderStatusColumn(tables.Column):
    export_plain = True  # "Overdue" is for the page; the export has the status and due date

    def render(self, record, value):
        late = " late" if record.is_overdue else ""
        label = _("Overdue") if record.is_overdue else value
        return format_html('<span class="badge wo-{}{}">{}</span>', record.status, late, label)

    def value(self, record, value):
        return value


class NumberColumn(tables.Column):
    export_fields = ("id",)

    def export_value(self, pk):
        return WorkOrder.number_of(pk)

    def value(self, record):
        return record.number


class WorkOrderTable(BaseTable):
    card_fields = ("number", "title", "due_at", "status")
    number = NumberColumn(
        accessor="pk",
        verbose_name=_("No."),
        linkify=lambda record: record.get_absolute_url(),
        attrs={"td": {"class": "nowrap"}},
    )
    due_at = tables.DateColumn(verbose_name=_("Due"), short=True)
    equipment = tables.Column(
        accessor="equipment__asset_tag",
        verbose_name=_("Equipment"),
        attrs={"td": {"class": "nowrap"}},
    )
    title = tables.Column(linkify=True)
    kind = tables.Column()
    priority = tables.Column()
    status = WorkOrderStatusColumn()
    assigned_to = PersonColumn(
        "assigned_to", verbose_name=_("Assigned to"), order_by=("assigned_to__first_name",)
    )
    completed_at = tables.DateTimeColumn(verbose_name=_("Completed"), short=True, attrs=WIDE)

    class Meta(BaseTable.Meta):
        model = WorkOrder
        fields = (
            "number",
            "due_at",
            "equipment",
            "title",
            "kind",
            "priority",
            "status",
            "assigned_to",
            "completed_at",
        )

    def render_number(self, record):
        return record.number


class ScheduleTable(BaseTable):
    equipment = tables.Column(
        accessor="equipment__asset_tag",
        verbose_name=_("Equipment"),
        attrs={"td": {"class": "nowrap"}},
    )
    title = tables.Column(linkify=True)
    interval = tables.Column(accessor="pk", verbose_name=_("Interval"), orderable=False)
    next_due = tables.DateColumn(short=True)
    last_done_on = tables.DateColumn(short=True, attrs=WIDE)
    tolerance_days = tables.Column(verbose_name=_("± days"))
    lockout_required = tables.BooleanColumn(verbose_name=_("LOTO"))
    active = tables.BooleanColumn()

    class Meta(BaseTable.Meta):
        model = MaintenanceSchedule
        fields = (
            "equipment",
            "title",
            "interval",
            "next_due",
            "last_done_on",
            "tolerance_days",
            "lockout_required",
            "active",
        )

    def render_interval(self, record):
        return record.interval_label

    def value_interval(self, record):
        return str(record.interval_label)


class SparePartTable(BaseTable):
    part_number = tables.Column(linkify=True)
    stock = QuantityColumn()
    reorder_point = QuantityColumn()

    class Meta(BaseTable.Meta):
        model = SparePart
        fields = ("part_number", "description", "unit", "stock", "reorder_point", "location")
        row_attrs = {"class": lambda record: "low-stock" if record.needs_reorder else ""}


def _expiry_class(record) -> str:
    today = timezone.localdate()
    if record.expires_on < today:
        return "expired"
    if record.expires_on <= today + datetime.timedelta(days=settings.CERTIFICATION_WARNING_DAYS):
        return "expiring"
    return ""


class CertificationTable(BaseTable):
    user = tables.Column(
        verbose_name=_("Person"),
        linkify=link_if_allowed,
        order_by=("user__first_name",),
    )
    equipment_class = tables.Column(verbose_name=_("Class"))
    expires_on = tables.DateColumn(short=True)

    class Meta(BaseTable.Meta):
        model = Certification
        fields = ("user", "equipment_class", "reference", "issued_on", "expires_on")
        row_attrs = {"class": _expiry_class}


class LockoutTable(BaseTable):
    """The locks on right now: which machine, which lock and tag, whose, since when."""

    card_fields = ("equipment", "lock_number", "applied_by", "applied_at")
    equipment = tables.Column(
        accessor="work_order__equipment__asset_tag",
        verbose_name=_("Equipment"),
        linkify=lambda record, table: link_if_allowed(record.work_order.equipment, table),
        attrs={"td": {"class": "nowrap"}},
    )
    lock_number = tables.Column(attrs={"td": {"class": "nowrap"}})
    tag_number = tables.Column()
    source = tables.Column()
    applied_by = PersonColumn("applied_by", verbose_name=_("Applied by"))
    applied_at = tables.DateTimeColumn(verbose_name=_("Since"), short=True)
    work_order = tables.Column(
        accessor="work_order_id",
        verbose_name=_("Work order"),
        linkify=lambda record, table: link_if_allowed(record.work_order, table),
    )

    class Meta(BaseTable.Meta):
        model = IsolationPoint
        fields = (
            "equipment",
            "lock_number",
            "tag_number",
            "source",
            "applied_by",
            "applied_at",
            "work_order",
        )

    def render_work_order(self, value):
        return WorkOrder.number_of(value)

    def value_work_order(self, value):
        return WorkOrder.number_of(value)
