import csv
import datetime
import io
import re

import pytest

from logbook.downtime import services
from logbook.downtime.models import DowntimeIncident
from logbook.maintenance.services import work_order_create
from logbook.shifts import services as shift_services
from tests.factories import EquipmentFactory
from tests.queries import queries
from tests.timeline import at


def test_machine_down_takes_a_few_fields(as_user, technician, frozen, filler):
    client = as_user(technician)
    page = client.get(f"/downtime/new/?equipment={filler.pk}").content.decode()
    assert 'value="L1-FIL-01 – Rotary filler"' in page
    response = client.post("/downtime/new/", {"equipment": "L1-FIL-01", "symptom": "No fill"})
    incident = DowntimeIncident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/downtime/{incident.pk}/"
    assert incident.started_at == at(10) and incident.reported_by == technician
    html = client.get(f"/equipment/{filler.pk}/").content.decode()
    assert "status-down" in html and f"/downtime/{incident.pk}/" in html


def test_a_stop_is_dated_when_it_is_reported_not_when_its_page_was_opened(
    as_user, technician, frozen, filler
):
    """ "Stopped at" is left empty ("Leave empty for now"): a page opened, then sent later (or
    kept on a tablet without a connection) is not dated when the page was made."""
    client = as_user(technician)
    page = client.get(f"/downtime/new/?equipment={filler.pk}").content.decode()
    field = re.search(r'<input[^>]*name="started_at"[^>]*>', page).group(0)
    assert "value=" not in field
    assert 'name="initial-started_at"' not in page
    frozen.shift(datetime.timedelta(minutes=3))
    client.post("/downtime/new/", {"equipment": "L1-FIL-01", "symptom": "No fill"})
    assert DowntimeIncident.objects.get().started_at == at(10, 3)


def test_a_second_stop_of_the_same_machine_is_refused_with_the_reason(
    as_user, technician, frozen, filler
):
    client = as_user(technician)
    client.post("/downtime/new/", {"equipment": "L1-FIL-01", "symptom": "No fill"})
    response = client.post("/downtime/new/", {"equipment": "L1-FIL-01", "symptom": "again"})
    assert response.status_code == 409  # someone reported it first: a conflict, said as such
    assert "was already down then" in response.content.decode()
    assert DowntimeIncident.objects.count() == 1


def test_restoration_stages_are_one_tap_each(as_user, technician, frozen, filler):
    incident = services.incident_open(equipment=filler, user=technician, started_at=at(9, 30))
    client = as_user(technician)
    for stage in ("responded", "repaired", "ended"):
        assert client.post(f"/downtime/{incident.pk}/{stage}/").status_code == 302
    incident.refresh_from_db()
    assert incident.responded_at == incident.repaired_at == incident.ended_at == at(10)


def test_a_stage_at_another_time_is_checked(as_user, technician, frozen, filler):
    incident = services.incident_open(equipment=filler, user=technician, started_at=at(9, 30))
    response = as_user(technician).post(
        f"/downtime/{incident.pk}/ended/", {"at": "2026-06-15T09:00"}
    )
    assert response.status_code == 400
    assert "cannot be before" in response.content.decode()


def test_an_unknown_stage_is_a_404(as_user, technician, frozen, filler):
    incident = services.incident_open(equipment=filler, user=technician)
    assert as_user(technician).post(f"/downtime/{incident.pk}/exploded/").status_code == 404


def test_classify_and_close_through_the_page(as_user, technician, frozen, filler, reasons):
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 20)
    )
    client = as_user(technician)
    data = {"reason": reasons["jam"].pk, "cause": "", "action_taken": "Cleared"}
    response = client.post(f"/downtime/{incident.pk}/close/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "A failure needs its coding." in html or "This field is required." in html
    data.update(cause="Worn guide", **{k: v.pk for k, v in reasons["coding"].items()})
    assert client.post(f"/downtime/{incident.pk}/close/", data).status_code == 302
    incident.refresh_from_db()
    assert incident.closed_at is not None


def test_a_closed_incident_refuses_edits_with_409(
    as_user, supervisor, technician, frozen, filler, reasons
):
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 20)
    )
    services.incident_close(
        incident=incident,
        user=technician,
        reason=reasons["jam"],
        cause="x",
        action_taken="y",
        **reasons["coding"],
    )
    response = as_user(supervisor).post(f"/downtime/{incident.pk}/edit/", {"symptom": "z"})
    assert response.status_code == 409
    response = as_user(supervisor).post(f"/downtime/{incident.pk}/ended/")
    assert response.status_code == 409


