import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logbook.quality import selectors, services
from logbook.quality.models import Inspection, InspectionPlan, Nonconformance
from tests.factories import PASSWORD, EquipmentFactory, LineFactory
from tests.queries import queries
from tests.timeline import TODAY, at


@pytest.fixture
def plan(line, quality):
    return services.plan_save(
        plan=InspectionPlan(name="Final check", product="Cola 0.5 L", line=line),
        user=quality,
        characteristics=[
            {
                "name": "Fill volume",
                "kind": "variable",
                "lsl": Decimal(495),
                "usl": Decimal(505),
                "nominal": Decimal(500),
                "unit": "ml",
                "decimals": 1,
            },
            {"name": "Seal integrity", "kind": "attribute", "defect_types": "Leak, Cocked cap"},
        ],
    )


def _post_inspection(client, plan, fill, seal="pass", defect="", shift=None):
    ids = {c.name: c.pk for c in plan.characteristics.all()}
    url = f"/quality/inspect/?plan={plan.pk}" + (f"&shift={shift.pk}" if shift else "")
    return client.post(
        url,
        {
            "batch": "B-7",
            f"c{ids['Fill volume']}": fill,
            f"c{ids['Seal integrity']}": seal,
            f"d{ids['Seal integrity']}": defect,
        },
    )


def test_a_quality_planner_defines_a_plan(as_user, quality, line):
    data = {
        "name": "Can check",
        "product": "Lemonade",
        "line": line.pk,
        "chars-TOTAL_FORMS": "3",
        "chars-INITIAL_FORMS": "0",
        "chars-0-name": "Fill volume",
        "chars-0-kind": "variable",
        "chars-0-lsl": "326",
        "chars-0-usl": "334",
        "chars-0-unit": "ml",
        "chars-0-decimals": "1",
        "chars-1-name": "Seal",
        "chars-1-kind": "attribute",
        "chars-1-decimals": "0",
        "chars-1-defect_types": "Leak",
        "chars-2-name": "",
        "chars-2-kind": "variable",
        "chars-2-decimals": "2",
    }
    response = as_user(quality).post("/quality/plans/add/", data)
    assert response.status_code == 302
    plan = InspectionPlan.objects.get()
    assert [c.name for c in plan.characteristics.all()] == ["Fill volume", "Seal"]


def test_bad_limits_are_refused_with_the_reason(as_user, quality, line):
    data = {
        "name": "X",
        "product": "X",
        "line": line.pk,
        "chars-TOTAL_FORMS": "1",
        "chars-INITIAL_FORMS": "0",
        "chars-0-name": "Fill",
        "chars-0-kind": "variable",
        "chars-0-lsl": "10",
        "chars-0-usl": "5",
        "chars-0-decimals": "1",
    }
    response = as_user(quality).post("/quality/plans/add/", data)
    assert response.status_code == 400
    assert "The upper limit must be above the lower limit." in response.content.decode()
    assert not InspectionPlan.objects.exists()


def test_technicians_inspect_but_do_not_define_plans(as_user, technician, plan):
    client = as_user(technician)
    assert client.get("/quality/plans/add/").status_code == 403
    assert _post_inspection(client, plan, "500.0").status_code == 302
    assert Inspection.objects.get().verdict == "pass"


def test_a_failed_inspection_offers_a_prefilled_nonconformance(as_user, technician, plan):
    client = as_user(technician)
    response = _post_inspection(client, plan, "505.5", seal="fail", defect="Leak")
    inspection = Inspection.objects.get()
    assert inspection.verdict == "fail"
    page = client.get(response["Location"]).content.decode()
    assert f"/quality/nonconformances/add/?inspection={inspection.pk}" in page
    form = client.get(f"/quality/nonconformances/add/?inspection={inspection.pk}").content.decode()
    assert "Fill volume: 505.5 ml (limits 495–505)" in form
    assert "Seal integrity: failed (Leak)" in form


def test_bad_input_is_a_400_and_nothing_is_saved(as_user, technician, plan):
    client = as_user(technician)
    response = _post_inspection(client, plan, "500.05")
    assert response.status_code == 400
    assert "read to 1 decimal:" in response.content.decode()
    assert _post_inspection(client, plan, "lots").status_code == 400
    assert not Inspection.objects.exists()


