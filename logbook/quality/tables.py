import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from logbook.core.tables import BaseTable, PersonColumn
from logbook.quality.models import Inspection, InspectionPlan, Nonconformance


class VerdictColumn(tables.Column):
    export_plain = True

    def render(self, record, value):
        return format_html('<span class="badge verdict-{}">{}</span>', record.verdict, value)

    def value(self, record, value):
        return value


class PlanColumn(tables.Column):
    """An inspection plan by name and version."""

    export_fields = ("plan__name", "plan__version")

    def export_value(self, name, version):
        return InspectionPlan.label_of(name, version)

    def value(self, value):
        return str(value)


class InspectionTable(BaseTable):
    card_fields = ("inspected_at", "product", "batch", "verdict")
    inspected_at = tables.DateTimeColumn(linkify=True, short=True, verbose_name=_("When"))
    product = tables.Column(accessor="plan__product", verbose_name=_("Product"))
    plan = PlanColumn(verbose_name=_("Plan"), order_by=("plan__name", "plan__version"))
    line = tables.Column(accessor="line__code", verbose_name=_("Line"))
    batch = tables.Column()
    verdict = VerdictColumn()
    inspector = PersonColumn("inspector", order_by=("inspector__first_name",))

    class Meta(BaseTable.Meta):
        model = Inspection
        fields = (
            "inspected_at",
            "product",
            "plan",
            "line",
            "batch",
            "sample",
            "verdict",
            "inspector",
        )


class InspectionPlanTable(BaseTable):
    name = tables.Column(linkify=True)
    version = tables.Column()
    line = tables.Column(accessor="line__code", verbose_name=_("Line"))
    is_current = tables.BooleanColumn(verbose_name=_("Current"))

    class Meta(BaseTable.Meta):
        model = InspectionPlan
        fields = ("name", "product", "version", "line", "is_current", "created_at")


class NonconformanceTable(BaseTable):
    number = tables.Column(
        accessor="pk", verbose_name=_("No."), linkify=lambda record: record.get_absolute_url()
    )
    title = tables.Column(linkify=True)
    line = tables.Column(accessor="line__code", verbose_name=_("Line"))

    class Meta(BaseTable.Meta):
        model = Nonconformance
        fields = (
            "number",
            "raised_at",
            "title",
            "line",
            "batch",
            "severity",
            "disposition",
            "status",
        )

    def render_number(self, record):
        return record.number

    def value_number(self, record):
        return record.number
