"""Exports stream: the memory an export takes does not grow with its row count.

A list of 240,000 incidents once took 1.2 GB to export (every model object and the whole file
in memory at once). Here the same export is made of a small and a four times larger list, and
the peak of memory allocated by Python during each is compared.
"""

import csv
import datetime
import io
import tempfile
import tracemalloc

import openpyxl
import pytest
from django.utils import timezone

from logbook.downtime.models import DowntimeIncident

SMALL, LARGE = 1_500, 6_000
# Rows fetched at a time, made small here so that both exports span several fetches.
CHUNK = 300


def _incidents(equipment, count, start=0):
    moment = timezone.now() - datetime.timedelta(days=400)
    DowntimeIncident.objects.bulk_create(
        DowntimeIncident(
            equipment=equipment,
            started_at=moment + datetime.timedelta(minutes=30 * n),
            ended_at=moment + datetime.timedelta(minutes=30 * n + 12),
            symptom=f"Stop number {n}: the infeed starwheel jammed on a fallen bottle",
        )
        for n in range(start, start + count)
    )


def _peak_bytes(client, url) -> tuple[int, bytes]:
    """The peak of memory while the export is made and received, and the file received.

    What is received goes to a file as a browser would save it, so that only the server's
    memory is measured."""
    with tempfile.TemporaryFile() as saved:
        tracemalloc.start()
        try:
            for piece in client.get(url).streaming_content:
                saved.write(piece)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        saved.seek(0)
        return peak, saved.read()


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_an_export_of_four_times_the_rows_takes_no_more_memory(
    as_user, supervisor, filler, export_format, monkeypatch
):
    monkeypatch.setattr("logbook.core.tables.EXPORT_CHUNK", CHUNK)
    client = as_user(supervisor)
    url = f"/downtime/?_export={export_format}"
    _incidents(filler, SMALL)
    client.get(url).getvalue()  # imports and caches are not the export's memory
    small_peak, _ = _peak_bytes(client, url)
    _incidents(filler, LARGE - SMALL, start=SMALL)
    large_peak, body = _peak_bytes(client, url)

    if export_format == "csv":
        rows = list(csv.reader(io.StringIO(body.decode())))
    else:
        rows = list(openpyxl.load_workbook(io.BytesIO(body), read_only=True).active.values)
    assert len(rows) == LARGE + 1  # the header and every incident
    # Built in memory, the larger export would take about four times the memory.
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)


def test_the_csv_is_sent_as_it_is_written(as_user, supervisor, filler):
    _incidents(filler, 1_200)
    response = as_user(supervisor).get("/downtime/?_export=csv")
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="downtime-incidents-')
    assert len(list(response.streaming_content)) > 1  # pieces, not one block