def test_a_technician_cannot_amend(as_user, technician, frozen, filler, reasons):
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 20)
    )
    assert as_user(technician).get(f"/downtime/{incident.pk}/amend/").status_code == 403


def test_the_incident_page_shows_the_line_log_around_it(as_user, technician, shift, filler):
    from logbook.shifts import services as shift_services

    shift_services.log_entry_add(
        shift=shift,
        user=technician,
        text="Filler noisy",
        category="maintenance",
        occurred_at=at(8, 30),
    )
    shift_services.log_entry_add(
        shift=shift, user=technician, text="Far away", category="note", occurred_at=at(6, 5)
    )
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(9), ended_at=at(9, 20)
    )
    html = as_user(technician).get(f"/downtime/{incident.pk}/").content.decode()
    assert "Filler noisy" in html
    assert "Far away" not in html


def test_the_shift_page_splits_an_incident_at_the_shift_boundary(
    as_user, technician, frozen, line, patterns, filler
):
    from logbook.shifts import services as shift_services

    frozen.move_to(at(15))
    early = shift_services.shift_start(
        line=line, pattern=patterns["Early"], date=at(0).date(), user=technician
    )
    late = shift_services.shift_start(
        line=line, pattern=patterns["Late"], date=at(0).date(), user=technician
    )
    services.incident_open(
        equipment=filler, user=technician, started_at=at(13, 30), ended_at=at(14, 45)
    )
    client = as_user(technician)
    assert '<td class="num">30</td>' in client.get(f"/shifts/{early.pk}/").content.decode()
    assert '<td class="num">45</td>' in client.get(f"/shifts/{late.pk}/").content.decode()


def test_the_list_filters_and_exports(as_user, supervisor, technician, frozen, filler, reasons):
    services.incident_open(
        equipment=filler,
        user=technician,
        started_at=at(7),
        ended_at=at(7, 10),
        reason=reasons["changeover"],
    )
    services.incident_open(equipment=filler, user=technician, started_at=at(8), ended_at=at(8, 5))
    services.incident_open(equipment=filler, user=technician, started_at=at(9))
    client = as_user(supervisor)

    def rows(query):
        return client.get(f"/downtime/?{query}").context["table"].paginator.count

    assert rows("") == 3
    assert rows("kind=planned") == 1
    assert rows("kind=unclassified") == 2
    assert rows("state=open") == 1
    assert rows("state=ended") == 2
    assert rows("asset_tag=l1-fil-01") == 3
    assert rows("started_after=2026-06-16") == 0
    response = client.get("/downtime/?kind=unclassified&_export=csv")
    exported = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row["Kind"] for row in exported] == ["Unclassified", "Unclassified"]
    assert sorted(row["Minutes"] for row in exported) == ["", "5"]


def test_the_list_runs_a_constant_number_of_queries(
    as_user, supervisor, technician, frozen, filler, reasons
):
    client = as_user(supervisor)
    services.incident_open(equipment=filler, user=technician, started_at=at(1), ended_at=at(2))
    few = queries(client, "/downtime/")
    for hour in range(2, 9):
        machine = EquipmentFactory(line=filler.line)
        services.incident_open(
            equipment=machine,
            user=technician,
            started_at=at(hour),
            ended_at=at(hour, 30),
            reason=reasons["jam"],
        )
    assert queries(client, "/downtime/") == few


def test_an_incident_page_runs_a_constant_number_of_queries(
    as_user, supervisor, technician, frozen, filler, reasons, shift
):
    incident = services.incident_open(
        equipment=filler, user=technician, started_at=at(8), ended_at=at(9)
    )
    client = as_user(supervisor)
    url = f"/downtime/{incident.pk}/"
    few = queries(client, url)
    # The shift log around the stop, and the repairs raised from it.
    for minute in range(10):
        shift_services.log_entry_add(
            shift=shift,
            user=technician,
            category="maintenance",
            text=f"Note {minute}",
            equipment=EquipmentFactory(line=filler.line),
            occurred_at=at(8, minute * 5),
        )
        work_order_create(
            equipment=filler, user=technician, title=f"Fix {minute}", downtime_incident=incident
        )
    assert queries(client, url) == few


def test_other_sites_incidents_are_404(as_user, outsider, technician, frozen, filler):
    incident = services.incident_open(equipment=filler, user=technician)
    client = as_user(outsider)
    assert client.get(f"/downtime/{incident.pk}/").status_code == 404
    assert client.post(f"/downtime/{incident.pk}/ended/").status_code == 404
    assert client.post("/downtime/new/", {"equipment": "L1-FIL-01"}).status_code == 400


