import datetime
import decimal
import inspect
from itertools import chain
from operator import itemgetter

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from logbook.core.forms import plain_number

# Columns whose export value is the plain value of their accessor (no render/value of their own).
PLAIN_COLUMNS = (tables.Column, tables.DateColumn, tables.DateTimeColumn, tables.BooleanColumn)
# Rows an export fetches from the database at a time.
EXPORT_CHUNK = 2000


class BaseTable(tables.Table):
    """Our table defaults: the project's template, an empty-state message, and fast exports.

    django-tables2 builds each exported cell through its rendering machinery (signature
    inspection, a template per date cell): about 1.7 ms a row, 35 s for 20,000 equipment. Exports
    here resolve each column once into a getter and apply it to every row, with the same values:
    choices as their labels, a column's own ``value()`` where it has one, dates in ISO form.
    """

    class Meta:
        attrs = {"class": "table"}
        empty_text = _("Nothing matches these filters.")

    # On a phone (under 600 px) each row is a card of the few fields that matter, each under
    # its label; the other cells show on wider screens and in the exports. None: the first four.
    card_fields: tuple[str, ...] | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = [column.name for column in self.columns]
        keys = self.card_fields if self.card_fields is not None else names[:4]
        for bound_column in self.columns:
            column = bound_column.column
            td = dict(column.attrs.get("td", {}))
            card = "card-key" if bound_column.name in keys else "card-more"
            td["class"] = " ".join(part for part in (td.get("class", ""), card) if part)
            if not isinstance(column, tables.CheckBoxColumn):
                td["data-label"] = force_str(bound_column.verbose_name)
            column.attrs = {**column.attrs, "td": td}

    def as_values(self, exclude_columns=None):
        exclude_columns = exclude_columns or ()
        columns = [
            column
            for column in self.columns.iterall()
            if not (column.column.exclude_from_export or column.name in exclude_columns)
        ]
        yield [spreadsheet_safe(force_str(column.header)) for column in columns]
        # Every cell below is made by the cell maker, which also makes it safe to open.
        cell = CellMaker()
        plan = self._values_plan(columns, cell)
        if plan is not None:
            yield from self._export_from_values(plan, cell)
            return
        getters = [self._export_getter(column, cell) for column in columns]
        for record in self._export_records():
            yield [getter(record) for getter in getters]

    def _values_plan(self, columns, cell):
        """[(field paths, cell maker)] for each column when every cell can be made from plain
        values of the row (no model object), else None.

        Making a model object of each row, with its machine, line, area and site, took three
        quarters of a 240,000-row export. A column qualifies when it shows a field by its
        accessor (no ``value`` of its own), or when it says which fields it needs
        (``export_fields``) and makes its cell from them (``export_value``).
        """
        if not isinstance(self.data, TableQuerysetData):
            return None
        model = self.data.data.model
        plan = []
        for bound_column in columns:
            column = bound_column.column
            if hasattr(column, "export_fields"):
                if not all(_can_read(self.data.data, path) for path in column.export_fields):
                    return None
                export_value = column.export_value
                plan.append((column.export_fields, lambda *v, f=export_value: cell(f(*v))))
                continue
            path = str(bound_column.accessor).replace(".", "__")
            if getattr(self, f"value_{bound_column.name}", None) is not None:
                return None
            if _has_own_value(column) or not _is_stored_field(model, path.split("__")):
                return None
            labels = _choice_labels(model, path.split("__"))
            plan.append(((path,), _plain_cell(column, labels, cell)))
        return plan

    def _export_from_values(self, plan, cell):
        paths = list(dict.fromkeys(path for fields, _make in plan for path in fields))
        rows = _value_rows(self.data.data.values_list(*paths), cell)
        # (maker, the row's one value it takes, or a getter of the several it takes)
        steps = [
            (make, paths.index(fields[0]), None)
            if len(fields) == 1
            else (make, None, itemgetter(*(paths.index(path) for path in fields)))
            for fields, make in plan
        ]
        for row in rows:
            yield [
                make(row[spot]) if several is None else make(*several(row))
                for make, spot, several in steps
            ]

    def _export_records(self):
        """Every row in the table's order; from a queryset in chunks, never all held at once."""
        if isinstance(self.data, TableQuerysetData):
            return self.data.data.iterator(chunk_size=EXPORT_CHUNK)
        return iter(self.data)

    def _export_getter(self, bound_column, cell):
        column = bound_column.column
        path = str(bound_column.accessor).replace(".", "__").split("__")
        table_value = _with_what_it_takes(getattr(self, f"value_{bound_column.name}", None))
        own_value = _has_own_value(column)
        column_value = _with_what_it_takes(column.value)
        model = getattr(self._meta, "model", None)
        labels = _choice_labels(model, path)

        def resolve(record):
            target = record
            for step in path[:-1]:
                target = getattr(target, step, None)
                if target is None:
                    return None
            value = getattr(target, path[-1], None)
            return value() if callable(value) else value

        own = table_value if table_value is not None else column_value if own_value else None
        make = _plain_cell(column, labels, cell, own)
        return lambda record: make(resolve(record), record)