def test_the_nonconformance_is_dispositioned_and_closed_by_quality(
    as_user, technician, quality, plan
):
    _post_inspection(as_user(technician), plan, "506.0")
    inspection = Inspection.objects.get()
    as_user(technician).post(
        f"/quality/nonconformances/add/?inspection={inspection.pk}",
        {"title": "Overfill", "severity": "major", "description": "x"},
    )
    nc = Nonconformance.objects.get()
    tech = as_user(technician)
    assert (
        tech.post(
            f"/quality/nonconformances/{nc.pk}/disposition/", {"disposition": "rework"}
        ).status_code
        == 403
    )
    client = as_user(quality)
    assert (
        client.post(
            f"/quality/nonconformances/{nc.pk}/disposition/",
            {"disposition": "scrap", "containment": "Held"},
        ).status_code
        == 302
    )
    wrong = client.post(
        f"/quality/nonconformances/{nc.pk}/close/",
        {"root_cause": "Probe", "corrective_action": "Fixed", "password": "x"},
    )
    assert wrong.status_code == 400
    assert (
        client.post(
            f"/quality/nonconformances/{nc.pk}/close/",
            {"root_cause": "Probe", "corrective_action": "Fixed", "password": PASSWORD},
        ).status_code
        == 302
    )
    nc.refresh_from_db()
    assert nc.status == "closed" and nc.disposition == "scrap"
    assert client.post(f"/quality/nonconformances/{nc.pk}/edit/", {"title": "y"}).status_code == 409


def test_the_spc_page_draws_the_chart_without_javascript(as_user, quality, technician, plan):
    for fill in ("500.0", "502.0", "499.5", "504.0"):
        _post_inspection(as_user(technician), plan, fill)
    fill = plan.characteristics.get(name="Fill volume")
    html = as_user(quality).get(f"/quality/characteristics/{fill.pk}/spc/").content.decode()
    assert html.count('class="point') == 4
    assert "Cpk" in html and "LSL" in html and "UCL" in html
    # Each point opens its inspection; the time axis carries the inspections' times.
    from logbook.quality.models import Inspection

    for inspection in Inspection.objects.all():
        assert f'<a href="/quality/inspections/{inspection.pk}/"><circle' in html
    assert "inspected at (site time)" in html
    assert html.count('text-anchor="middle"') == 4
    # The numbers it draws, as text: every value with its inspection, and the limits.
    numbers = html[html.index("The numbers, as a list") :]
    for value in ("500.0", "502.0", "499.5", "504.0"):
        assert f"· {value}" in numbers
    assert "LSL" in numbers and "UCL" in numbers


def test_the_spc_page_says_why_there_is_no_index(as_user, quality, technician, plan):
    _post_inspection(as_user(technician), plan, "500.0")
    fill = plan.characteristics.get(name="Fill volume")
    html = as_user(quality).get(f"/quality/characteristics/{fill.pk}/spc/").content.decode()
    assert "Capability needs at least two measurements." in html


def test_the_spc_page_says_which_values_were_measured_under_other_limits(
    as_user, quality, technician, plan
):
    for fill in ("500.0", "503.0"):
        _post_inspection(as_user(technician), plan, fill)
    rows = [
        {"name": "Fill volume", "kind": "variable", "lsl": Decimal(498), "usl": Decimal(502)},
        {"name": "Seal integrity", "kind": "attribute", "defect_types": "Leak"},
    ]
    tighter = services.plan_save(plan=plan, user=quality, characteristics=rows)
    _post_inspection(as_user(technician), tighter, "501.0")
    fill = tighter.characteristics.get(name="Fill volume")
    with CaptureQueriesContext(connection) as captured:
        response = as_user(quality).get(f"/quality/characteristics/{fill.pk}/spc/")
    assert response.context["cap"].n == 3 and response.context["cap"].out_of_spec == 1
    # The figures and the versions' counts come from one pass over the period's values.
    sql = [query["sql"] for query in captured.captured_queries]
    assert len([one for one in sql if "LAG(" in one or "GROUP BY m." in one]) == 1
    # Moving ranges run across the versions: |503 - 500| and |501 - 503|.
    assert response.context["cap"].sd_within == pytest.approx(2.5 / 1.128)
    html = response.content.decode()
    assert "Some values of this period were measured under other limits" in html
    assert "Version 1: LSL 495 · USL 505 — 2 values" in html
    old = plan.characteristics.get(name="Fill volume")
    html = as_user(quality).get(f"/quality/characteristics/{old.pk}/spc/").content.decode()
    assert "Version 2: LSL 498 · USL 502 — 1 value" in html


