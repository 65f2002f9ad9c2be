"""Which machines have gone silent: from their class's heartbeat on, read in one query."""

import datetime

import pytest

from logbook.telemetry.models import MachineLink
from logbook.telemetry.selectors import silent_machines
from logbook.telemetry.services import ingest

pytestmark = pytest.mark.django_db


def test_silent_from_the_heartbeat_on_with_line_and_link_in_one_query(
    supervisor, outsider, site, filler, django_assert_num_queries
):
    filler.equipment_class.heartbeat_seconds = 180
    filler.equipment_class.save()
    heard = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    heard -= datetime.timedelta(minutes=10)
    ingest(
        site=site,
        items=[
            {
                "asset_tag": filler.asset_tag,
                "at": heard.isoformat(),
                "kind": "state",
                "value": "running",
            }
        ],
    )
    assert MachineLink.objects.get(equipment=filler).last_signal_at == heard
    beat = datetime.timedelta(seconds=180)
    second = datetime.timedelta(seconds=1)
    assert silent_machines(supervisor, now=heard + beat - second) == ([], 0)
    with django_assert_num_queries(1):
        shown, count = silent_machines(supervisor, now=heard + beat, shown=5)
        assert shown == [filler] and count == 1
        # What the live list shows of it comes with it.
        assert shown[0].machine_link.last_signal_at == heard
        assert str(shown[0].line.area.site) == str(site)
    assert silent_machines(outsider, now=heard + beat) == ([], 0)
    assert silent_machines(supervisor, now=heard + beat, line_id=filler.line_id + 1000) == ([], 0)
