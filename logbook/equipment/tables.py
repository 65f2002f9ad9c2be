import django_tables2 as tables
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from logbook.core.tables import BaseTable
from logbook.equipment.choices import EquipmentStatus
from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)


class StatusColumn(tables.Column):
    """The equipment status as a coloured badge (plain text in exports)."""

    def render(self, record, value):
        status = _effective(record)
        return format_html(
            '<span class="badge status-{}">{}</span>', status, EquipmentStatus(status).label
        )

    def value(self, record, value):
        return str(EquipmentStatus(_effective(record)).label)

    # Lists annotate the status people see (downtime.selectors.with_downtime); an export of a
    # list without it is made from model objects.
    export_fields = ("effective_status",)

    def export_value(self, effective_status):
        return str(EquipmentStatus(effective_status).label)


def _effective(record) -> str:
    """Down while an open incident stops it (or its machine), else the recorded status."""
    return getattr(record, "effective_status", None) or record.status


class ReadingColumn(tables.Column):
    """A meter value: thousands grouped, decimals only where there are some."""

    def render(self, value):
        return floatformat(value, "-2g")

    def value(self, record, value):
        return value


class CriticalityColumn(tables.Column):
    """The criticality letter as a badge whose tooltip says what it means."""

    def render(self, record, value):
        return format_html(
            '<span class="badge crit-{}" title="{}">{}</span>',
            record.criticality,
            record.get_criticality_display(),
            record.criticality,
        )

    def value(self, record, value):
        return record.criticality

    export_fields = ("criticality",)  # the letter, as on the page

    def export_value(self, criticality):
        return criticality


WIDE = {"td": {"class": "wide"}, "th": {"class": "wide"}}
NOWRAP = {"td": {"class": "nowrap"}}


class SiteTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column()
    timezone = tables.Column()
    areas = tables.Column(verbose_name=_("Areas"), accessor="area_count", orderable=True)

    class Meta(BaseTable.Meta):
        model = Site
        fields = ("code", "name", "timezone")


class AreaTable(BaseTable):
    name = tables.Column(linkify=True)
    site = tables.Column(
        accessor="site__code",
        verbose_name=_("Site"),
        linkify=lambda record: record.site.get_absolute_url(),
    )

    class Meta(BaseTable.Meta):
        model = Area
        fields = ("name", "site")


class LineTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    area = tables.Column(accessor="area__name", verbose_name=_("Area"))
    site = tables.Column(accessor="area__site__code", verbose_name=_("Site"))
    equipment_count = tables.Column(
        verbose_name=_("Equipment"),
        linkify=lambda record: f"{reverse('equipment:equipment_list')}?line_id={record.pk}",
    )

    class Meta(BaseTable.Meta):
        model = Line
        fields = ("code", "name", "area", "site")


class EquipmentClassTable(BaseTable):
    name = tables.Column(linkify=True)
    code = tables.Column()
    equipment_count = tables.Column(verbose_name=_("Equipment"))

    class Meta(BaseTable.Meta):
        model = EquipmentClass
        fields = ("name", "code")


class EquipmentTable(BaseTable):
    card_fields = ("asset_tag", "name", "line", "status")
    asset_tag = tables.Column(linkify=True, attrs=NOWRAP)
    name = tables.Column(linkify=True)
    equipment_class = tables.Column(accessor="equipment_class__name", verbose_name=_("Class"))
    line = tables.Column(accessor="line__code", verbose_name=_("Line"))
    area = tables.Column(accessor="line__area__name", verbose_name=_("Area"), attrs=WIDE)
    site = tables.Column(accessor="line__area__site__code", verbose_name=_("Site"))
    criticality = CriticalityColumn(verbose_name=_("Crit."))
    status = StatusColumn()
    parent = tables.Column(accessor="parent__asset_tag", verbose_name=_("Part of"), attrs=NOWRAP)
    manufacturer = tables.Column(attrs=WIDE)
    model = tables.Column(attrs=WIDE)
    serial_number = tables.Column(attrs=WIDE)
    commissioned_on = tables.DateColumn(attrs=WIDE, short=False)

    class Meta(BaseTable.Meta):
        model = Equipment
        fields = (
            "asset_tag",
            "name",
            "equipment_class",
            "line",
            "area",
            "site",
            "criticality",
            "status",
            "parent",
            "manufacturer",
            "model",
            "serial_number",
            "commissioned_on",
        )


class MeterTable(BaseTable):
    equipment = tables.Column(
        accessor="equipment__asset_tag",
        verbose_name=_("Equipment"),
        linkify=lambda record: record.equipment.get_absolute_url(),
    )
    name = tables.Column(linkify=True)
    unit = tables.Column()
    resets = tables.BooleanColumn()
    last_value = ReadingColumn(verbose_name=_("Last reading"))
    last_taken_at = tables.DateTimeColumn(verbose_name=_("Read at"))

    class Meta(BaseTable.Meta):
        model = Meter
        fields = ("equipment", "name", "unit", "resets", "last_value", "last_taken_at")


class MeterReadingTable(BaseTable):
    taken_at = tables.DateTimeColumn(verbose_name=_("Taken at"))
    value = ReadingColumn()
    taken_by = tables.Column(verbose_name=_("Taken by"))

    class Meta(BaseTable.Meta):
        model = MeterReading
        fields = ("taken_at", "value", "taken_by")