def test_a_pass_fail_characteristic_gets_a_p_chart_by_local_day(
    as_user, quality, technician, plan, frozen, monkeypatch
):
    seal = plan.characteristics.get(name="Seal integrity")
    days = {0: ["pass", "pass", "fail"], 1: ["pass", "pass", "pass", "pass"]}
    for day, results in days.items():
        for result in results:
            frozen.move_to(at(8, day=TODAY - datetime.timedelta(days=1 - day)))
            defect = "Leak" if result == "fail" else ""
            _post_inspection(as_user(technician), plan, "500.0", seal=result, defect=defect)
    frozen.move_to(at(12))
    plan_page = as_user(quality).get(plan.get_absolute_url()).content.decode()
    assert f"/quality/characteristics/{seal.pk}/spc/" in plan_page
    response = as_user(quality).get(f"/quality/characteristics/{seal.pk}/spc/")
    assert response.templates[0].name == "quality/p_chart.html"
    assert response.context["inspected"] == 7 and response.context["failed"] == 1
    assert response.context["pbar"] == pytest.approx(1 / 7)
    points = [d["p"] for d in response.context["chart"]["points"]]
    assert [(p.n, p.failed) for p in points] == [(3, 1), (4, 0)]
    assert response.content.decode().count('class="point') == 2
    # Only the latest days are drawn; the summary and p̄ still cover the whole period.
    monkeypatch.setattr(selectors, "CHART_POINTS", 1)
    response = as_user(quality).get(f"/quality/characteristics/{seal.pk}/spc/")
    assert [(d["p"].n, d["p"].failed) for d in response.context["chart"]["points"]] == [(4, 0)]
    assert response.context["inspected"] == 7 and response.context["failed"] == 1
    assert response.context["pbar"] == pytest.approx(1 / 7)


def test_lists_run_a_constant_number_of_queries(as_user, quality, technician, plan):
    client = as_user(quality)

    urls = ["/quality/", "/quality/nonconformances/", "/quality/plans/"]

    def add_records(count):
        for number in range(count):
            _post_inspection(as_user(technician), plan, "506.0")
            inspection = Inspection.objects.latest("pk")
            services.nonconformance_raise(
                user=technician, line=plan.line, inspection=inspection, title=f"Overfill {number}"
            )
            services.plan_save(
                plan=InspectionPlan(name=f"Plan {number}", product="Cola", line=plan.line),
                user=quality,
                characteristics=[{"name": "Seal", "kind": "attribute"}],
            )

    add_records(1)
    client = as_user(quality)
    inspection_url = f"/quality/inspections/{Inspection.objects.latest('pk').pk}/"
    few = {url: queries(client, url) for url in [*urls, inspection_url]}
    add_records(12)
    for url, count in few.items():
        assert queries(client, url) == count, url


def test_a_closed_nonconformance_page_runs_a_constant_number_of_queries(
    as_user, technician, quality, plan
):
    # The caller's copy of the record is stale after each step: the services read it afresh.
    nc = services.nonconformance_raise(user=technician, line=plan.line, title="Leak")
    services.nonconformance_disposition(nc=nc, user=quality, disposition="scrap")
    services.nonconformance_close(
        nc=nc, user=quality, password=PASSWORD, root_cause="x", corrective_action="y"
    )
    client = as_user(quality)
    url = f"/quality/nonconformances/{nc.pk}/"
    services.nonconformance_amend(nc=nc, user=quality, text="First", reason="r")
    few = queries(client, url)
    for number in range(10):
        services.nonconformance_amend(nc=nc, user=quality, text=f"More {number}", reason="r")
    assert queries(client, url) == few


def test_other_sites_records_are_404(as_user, outsider, technician, plan):
    _post_inspection(as_user(technician), plan, "500.0")
    inspection = Inspection.objects.get()
    client = as_user(outsider)
    assert client.get(f"/quality/inspections/{inspection.pk}/").status_code == 404
    assert client.get(f"/quality/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/quality/inspect/?plan={plan.pk}").status_code == 404


