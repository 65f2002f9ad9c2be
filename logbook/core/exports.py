"""A table's rows as a CSV or XLSX file, streamed: memory stays flat whatever the row count.

django-tables2's own export (through tablib) builds the whole file in memory from every model
object at once: 1.2 GB for a CSV of 240,000 incidents. Here the rows come from the database in
chunks (``BaseTable.as_values``), the CSV goes to the client as it is written, and the XLSX is
written row by row by openpyxl's write-only mode into a temporary file that is then sent.
The cells are those of ``BaseTable.as_values``: the page's columns, formula-safe.
"""

import csv
import re
import tempfile
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation

from logbook.core.routing import reading_replica, replica_reads

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Rows written to the client at once: large enough that the per-chunk overhead vanishes.
CSV_ROWS_PER_CHUNK = 500
# Characters XML 1.0 cannot hold; openpyxl refuses them (tablib replaced the cell with str()).
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_export_format(name) -> bool:
    return name in FORMATS


def export_response(table, export_format: str, filename: str, exclude_columns=()):
    """The whole of ``table`` (every page, its order) as an attachment in ``export_format``."""
    rows = table.as_values(exclude_columns=exclude_columns)
    if export_format == "csv":
        chunks = _csv_chunks(
            rows, timezone.get_current_timezone(), translation.get_language(), reading_replica()
        )
        response = StreamingHttpResponse(chunks, content_type=FORMATS["csv"])
    else:
        response = FileResponse(_xlsx_file(rows), content_type=FORMATS["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Line:
    """A file-like target for csv.writer that hands back what was written."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _csv_chunks(rows, zone, language, on_replica):
    """The CSV in pieces of CSV_ROWS_PER_CHUNK rows.

    They are written after the view has returned, when the request's time zone, language and
    database are no longer chosen: each piece is written under those of the request (times in
    the plant's zone, labels in the user's language, rows from the replica if the request read
    there), and nothing of them leaks past it.
    """
    line = _Line()
    writer = csv.writer(line)
    while True:
        with (
            timezone.override(zone),
            translation.override(language),
            replica_reads(on_replica),
        ):
            writer.writerows(islice(rows, CSV_ROWS_PER_CHUNK))
        text = line.take()
        if not text:
            return
        yield text.encode()


def _xlsx_file(rows):
    """A temporary file holding the workbook, positioned at its start (deleted once closed)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    # The header stays in view while scrolling, bold, as tablib's export had it.
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in next(rows):
        cell = WriteOnlyCell(sheet, value=_xlsx_value(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    # Handed to the response, which closes (and so deletes) it once sent.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    book.save(target)
    target.seek(0)
    return target


def _xlsx_value(value):
    if isinstance(value, str):
        return XML_ILLEGAL.sub("-", value)
    return value
