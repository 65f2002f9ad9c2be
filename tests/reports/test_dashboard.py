"""The supervisor's dashboard: figures, drill-downs, exports, refusals, constant queries."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from logbook.downtime.models import DowntimeIncident
from tests.reports.test_oee import BERLIN, counts, down, t, worked

URL = "/reports/"
AFTER = datetime.datetime(2026, 6, 15, 18, 0, tzinfo=BERLIN)


@pytest.fixture
def day_recorded(line, filler, patterns, technician, reasons):
    with time_machine.travel(AFTER, tick=False):
        shift = worked(line, patterns["Early"], t(0).date(), technician)
        counts(shift, 19271, 19271 - 423, 1, planned_minutes=60)
        down(filler, t(9), t(9, 47), reasons["jam"])
        down(filler, t(11), t(11, 5))
        yield shift


def today(line, **extra):
    return {"scope": f"line-{line.pk}", "period": "today", **extra}


def test_the_supervisor_sees_every_section_with_its_figures(
    as_user, supervisor, line, day_recorded
):
    page = as_user(supervisor).get(URL, today(line))
    assert page.status_code == 200
    html = page.content.decode()
    for anchor in ("attention", "oee", "downtime", "reliability", "maintenance", "quality"):
        assert f'id="{anchor}"' in html
    assert "87.6 %" in html  # availability 368 / 420
    assert "U-JAM – Jam" in html
    assert "<svg" in html and "<title" in html
    # Each chart's numbers, as text beside it (a screen reader reads no bar).
    assert html.count("The numbers, as a list") == html.count('class="report-chart"')
    pareto = html[html.index('id="pareto-t"') :]
    listed = pareto[pareto.index("The numbers, as a list") :]
    assert "U-JAM" in listed[: listed.index("</details>")]


def test_a_bar_drills_down_to_the_incidents_it_counts(as_user, supervisor, line, day_recorded):
    client = as_user(supervisor)
    page = client.get(URL, today(line)).content.decode()
    jam = DowntimeIncident.objects.get(reason__code="U-JAM")
    # The Pareto's largest bar: the jam, with its minutes and count.
    start = page.index(f'<a href="{reverse("downtime:incident_list")}?line_id={line.pk}')
    start = page.index(reverse("downtime:incident_list"), page.index('id="pareto-t"'))
    href = page[start : page.index('"', start)].replace("&amp;", "&")
    listed = client.get(href).content.decode()
    assert jam.get_absolute_url() in listed
    unclassified = DowntimeIncident.objects.get(reason__isnull=True)
    assert unclassified.get_absolute_url() not in listed


def test_a_table_exports_as_csv(as_user, supervisor, line, day_recorded):
    response = as_user(supervisor).get(URL, today(line, _export="csv", _table="pareto"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0][:3] == ["Cause", "Minutes", "Stops"]
    assert rows[1][:3] == ["U-JAM – Jam", "47.0", "1"]
    xlsx = as_user(supervisor).get(URL, today(line, _export="xlsx", _table="capability"))
    assert xlsx.status_code == 200 and xlsx.getvalue()[:2] == b"PK"
    bad = as_user(supervisor).get(URL, today(line, _export="csv", _table="nope"))
    assert bad.status_code == 400


def test_a_period_without_data_says_no_data(as_user, supervisor, line, patterns):
    with time_machine.travel(AFTER, tick=False):
        html = as_user(supervisor).get(URL, today(line)).content.decode()
    assert "no data" in html and "No data in this period." in html
    assert "0.0 %" not in html


def test_bad_periods_are_a_400_with_the_reason(as_user, supervisor, line):
    client = as_user(supervisor)
    backwards = {"period": "custom", "period_from": "2026-06-10", "period_to": "2026-06-01"}
    response = client.get(URL, today(line, **backwards))
    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()
    assert client.get(URL, today(line, period="decade")).status_code == 400
    assert client.get(URL, {"scope": "line-x", "period": "today"}).status_code == 400


def test_another_sites_line_is_not_offered_nor_shown(as_user, outsider, line, day_recorded):
    client = as_user(outsider)
    page = client.get(URL).content.decode()
    assert line.name not in page
    assert client.get(URL, today(line)).status_code == 400


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_constant_queries_whatever_the_records(
    as_user, supervisor, line, filler, patterns, technician, reasons, django_assert_max_num_queries
):
    client = as_user(supervisor)
    month = {"scope": f"line-{line.pk}", "period": "this_month"}

    def record(days):
        for day in days:
            shift = worked(line, patterns["Early"], datetime.date(2026, 6, day), technician)
            counts(shift, 400, 390, 60)
            down(filler, t(9, day=day - 15), t(9, 30, day=day - 15), reasons["jam"])
            down(filler, t(11, day=day - 15), t(11, 5, day=day - 15))

    with time_machine.travel(AFTER, tick=False):
        record([1])
        client.get(URL, month)
        with django_assert_max_num_queries(60) as few:
            client.get(URL, month)
        record(range(2, 15))
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(URL, month)


def test_the_supervisor_home_has_the_reports_tile(as_user, supervisor):
    assert reverse("reports:dashboard") in as_user(supervisor).get("/").content.decode()


def test_a_failure_after_a_late_pm_is_flagged_in_the_pareto_and_in_pm(
    as_user, supervisor, line, filler, day_recorded, pm_schedule
):
    from tests.reports.test_maintenance_kpis import order

    late = order(filler, t(0, day=-5), done=t(12, day=-2), schedule=pm_schedule)
    with time_machine.travel(AFTER, tick=False):
        html = as_user(supervisor).get(URL, today(line, _export="csv", _table="pareto"))
        rows = list(csv.reader(io.StringIO(html.getvalue().decode())))
        page = as_user(supervisor).get(URL, today(line)).content.decode()
    assert rows[0][-1] == "After a late PM"
    jam = next(row for row in rows if row[0] == "U-JAM – Jam")
    assert jam[-1] == "1"
    assert 'id="late-pm"' in page and late.number in page
    assert "2 failures followed a late PM" in page  # the jam and the unclassified stop
    # The Pareto row's count leads to the incident list, filtered to those failures.
    from tests.factories import EquipmentFactory

    other = down(EquipmentFactory(line=line, asset_tag="CAP-1"), t(8), t(8, 10))
    jam = DowntimeIncident.objects.get(reason__code="U-JAM")
    start = page.index('<a class="badge late" href="') + len('<a class="badge late" href="')
    href = page[start : page.index('"', start)].replace("&amp;", "&")
    assert "after_late_pm=true" in href
    listed = as_user(supervisor).get(href).content.decode()
    assert jam.get_absolute_url() in listed
    everything = as_user(supervisor).get("/downtime/?after_late_pm=true").content.decode()
    assert other.get_absolute_url() not in everything  # no PM on that machine


def test_a_supervisor_sets_the_lines_oee_target(as_user, supervisor, technician, line):
    edit = f"/equipment/lines/{line.pk}/edit/"
    form = {"area": line.area_id, "code": line.code, "name": line.name, "oee_target": "72.5"}
    assert as_user(technician).post(edit, form).status_code == 403
    assert as_user(supervisor).post(edit, form).status_code == 302
    line.refresh_from_db()
    assert str(line.oee_target) == "72.5"
    with time_machine.travel(AFTER, tick=False):
        html = as_user(supervisor).get(URL, today(line)).content.decode()
    assert "Target of this line: 72.5 %" in html
    assert as_user(supervisor).post(edit, {**form, "oee_target": "140"}).status_code == 400


def test_the_reliability_table_sorts_by_any_column(as_user, supervisor, line, day_recorded):
    from tests.factories import EquipmentFactory

    capper = EquipmentFactory(line=line, asset_tag="CAP-1", name="Capper")
    down(capper, t(10), t(10, 3))
    with time_machine.travel(AFTER, tick=False):
        client = as_user(supervisor)
        default = client.get(URL, today(line)).content.decode()
        fewest = client.get(URL, today(line, **{"reliability-sort": "failures"})).content.decode()
    section = default[default.index('id="reliability"') :]
    assert section.index("L1-FIL-01") < section.index("CAP-1")  # most downtime first
    assert "reliability-sort=" in section  # the headers sort
    section = fewest[fewest.index('id="reliability"') :]
    assert section.index("CAP-1") < section.index("L1-FIL-01")  # 1 failure before 2


def test_every_bar_leads_to_its_records(as_user, supervisor, line, day_recorded):
    import re

    with time_machine.travel(AFTER, tick=False):
        client = as_user(supervisor)
        html = client.get(URL, today(line, period="this_month")).content.decode()
        svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
        assert svgs
        for svg in svgs:
            bars = re.findall(r'(<a href="[^"]+">)?<rect class="bar', svg)
            assert all(bars), svg[:200]  # every bar is a link
            for href in re.findall(r'<a href="([^"]+)">', svg):
                response = client.get(href.replace("&amp;", "&"))
                assert response.status_code == 200, href


def test_this_shift_is_the_shift_running_now(as_user, supervisor, line, site, day_recorded):
    with time_machine.travel(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=BERLIN), tick=False):
        html = as_user(supervisor).get(URL, today(line, period="this_shift")).content.decode()
    assert "Early 2026-06-15 06:00" in html
    assert "From 2026-06-15 06:00 to 2026-06-15 14:00" in html
    # The jam at 09:00 is in the shift; the stop at 11:00 lies after "now" (10:00).
    assert "U-JAM – Jam" in html and "Unclassified" not in html.split('id="downtime"')[1][:3000]


def test_this_shift_where_no_shift_runs_is_a_400(as_user, supervisor, line, site):
    response = as_user(supervisor).get(URL, today(line, period="this_shift"))
    assert response.status_code == 400
    assert "No shift is running now at this site." in response.content.decode()


def test_days_at_the_end_of_the_calendar_are_refused_not_a_500(as_user, supervisor, line):
    client = as_user(supervisor)
    edge = {"period": "custom", "period_from": "9999-12-30", "period_to": "9999-12-31"}
    assert client.get(URL, today(line, **edge)).status_code == 400
    listed = client.get("/downtime/", {"down_from": "9999-12-31", "down_to": "9999-12-31"})
    assert listed.status_code in (200, 400)
    api = client.get("/api/downtime/", {"down_to": "9999-12-31"})
    assert api.status_code == 400
