"""Several counts asked of the database in one round trip give each queryset's own count."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from logbook.core.db import count_each
from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import Equipment


def test_each_count_is_its_querysets_own_in_one_query(filler, other_equipment, supervisor):
    DowntimeIncident.objects.create(equipment=filler)
    DowntimeIncident.objects.create(equipment=other_equipment)
    querysets = {
        "machines": Equipment.objects.all(),
        "mine": Equipment.objects.for_user(supervisor),
        "open_here": DowntimeIncident.objects.for_user(supervisor).open(),
        "nothing": Equipment.objects.filter(pk__in=[]),
        "ordered": DowntimeIncident.objects.order_by("-started_at"),
    }
    with CaptureQueriesContext(connection) as queries:
        counts = count_each(**querysets)
    assert len(queries) == 1
    assert counts == {name: queryset.count() for name, queryset in querysets.items()}
    assert counts == {"machines": 2, "mine": 1, "open_here": 1, "nothing": 0, "ordered": 2}


def test_nothing_to_count_asks_nothing(db):
    with CaptureQueriesContext(connection) as queries:
        assert count_each() == {}
    assert len(queries) == 0


def test_counts_up_to_stop_there(filler, other_equipment):
    counts = count_each(
        up_to=1,
        machines=Equipment.objects.all(),
        one=Equipment.objects.filter(pk=filler.pk),
        none=Equipment.objects.filter(pk=-1),
    )
    assert counts == {"machines": 1, "one": 1, "none": 0}
    assert count_each(up_to=2, machines=Equipment.objects.all()) == {"machines": 2}
