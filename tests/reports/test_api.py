"""The report endpoints: the same figures as the selectors, the same site rules as the pages."""

import pytest

from logbook.maintenance.models import WorkOrder
from tests.reports.test_maintenance_kpis import order
from tests.reports.test_oee import counts, down, t, worked

DAY = "start=2026-06-15T00:00:00%2B02:00&end=2026-06-16T00:00:00%2B02:00"
REPORTS = [
    "/api/reports/oee/",
    "/api/reports/downtime-pareto/",
    "/api/reports/pm-compliance/",
    "/api/reports/quality/",
]


@pytest.fixture
def recorded_day(line, filler, patterns, technician, reasons):
    shift = worked(line, patterns["Early"], t(0).date(), technician)
    counts(shift, 19271, 19271 - 423, 1, planned_minutes=60)
    down(filler, t(9), t(9, 47), reasons["jam"])
    down(filler, t(11), t(11, 5))
    return shift


def test_oee_of_a_line_and_of_its_site(api, supervisor, line, site, recorded_day):
    body = api(supervisor).get(f"/api/reports/oee/?line={line.pk}&{DAY}").json()
    assert body["planned_busy_minutes"] == 420
    assert body["unplanned_downtime_minutes"] == 52
    assert body["availability"] == pytest.approx(368 / 420)
    assert "rows" not in body
    grouped = api(supervisor).get(f"/api/reports/oee/?site={site.pk}&{DAY}&group=shift").json()
    assert [row["label"] for row in grouped["rows"]] == ["Early", "Late", "Night"]
    assert grouped["rows"][1]["oee"] is None
    assert grouped["oee"] == pytest.approx(body["oee"])


def test_downtime_pareto(api, supervisor, line, recorded_day):
    rows = api(supervisor).get(f"/api/reports/downtime-pareto/?line={line.pk}&{DAY}").json()
    assert [(r["label"], r["minutes"], r["count"]) for r in rows] == [
        ("U-JAM – Jam", 47, 1),
        ("Unclassified", 5, 1),
    ]
    assert rows[-1]["key"] is None and rows[-1]["cumulative_share"] == 1
    by = api(supervisor).get(f"/api/reports/downtime-pareto/?line={line.pk}&{DAY}&by=equipment")
    assert by.json()[0]["minutes"] == 52


def test_pm_compliance(api, planner, line, filler):
    order(filler, t(0), done=t(9))
    order(filler, t(0, day=-3))
    body = api(planner).get(f"/api/reports/pm-compliance/?line={line.pk}&{DAY}").json()
    assert (body["due"], body["on_time"], body["compliance"]) == (1, 1, 1)
    assert [row["month"] for row in body["rows"]] == ["2026-06-01"]
    assert WorkOrder.objects.count() == 2


def test_quality(api, quality, line):
    body = api(quality).get(f"/api/reports/quality/?line={line.pk}&{DAY}").json()
    assert body == {
        "start": body["start"],
        "end": body["end"],
        "inspections": 0,
        "first_pass": 0,
        "first_pass_yield": None,
        "characteristics": [],
    }


@pytest.mark.parametrize("url", REPORTS)
def test_another_sites_scope_is_a_404_and_anonymous_a_401(api, outsider, line, site, url):
    assert api(outsider).get(f"{url}?line={line.pk}&{DAY}").status_code == 404
    assert api(outsider).get(f"{url}?site={site.pk}&{DAY}").status_code == 404
    assert api().get(f"{url}?line={line.pk}&{DAY}").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("line=1&start=yesterday&end=2026-06-16T00:00:00Z", "start"),
        ("line=1&start=2026-06-15T00:00:00&end=2026-06-16T00:00:00Z", "start"),
        ("line=1&start=2026-06-16T00:00:00Z&end=2026-06-15T00:00:00Z", "end"),
        ("line=1&start=0001-01-01T00:00:00Z&end=2026-06-15T00:00:00Z", "start"),
        ("start=2026-06-15T00:00:00Z&end=2026-06-16T00:00:00Z", "scope"),
        ("line=1&site=1&start=2026-06-15T00:00:00Z&end=2026-06-16T00:00:00Z", "scope"),
        ("line=x&start=2026-06-15T00:00:00Z&end=2026-06-16T00:00:00Z", "line"),
        ("line=1&start=2026-06-15T00:00:00Z&end=2026-06-16T00:00:00Z&group=year", "group"),
        ("line=1&start=2020-06-15T00:00:00Z&end=2026-06-16T00:00:00Z&group=day", "end"),
        ("line=1&start=1990-06-15T00:00:00Z&end=2026-06-16T00:00:00Z", "end"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_problem(api, supervisor, line, query, field):
    response = api(supervisor).get(f"/api/reports/oee/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_a_bad_ranking_is_a_400(api, supervisor, line):
    response = api(supervisor).get(f"/api/reports/downtime-pareto/?line={line.pk}&{DAY}&by=x")
    assert response.status_code == 400 and "by" in response.json()


def test_the_reports_are_in_the_schema(as_user, supervisor):
    schema = as_user(supervisor).get("/api/schema/").content.decode()
    for url in REPORTS:
        assert url in schema


def test_reliability_per_month(api, supervisor, line, filler, reasons):
    down(filler, t(2), t(3), reasons["jam"])
    response = api(supervisor).get(
        f"/api/reports/reliability/?line={line.pk}&group=month"
        "&start=2026-05-01T00:00:00%2B02:00&end=2026-07-01T00:00:00%2B02:00"
    )
    assert response.status_code == 200, response.json()
    may, june = response.json()["rows"]
    assert (may["month"], may["failures"], may["mtbf_hours"]) == ("2026-05-01", 0, None)
    assert (june["month"], june["failures"], june["mttr_hours"]) == ("2026-06-01", 1, 1)
    bad = api(supervisor).get(f"/api/reports/reliability/?line={line.pk}&group=year&{DAY}")
    assert bad.status_code == 400 and "group" in bad.json()