def _can_read(queryset, path) -> bool:
    """Whether a values row of ``queryset`` can hold ``path``: a field (through relations) or
    an annotation the queryset has."""
    if path in queryset.query.annotations:
        return True
    model = queryset.model
    steps = path.split("__")
    try:
        for step in steps[:-1]:
            model = model._meta.get_field(step).related_model
        model._meta.get_field(steps[-1])
    except (AttributeError, FieldDoesNotExist):
        return False
    return True


def _has_own_value(column) -> bool:
    """Whether a column exports something of its own rather than its field's value (with the
    choices' labels): a ``value`` method, unless the column says it shows the field as stored
    (``export_plain``)."""
    if getattr(column, "export_plain", False) or isinstance(column, PLAIN_COLUMNS[1:]):
        return False
    return type(column).value is not tables.Column.value


class QuantityColumn(tables.Column):
    """A stored decimal as it was typed (6, not 6.00); exported as the number it is."""

    attrs = {"td": {"class": "num"}, "th": {"class": "num"}}

    def render(self, value):
        return plain_number(value)


class PersonColumn(tables.Column):
    """A person by name (``User.name_of``). ``accessor`` names the person; an export reads
    their three name fields as plain values."""

    NAME_FIELDS = ("first_name", "last_name", "username")

    def __init__(self, accessor, **kwargs):
        super().__init__(accessor=accessor, **kwargs)
        self.export_fields = tuple(f"{accessor}__{field}" for field in self.NAME_FIELDS)

    @staticmethod
    def export_value(first_name, last_name, username):
        from logbook.accounts.models import User

        return None if username is None else User.name_of(first_name, last_name, username)

    def value(self, value):
        return str(value)


def _value_rows(queryset, cell):
    """The rows of a ``values_list`` queryset, read in chunks; on SQLite, each time is moved
    straight into the page's time zone (``LocalTimes``), which ``cell`` then writes as it is.

    Django would make each time aware and check it, and the cell maker would then look up the
    zone's rules for it: for the three times of each of 240,000 stops, a sixth of the export.
    """
    compiler = queryset.query.get_compiler(using=queryset.db)
    chunks = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=EXPORT_CHUNK)
    if compiler.select is None:  # nothing to read (an empty condition)
        return iter(())
    expressions = [expression for expression, _sql, _alias in compiler.select]
    converters = compiler.get_converters(expressions)
    if compiler.connection.vendor == "sqlite":
        for position, expression in enumerate(expressions):
            if isinstance(expression.output_field, models.DateTimeField):
                django_ones = converters.get(position, ([], expression))[0]
                converters[position] = ([LocalTimes(cell, django_ones)], expression)
    return compiler.apply_converters(chain.from_iterable(chunks), converters)


class LocalTimes:
    """A database converter for SQLite, whose driver gives a stored time as a naive UTC
    datetime: the time in the page's zone, as an aware datetime with that moment's fixed
    offset (right for sums and differences; the cell maker writes it without another look at
    the zone's rules). The offset is looked up once per day of the data (per value on a day
    where it changes). Anything else goes through Django's own converters.
    """

    KEPT_DAYS = 20_000  # fifty years

    def __init__(self, cell, django_ones):
        self.cell = cell
        self.django_ones = django_ones
        self.offsets = {}

    def __call__(self, value, expression, connection):
        if type(value) is not datetime.datetime or value.tzinfo is not None:
            for converter in self.django_ones:
                value = converter(value, expression, connection)
            return value
        day = value.toordinal()
        tz = self.offsets.get(day)
        if tz is None:
            tz = self._wall_clock(day)
            if tz is None:  # the zone's offset changes that day: this value's own
                utc = value.replace(tzinfo=datetime.UTC)
                tz = self.cell.wall_clock(utc.astimezone(self.cell.zone).utcoffset())
        return (value + tz.utcoffset(None)).replace(tzinfo=tz)

    def _wall_clock(self, day):
        start = datetime.datetime.fromordinal(day).replace(tzinfo=datetime.UTC)
        zone = self.cell.zone
        offset = start.astimezone(zone).utcoffset()
        end = start + datetime.timedelta(hours=23, minutes=59, seconds=59)
        if end.astimezone(zone).utcoffset() != offset:
            return None
        if len(self.offsets) >= self.KEPT_DAYS:
            self.offsets.clear()
        tz = self.offsets[day] = self.cell.wall_clock(offset)
        return tz