def test_quality_signs_an_inspection_and_amends_a_closed_nonconformance(
    as_user, technician, quality, plan
):
    from logbook.quality import services as quality_services

    _post_inspection(as_user(technician), plan, "500.0")
    inspection = Inspection.objects.get()
    assert (
        as_user(technician)
        .post(f"/quality/inspections/{inspection.pk}/sign/", {"password": PASSWORD})
        .status_code
        == 403
    )
    client = as_user(quality)  # the same test client, now logged in as quality
    client.post(f"/quality/inspections/{inspection.pk}/sign/", {"password": PASSWORD})
    assert (
        "Reviewed by Priya Nair"
        in client.get(f"/quality/inspections/{inspection.pk}/").content.decode()
    )
    nc = quality_services.nonconformance_raise(user=technician, line=plan.line, title="Leak")
    quality_services.nonconformance_disposition(nc=nc, user=quality, disposition="scrap")
    quality_services.nonconformance_close(
        nc=nc, user=quality, password=PASSWORD, root_cause="x", corrective_action="y"
    )
    response = client.post(
        f"/quality/nonconformances/{nc.pk}/amend/",
        {"text": "Batch B-8 too", "reason": "Found later"},
    )
    assert response.status_code == 302
    assert "Batch B-8 too" in client.get(f"/quality/nonconformances/{nc.pk}/").content.decode()


def test_the_inspection_page_offers_the_signature_to_quality_staff_only(
    as_user, technician, quality, plan
):
    _post_inspection(as_user(technician), plan, "500.0")
    url = f"/quality/inspections/{Inspection.objects.get().pk}/"
    assert "Sign as reviewed" not in as_user(technician).get(url).content.decode()
    client = as_user(quality)
    assert "Sign as reviewed" in client.get(url).content.decode()

    refused = client.post(f"{url}sign/", {"password": "not mine"})
    assert refused.status_code == 400
    assert "The password is not correct: nothing was signed." in refused.content.decode()
    assert Inspection.objects.get().signature is None
    assert client.get(f"{url}sign/").status_code == 405

    assert client.post(f"{url}sign/", {"password": PASSWORD}).status_code == 302
    again = client.post(f"{url}sign/", {"password": PASSWORD})
    assert again.status_code == 409
    assert "already signed" in again.content.decode()
    assert "Sign as reviewed" not in client.get(url).content.decode()


def _plan_for(client, line, tag):
    data = {
        "name": "Filler check",
        "product": "Cola 0.5 L",
        "line": line.pk,
        "equipment": tag,
        "chars-TOTAL_FORMS": "1",
        "chars-INITIAL_FORMS": "0",
        "chars-0-name": "Fill volume",
        "chars-0-kind": "variable",
        "chars-0-lsl": "495",
        "chars-0-usl": "505",
        "chars-0-decimals": "1",
    }
    return client.post("/quality/plans/add/", data)


def test_a_plan_for_one_machine_names_it_by_asset_tag(as_user, quality, line, filler):
    page = as_user(quality).get("/quality/plans/add/").content.decode()
    assert 'name="equipment" ' in page and '<select name="equipment"' not in page
    assert _plan_for(as_user(quality), line, "l1-fil-01").status_code == 302
    assert InspectionPlan.objects.get().equipment == filler


def test_a_plan_refuses_a_machine_of_another_line_or_site(
    as_user, quality, line, filler, other_equipment
):
    moved = EquipmentFactory(asset_tag="L2-CAP-01", line=LineFactory(area=line.area, code="L2"))
    response = _plan_for(as_user(quality), line, moved.asset_tag)
    assert response.status_code == 400
    assert "This equipment is on another line." in response.content.decode()
    response = _plan_for(as_user(quality), line, other_equipment.asset_tag)
    assert response.status_code == 400
    assert "No equipment with this asset tag on your sites." in response.content.decode()
    assert not InspectionPlan.objects.exists()


def test_limits_show_at_the_characteristics_own_precision(as_user, quality, plan):
    """Limits were shown as stored ("495.000000"): at the plan's decimals on its pages, and
    as typed in the edit form."""
    client = as_user(quality)
    html = client.get(f"/quality/plans/{plan.pk}/").content.decode()
    assert "495.0" in html and "505.0" in html and "500.0" in html
    assert "495.000000" not in html
    form = client.get(f"/quality/plans/{plan.pk}/edit/").content.decode()
    assert 'value="495"' in form and "495.000000" not in form


def test_the_shift_report_lists_the_shifts_inspections(as_user, quality, supervisor, plan, shift):
    """The printed shift report left out what was inspected during the shift."""
    assert _post_inspection(as_user(quality), plan, "507.0", shift=shift).status_code == 302
    html = as_user(supervisor).get(f"/shifts/{shift.pk}/report/").content.decode()
    section = html.split("<h2>Inspections</h2>", 1)[1].split("</table>", 1)[0]
    assert "Final check · Cola 0.5 L" in section and "B-7" in section and "Fail" in section