def test_the_equipment_page_shows_reliability(
    as_user, supervisor, technician, frozen, filler, reasons
):
    services.incident_open(
        equipment=filler, user=technician, started_at=at(7), ended_at=at(8), reason=reasons["jam"]
    )
    html = (
        as_user(supervisor)
        .get(f"/equipment/{filler.pk}/?period_from=2026-06-15&period_to=2026-06-15")
        .content.decode()
    )
    # 06-15 00:00 → now (10:00): 10 h scheduled, 1 h down, one failure
    assert "MTBF" in html and "9.0 h" in html and "1.00 h" in html


def test_a_photo_is_served_only_to_the_site(
    as_user, technician, outsider, frozen, filler, settings, tmp_path
):
    from tests.factories import photo_upload

    settings.MEDIA_ROOT = tmp_path
    photo = photo_upload()
    client = as_user(technician)
    client.post("/downtime/new/", {"equipment": "L1-FIL-01", "symptom": "x", "photo": photo})
    incident = DowntimeIncident.objects.get()
    assert client.get(f"/downtime/{incident.pk}/photo/").status_code == 200
    assert as_user(outsider).get(f"/downtime/{incident.pk}/photo/").status_code == 404


def test_a_file_that_is_not_a_photo_is_refused(
    as_user, technician, frozen, filler, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = as_user(technician).post("/downtime/new/", {"equipment": "L1-FIL-01", "photo": bad})
    assert response.status_code == 400
    assert not DowntimeIncident.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("jam.jpg", b"\xff\xd8\xff\xe0 not a jpeg at all"),  # a photo by its name only
        ("jam.png", b"<svg onload=alert(1)></svg>"),
        ("jam.jpg", b"GIF89a" + b"\0" * 20),
    ],
)
def test_a_photo_is_judged_by_its_content_not_its_name(
    as_user, technician, frozen, filler, settings, tmp_path, name, content
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = as_user(technician).post(
        "/downtime/new/", {"equipment": "L1-FIL-01", "photo": upload}
    )
    assert response.status_code == 400
    assert "not a photo" in response.content.decode()
    assert not DowntimeIncident.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_a_photo_over_the_size_limit_is_refused(
    as_user, technician, frozen, filler, settings, tmp_path
):
    from tests.factories import photo_upload

    settings.MEDIA_ROOT = tmp_path
    settings.PHOTO_MAX_MB = 1
    big = photo_upload(padding=1024 * 1024)
    response = as_user(technician).post("/downtime/new/", {"equipment": "L1-FIL-01", "photo": big})
    assert response.status_code == 400
    assert "at most 1 MB" in response.content.decode()
    assert not DowntimeIncident.objects.exists()


def test_the_restoration_stages_are_offered_in_order(as_user, technician, frozen, filler):
    """The three stage buttons were all active at once."""
    incident = services.incident_open(equipment=filler, user=technician, started_at=at(9, 30))
    client = as_user(technician)

    def offered():
        html = client.get(f"/downtime/{incident.pk}/").content.decode()
        return [
            stage
            for stage in ("responded", "repaired", "ended")
            if f"/downtime/{incident.pk}/{stage}/" in html
        ]

    assert offered() == ["responded", "ended"]  # a machine may also restart by itself
    client.post(f"/downtime/{incident.pk}/responded/")
    assert offered() == ["repaired", "ended"]
    client.post(f"/downtime/{incident.pk}/repaired/")
    assert offered() == ["ended"]
    client.post(f"/downtime/{incident.pk}/ended/")
    assert offered() == []


# The supervisor's review of the stops ----------------------------------------------------------


@pytest.fixture
def three_stops(technician, frozen, filler):
    """Three short stops of the filler this morning, ended, none classified."""
    stops = []
    for start in (7, 8, 9):
        incident = services.incident_open(equipment=filler, user=technician, started_at=at(start))
        stops.append(
            services.incident_stage(
                incident=incident, user=technician, stage="ended_at", at=at(start, 10)
            )
        )
    return stops


def test_the_reason_filter_offers_the_tree_as_groups(as_user, supervisor, reasons):
    html = as_user(supervisor).get("/downtime/").content.decode()
    select = html.split('name="reason_id"', 1)[1].split("</select>", 1)[0]
    assert '<optgroup label="Planned › Planned stops">' in select
    assert '<optgroup label="Unplanned › Failures">' in select
    assert f'value="{reasons["jam"].pk}">Jam<' in select


def test_the_list_totals_the_filtered_stops(as_user, supervisor, three_stops):
    html = as_user(supervisor).get("/downtime/?kind=unclassified").content.decode()
    assert "3 downtime incidents · 30 min down" in html


def test_a_supervisor_classifies_several_stops_at_once(
    as_user, supervisor, technician, three_stops, reasons
):
    client = as_user(supervisor)
    page = client.get("/downtime/?kind=unclassified").content.decode()
    assert f'name="incident" value="{three_stops[0].pk}" form="classify"' in page
    assert 'id="classify"' in page
    picked = [three_stops[0].pk, three_stops[2].pk]
    response = client.post(
        "/downtime/classify/",
        {"incident": picked, "reason": reasons["jam"].pk, "next": "/downtime/?kind=unclassified"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/downtime/?kind=unclassified"
    reasons_now = dict(DowntimeIncident.objects.values_list("pk", "reason_id"))
    assert reasons_now == {
        three_stops[0].pk: reasons["jam"].pk,
        three_stops[1].pk: None,
        three_stops[2].pk: reasons["jam"].pk,
    }
    # A category is not a reason: nothing changes.
    client.post(
        "/downtime/classify/",
        {"incident": [three_stops[1].pk], "reason": reasons["jam"].parent_id},
    )
    assert DowntimeIncident.objects.get(pk=three_stops[1].pk).reason_id is None


def test_only_those_who_may_classify_see_the_tick_boxes(as_user, quality, three_stops):
    client = as_user(quality)
    assert 'form="classify"' not in client.get("/downtime/").content.decode()
    assert client.post("/downtime/classify/", {"incident": [three_stops[0].pk]}).status_code == 403


def test_the_api_classifies_several_stops_and_refuses_a_closed_one(
    api, supervisor, quality, three_stops, reasons
):
    ids = [stop.pk for stop in three_stops]
    refused = api(quality).post(
        "/api/downtime/classify/", {"incidents": ids, "reason": reasons["jam"].pk}, format="json"
    )
    assert refused.status_code == 403
    services.incident_close(
        incident=three_stops[0],
        user=supervisor,
        reason=reasons["changeover"],
        cause="Planned",
        action_taken="Changed over",
    )
    conflict = api(supervisor).post(
        "/api/downtime/classify/", {"incidents": ids, "reason": reasons["jam"].pk}, format="json"
    )
    assert conflict.status_code == 409
    assert not DowntimeIncident.objects.filter(reason=reasons["jam"]).exists()  # none of them
    done = api(supervisor).post(
        "/api/downtime/classify/",
        {"incidents": ids[1:], "reason": reasons["jam"].pk},
        format="json",
    )
    assert done.status_code == 200 and done.json() == {"classified": 2}


def test_down_now_shows_the_longest_stops_and_links_to_the_rest(
    as_user, supervisor, technician, outsider, frozen, filler, other_equipment
):
    from logbook.downtime.selectors import DOWN_NOW_SHOWN

    client = as_user(supervisor)
    pages = ("/", "/downtime/ongoing/", filler.line.get_absolute_url())
    services.incident_open(equipment=filler, user=technician, started_at=at(0, 10))
    services.incident_open(equipment=other_equipment, user=outsider, started_at=at(0, 5))
    few = {url: queries(client, url) for url in pages}
    for url in pages:
        assert "more machines down" not in client.get(url).content.decode()
    machines = [EquipmentFactory(line=filler.line) for _ in range(DOWN_NOW_SHOWN + 2)]
    for minute, machine in enumerate(machines):
        services.incident_open(equipment=machine, user=technician, started_at=at(1, minute))
    for url in pages:
        page = client.get(url).content.decode()
        start = page.index('class="card ongoing"')
        down_now = page[start : page.index("</section>", start)]
        # The longest first: the filler (down since 00:10) leads; the two stopped last wait
        # behind the link, counted; another site's stop is no one's business here.
        assert filler.asset_tag in down_now, url
        assert machines[DOWN_NOW_SHOWN - 2].asset_tag in down_now, url
        assert machines[-1].asset_tag not in down_now, url
        assert other_equipment.asset_tag not in down_now, url
        assert "3 more machines down: see every stop open" in down_now, url
        assert queries(client, url) == few[url], url
    line_page = client.get(filler.line.get_absolute_url()).content.decode()
    assert f'href="/downtime/?state=open&amp;line_id={filler.line.pk}"' in line_page
    assert 'href="/downtime/?state=open"' in client.get("/").content.decode()
    # The link's list holds them all.
    listed = client.get("/downtime/?state=open").content.decode()
    assert all(machine.asset_tag in listed for machine in machines)