def _is_stored_field(model, path) -> bool:
    """Whether ``path`` leads through foreign keys to a stored, non-relation field."""
    try:
        for step in path[:-1]:
            field = model._meta.get_field(step)
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                return False
            model = field.related_model
        field = model._meta.get_field(path[-1])
    except FieldDoesNotExist:
        return False
    return field.concrete and not field.is_relation


def _plain_cell(column, labels, cell, own=None):
    """The cell of a column from its accessor's value: choices as their labels, empty as None,
    then the table's or the column's own ``value(record, value)`` where it has one (model rows
    only). The same for value rows and model objects."""
    empty = column.empty_values
    boolean = isinstance(column, tables.BooleanColumn)

    def make(value, record=None):
        if labels is not None:
            value = labels.get(value, value)
        if value in empty:
            return None
        if boolean:
            return str(bool(value))
        if own is not None:
            value = own(record=record, value=value)
        return cell(value)

    return make


def _with_what_it_takes(method):
    """``method`` called with those of ``record`` and ``value`` it declares, as django-tables2
    does (``value_number(self, record)`` takes no value)."""
    if method is None:
        return None
    parameters = inspect.signature(method).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return method
    wanted = [name for name in ("record", "value") if name in parameters]
    return lambda **given: method(**{name: given[name] for name in wanted})


def _choice_labels(model, path) -> dict | None:
    """The {value: label} of the field at the end of ``path``, if it has choices (else None).

    Translated once per export, not once per cell as ``get_FOO_display()`` would.
    """
    try:
        for step in path[:-1]:
            model = model._meta.get_field(step).related_model
        field = model._meta.get_field(path[-1])
    except (AttributeError, FieldDoesNotExist):
        return None
    if not field.choices:
        return None
    return {value: str(label) for value, label in field.flatchoices}


class CellMaker:
    """An exported cell from a value: numbers stay numbers; times become the page's local
    wall-clock time (a real date in a spreadsheet: XLSX stores it as one, CSV writes it
    ISO-like); everything else is text, made safe to open in a
    spreadsheet (``spreadsheet_safe``).

    One per export, made where the export runs: it reads the page's time zone once, and turns
    each translated label into text once (a quarter of a 240,000-row export went into looking
    up the zone and translating the same few labels for every cell)."""

    NUMBERS = (int, float, decimal.Decimal, bool, datetime.date)
    KEPT_LABELS = 256

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        # offset → the fixed zone (``wall_clock``) of times already on the page's clock,
        # and the ids of those zones, known by identity.
        self.wall_clocks = {}
        self.wall_clock_ids = set()
        # id → (the label, its text): the label is kept, so its id is not given to another.
        self.labels = {}

    def __call__(self, value):
        kind = type(value)
        if kind is str:
            return spreadsheet_safe(value)
        if value is None or kind in self.NUMBERS:
            return value
        if kind is datetime.datetime:
            if id(value.tzinfo) not in self.wall_clock_ids:
                value = value.astimezone(self.zone)
            return value.replace(tzinfo=None, microsecond=0)
        if isinstance(value, Promise):
            known = self.labels.get(id(value))
            if known is None:
                if len(self.labels) >= self.KEPT_LABELS:
                    self.labels.clear()  # labels made anew for each row: keep memory flat
                known = self.labels[id(value)] = (value, spreadsheet_safe(str(value)))
            return known[1]
        return spreadsheet_safe(force_str(value, strings_only=True))

    def wall_clock(self, offset) -> datetime.timezone:
        """The fixed zone for times already moved to the page's clock at ``offset`` (see
        ``LocalTimes``): such times are written as they are."""
        zone = self.wall_clocks.get(offset)
        if zone is None:
            zone = self.wall_clocks[offset] = datetime.timezone(offset)
            self.wall_clock_ids.add(id(zone))
        return zone


# What a spreadsheet reads as the start of a formula (OWASP's CSV injection rule): =, +, -, @,
# and a tab or carriage return that some programs skip before looking for one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` as an exported cell that no spreadsheet evaluates: text that would start a
    formula (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM(…)``, ``-2+3``) gets a leading apostrophe, shown
    as text by Excel and LibreOffice. Numbers and dates are not text and pass unchanged.

    Every export (CSV and XLSX, every list) goes through ``BaseTable.as_values``, whose cells
    all come from ``CellMaker``, and so here.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
