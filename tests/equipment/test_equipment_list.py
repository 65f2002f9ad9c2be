import csv
import io

import openpyxl
import pytest

from logbook.equipment.choices import Criticality, EquipmentStatus
from tests.factories import EquipmentClassFactory, EquipmentFactory, LineFactory
from tests.queries import queries

URL = "/equipment/"


@pytest.fixture
def register(line, other_line, filler_class):
    capper = EquipmentClassFactory(code="capper", name="Capper")
    return {
        "filler": EquipmentFactory(
            asset_tag="L1-FIL-01",
            name="Rotary filler",
            line=line,
            equipment_class=filler_class,
            criticality=Criticality.A,
            manufacturer="Krones",
        ),
        "capper": EquipmentFactory(
            asset_tag="L1-CAP-01",
            name="Screw capper",
            line=line,
            equipment_class=capper,
            criticality=Criticality.B,
            status=EquipmentStatus.DOWN,
            manufacturer="Arol",
            serial_number="AR-5520",
        ),
        "foreign": EquipmentFactory(
            asset_tag="B1-FIL-01", name="Foreign filler", line=other_line, equipment_class=capper
        ),
    }


def _tags(response):
    return {row.record.asset_tag for row in response.context["table"].paginated_rows}


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_sees_only_their_sites_equipment(as_user, technician, register):
    response = as_user(technician).get(URL)
    assert response.status_code == 200
    assert _tags(response) == {"L1-FIL-01", "L1-CAP-01"}


def test_an_admin_sees_every_site(as_user, admin, register):
    assert _tags(as_user(admin).get(URL)) == {"L1-FIL-01", "L1-CAP-01", "B1-FIL-01"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=capper", {"L1-CAP-01"}),
        ("q=ar-5520", {"L1-CAP-01"}),
        ("q=krones", {"L1-FIL-01"}),
        ("q=l1-fil", {"L1-FIL-01"}),
        ("criticality=A", {"L1-FIL-01"}),
        ("status=down", {"L1-CAP-01"}),
    ],
)
def test_it_filters(as_user, supervisor, register, query, expected):
    assert _tags(as_user(supervisor).get(f"{URL}?{query}")) == expected


def test_it_filters_by_site_area_line_and_class(as_user, supervisor, register, line):
    client = as_user(supervisor)
    site, area = line.area.site, line.area
    capper_class = register["capper"].equipment_class
    assert _tags(client.get(f"{URL}?site_id={site.pk}")) == {"L1-FIL-01", "L1-CAP-01"}
    assert _tags(client.get(f"{URL}?area_id={area.pk}")) == {"L1-FIL-01", "L1-CAP-01"}
    assert _tags(client.get(f"{URL}?line_id={line.pk}")) == {"L1-FIL-01", "L1-CAP-01"}
    assert _tags(client.get(f"{URL}?equipment_class_id={capper_class.pk}")) == {"L1-CAP-01"}


def test_another_sites_filter_value_finds_nothing_and_says_so(as_user, supervisor, register):
    """An id of another site (or of nothing) filters to nothing, as in the API: not an error."""
    other_line = register["foreign"].line
    response = as_user(supervisor).get(f"{URL}?line_id={other_line.pk}")
    assert response.status_code == 200
    assert _tags(response) == set()
    assert "Nothing matches these filters." in response.content.decode()


def test_it_sorts(as_user, supervisor, register):
    response = as_user(supervisor).get(f"{URL}?sort=-asset_tag")
    tags = [row.record.asset_tag for row in response.context["table"].paginated_rows]
    assert tags == ["L1-FIL-01", "L1-CAP-01"]


def test_csv_export_holds_exactly_the_filtered_rows(as_user, supervisor, register):
    response = as_user(supervisor).get(f"{URL}?status=down&_export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row["Asset tag"] for row in rows] == ["L1-CAP-01"]
    assert rows[0]["Status"] == "Down"
    assert rows[0]["Serial number"] == "AR-5520"
    assert rows[0]["Crit."] == "B"


def test_xlsx_export_holds_exactly_the_filtered_rows(as_user, supervisor, register):
    response = as_user(supervisor).get(f"{URL}?q=L1&_export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    header, *rows = list(sheet.values)
    tags = sorted(row[header.index("Asset tag")] for row in rows)
    assert tags == ["L1-CAP-01", "L1-FIL-01"]


def test_the_export_holds_every_page_not_only_the_first(as_user, supervisor, line, filler_class):
    EquipmentFactory.create_batch(30, line=line, equipment_class=filler_class)
    response = as_user(supervisor).get(f"{URL}?_export=csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 30


def test_the_list_runs_the_same_number_of_queries_for_5_or_200_rows(
    as_user, supervisor, site, filler_class
):
    client = as_user(supervisor)
    lines = [LineFactory(area__site=site) for _ in range(3)]
    parents = [EquipmentFactory(line=lines[i % 3], equipment_class=filler_class) for i in range(5)]
    few = queries(client, f"{URL}?per_page=500")
    # More areas and lines too: the filter form's choices must not cost a query each.
    lines += [LineFactory(area__site=site) for _ in range(20)]
    for i in range(195):
        EquipmentFactory(
            line=lines[i % len(lines)],
            equipment_class=EquipmentClassFactory(),
            parent=parents[i % 5] if i % 2 else None,
        )
    many = queries(client, f"{URL}?per_page=500")
    assert few == many


@pytest.mark.parametrize("status", [choice.value for choice in EquipmentStatus])
def test_the_status_filter_finds_the_status_the_list_shows(as_user, supervisor, line, status):
    """Down by an open incident of its own or of the machine it is part of, or recorded down;
    any other status is the recorded one of a machine that is not down now."""
    import datetime

    from django.utils import timezone

    from logbook.downtime.models import DowntimeIncident
    from logbook.downtime.selectors import with_downtime

    stopped = EquipmentFactory(line=line, asset_tag="M-STOPPED")
    DowntimeIncident.objects.create(
        equipment=stopped, started_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    part = EquipmentFactory(line=line, asset_tag="M-PART", parent=stopped)
    EquipmentFactory(line=line, asset_tag="M-PART-2", parent=part, status=EquipmentStatus.IDLE)
    EquipmentFactory(line=line, asset_tag="M-RECORDED-DOWN", status=EquipmentStatus.DOWN)
    healthy = EquipmentFactory(line=line, asset_tag="M-HEALTHY")
    EquipmentFactory(line=line, asset_tag="M-HEALTHY-PART", parent=healthy)
    EquipmentFactory(line=line, asset_tag="M-IDLE", status=EquipmentStatus.IDLE)
    EquipmentFactory(line=line, asset_tag="M-OLD", status=EquipmentStatus.DECOMMISSIONED)
    shown = {
        tag
        for tag, effective in with_downtime(line.equipment.all()).values_list(
            "asset_tag", "effective_status"
        )
        if effective == status
    }
    assert shown  # every status has a machine here
    assert _tags(as_user(supervisor).get(f"{URL}?status={status}&line_id={line.pk}")) == shown
