import csv
import datetime
import io
import re
from decimal import Decimal

from logbook.accounts.models import Certification
from logbook.maintenance import services
from logbook.maintenance.models import (
    ChecklistResult,
    MaintenanceSchedule,
    PartUsage,
    SparePart,
    WorkOrder,
)
from tests.factories import PASSWORD, EquipmentFactory, LineFactory, MeterFactory, UserFactory
from tests.queries import queries
from tests.timeline import TODAY, at


def _order(pm_schedule):
    services.generate_pm_work_orders()
    return WorkOrder.objects.get()


def test_a_planner_creates_a_schedule_with_its_checklist(as_user, planner, filler, frozen):
    data = {
        "equipment": "L1-FIL-01",
        "title": "Grease bearings",
        "interval": "2",
        "interval_unit": "weeks",
        "meter": "",
        "anchor": "floating",
        "anchor_date": "2026-06-20",
        "tolerance_days": "2",
        "estimated_minutes": "20",
        "priority": "2",
        "lockout_required": "on",
        "required_class": "",
        "active": "on",
        "checklist-TOTAL_FORMS": "3",
        "checklist-INITIAL_FORMS": "0",
        "checklist-MIN_NUM_FORMS": "0",
        "checklist-MAX_NUM_FORMS": "1000",
        "checklist-0-order": "1",
        "checklist-0-text": "Lock out",
        "checklist-0-kind": "check",
        "checklist-1-order": "2",
        "checklist-1-text": "Bearing temperature",
        "checklist-1-kind": "measure",
        "checklist-1-unit": "°C",
        "checklist-1-lower_limit": "20",
        "checklist-1-upper_limit": "60",
        "checklist-2-text": "",
    }
    response = as_user(planner).post("/maintenance/schedules/add/", data)
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line
    ]
    schedule = MaintenanceSchedule.objects.get()
    assert schedule.next_due == datetime.date(2026, 6, 20)
    assert [item.text for item in schedule.checklist.all()] == ["Lock out", "Bearing temperature"]


def _meter_schedule(**changes):
    return {
        "equipment": "L1-FIL-01",
        "title": "Oil",
        "interval": "500",
        "interval_unit": "meter",
        "meter": "",
        "anchor": "floating",
        "anchor_date": "2026-06-15",
        "tolerance_days": "0",
        "estimated_minutes": "20",
        "priority": "2",
        "checklist-TOTAL_FORMS": "0",
        "checklist-INITIAL_FORMS": "0",
        **changes,
    }


def test_a_meter_schedule_needs_a_meter(as_user, planner, filler, frozen):
    response = as_user(planner).post("/maintenance/schedules/add/", _meter_schedule())
    assert response.status_code == 400
    assert "A schedule by meter needs its meter." in response.content.decode()


def _meter_options(response):
    return response.context["form"].fields["meter"].queryset


def test_the_meter_is_picked_among_the_equipments_own(as_user, planner, filler, run_hours, frozen):
    """A site of thousands of machines does not send thousands of meters with the form."""
    elsewhere = [MeterFactory(equipment=EquipmentFactory(line=filler.line)) for _ in range(3)]
    client = as_user(planner)
    assert list(_meter_options(client.get("/maintenance/schedules/add/"))) == []
    page = client.get(f"/maintenance/schedules/add/?equipment={filler.pk}")
    assert list(_meter_options(page)) == [run_hours]
    assert all(meter.name not in page.content.decode() for meter in elsewhere)
    # Typed tag, no meter chosen yet: the form comes back offering that machine's meters.
    assert list(_meter_options(client.post("/maintenance/schedules/add/", _meter_schedule()))) == [
        run_hours
    ]
    foreign = _meter_schedule(meter=elsewhere[0].pk)
    response = client.post("/maintenance/schedules/add/", foreign)
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    response = client.post("/maintenance/schedules/add/", _meter_schedule(meter=run_hours.pk))
    assert response.status_code == 302
    assert MaintenanceSchedule.objects.get().meter == run_hours


def test_the_api_finds_the_meters_of_an_asset_tag(as_user, planner, filler, run_hours):
    MeterFactory(equipment=EquipmentFactory(line=filler.line))
    response = as_user(planner).get("/api/meters/?equipment_tag=l1-fil-01")
    assert [meter["id"] for meter in response.json()["results"]] == [run_hours.pk]


def test_technicians_cannot_plan(as_user, technician, pm_schedule):
    client = as_user(technician)
    assert client.get("/maintenance/schedules/add/").status_code == 403
    assert client.get(f"/maintenance/schedules/{pm_schedule.pk}/edit/").status_code == 403
    work_order = _order(pm_schedule)
    assert client.get(f"/maintenance/work-orders/{work_order.pk}/edit/").status_code == 403
    assert (
        client.post(
            f"/maintenance/work-orders/{work_order.pk}/cancel/", {"reason": "x"}
        ).status_code
        == 403
    )


def test_the_technician_works_an_order_through_the_pages(as_user, technician, pm_schedule, part):
    work_order = _order(pm_schedule)
    client = as_user(technician)
    assert "Lubricate the drive chain" in client.get("/maintenance/my-work/").content.decode() or (
        work_order.assigned_to is None
    )
    client.post(f"/maintenance/work-orders/{work_order.pk}/start/")
    page = client.get(f"/maintenance/work-orders/{work_order.pk}/").content.decode()
    assert "Record the locks" in page and "Complete the work order" not in page
    url = f"/maintenance/work-orders/{work_order.pk}"
    locks = {"locks-TOTAL_FORMS": "2", "locks-INITIAL_FORMS": "0"}
    locks |= {"locks-0-source": "Main electrical", "locks-0-lock_number": "17"}
    locks |= {"locks-1-source": "Compressed air", "locks-1-lock_number": "18"}
    assert client.post(f"{url}/lockout/", locks).status_code == 302
    on = list(work_order.isolation_points.order_by("lock_number"))
    assert [point.lock_number for point in on] == ["17", "18"]
    page = client.get(f"{url}/").content.decode()
    assert "2 locks on" in page and "Complete the work order" not in page
    # The last lock comes off only with the start-up check.
    last = client.post(f"{url}/lockout/remove/", {"points": [on[0].pk, on[1].pk]})
    assert last.status_code == 400
    assert work_order.isolation_points.filter(removed_at__isnull=True).count() == 2
    removed = {"points": [on[0].pk, on[1].pk], "startup_checked": "on"}
    assert client.post(f"{url}/lockout/remove/", removed).status_code == 302
    assert not work_order.isolation_points.filter(removed_at__isnull=True).exists()
    rows = list(work_order.checklist.order_by("order"))
    data = {
        f"done_{rows[0].pk}": "yes",
        f"value_{rows[1].pk}": "13",
        f"note_{rows[1].pk}": "",
        f"note_{rows[2].pk}": "fine",
        "findings": "Dry chain",
        "labour_minutes": "35",
        "parts-TOTAL_FORMS": "3",
        "parts-INITIAL_FORMS": "0",
        "parts-0-part": "LUB-220",
        "parts-0-quantity": "0.5",
    }
    refused = client.post(f"/maintenance/work-orders/{work_order.pk}/complete/", data)
    assert refused.status_code == 400
    assert "13 mm is outside 8–12; add a note." in refused.content.decode()
    data[f"note_{rows[1].pk}"] = "Retensioned to 10 mm"
    response = client.post(f"/maintenance/work-orders/{work_order.pk}/complete/", data)
    assert response.status_code == 302
    work_order.refresh_from_db()
    part.refresh_from_db()
    assert work_order.status == "done" and part.stock == Decimal("4.5")


def test_an_unknown_part_number_is_refused(as_user, technician, pm_schedule):
    work_order = _order(pm_schedule)
    services.work_order_start(work_order=work_order, user=technician)
    response = as_user(technician).post(
        f"/maintenance/work-orders/{work_order.pk}/complete/",
        {
            "parts-TOTAL_FORMS": "1",
            "parts-INITIAL_FORMS": "0",
            "parts-0-part": "NOPE",
            "parts-0-quantity": "1",
        },
    )
    assert response.status_code == 400
    assert "No spare part with this number or name." in response.content.decode()


def test_a_supervisor_verifies_or_sends_back(as_user, technician, supervisor, pm_schedule):
    work_order = _order(pm_schedule)
    services.work_order_start(work_order=work_order, user=technician)
    rows = list(work_order.checklist.order_by("order"))
    points = [{"source": "Main electrical", "lock_number": "17"}]
    services.lockout_apply(work_order=work_order, user=technician, points=points)
    on = list(work_order.isolation_points.all())
    services.lockout_remove(work_order=work_order, user=technician, points=on, startup_checked=True)
    services.work_order_complete(
        work_order=work_order,
        user=technician,
        results=[{"id": rows[0].pk, "done": True}, {"id": rows[1].pk, "value": 10}],
    )
    client = as_user(supervisor)
    wrong = client.post(
        f"/maintenance/work-orders/{work_order.pk}/verify/",
        {"meaning": "reviewed", "password": "nope"},
    )
    assert wrong.status_code == 400
    assert (
        client.post(
            f"/maintenance/work-orders/{work_order.pk}/verify/",
            {"meaning": "approved", "password": PASSWORD},
        ).status_code
        == 302
    )
    work_order.refresh_from_db()
    assert work_order.status == "verified"
    again = client.post(f"/maintenance/work-orders/{work_order.pk}/send-back/", {"reason": "x"})
    assert again.status_code == 409


def test_a_technician_cannot_verify(as_user, technician, pm_schedule):
    work_order = _order(pm_schedule)
    response = as_user(technician).post(
        f"/maintenance/work-orders/{work_order.pk}/verify/",
        {"meaning": "reviewed", "password": PASSWORD},
    )
    assert response.status_code == 403


def test_raising_a_repair_from_a_log_entry_and_an_incident(as_user, technician, shift, filler):
    from logbook.downtime.services import incident_open
    from logbook.shifts.services import log_entry_add

    entry = log_entry_add(
        shift=shift,
        user=technician,
        category="maintenance",
        text="Guide rail loose at the filler",
        equipment=filler,
    )
    client = as_user(technician)
    page = client.get(f"/maintenance/work-orders/new/?log_entry={entry.pk}").content.decode()
    assert "Guide rail loose at the filler" in page
    response = client.post(
        f"/maintenance/work-orders/new/?log_entry={entry.pk}",
        {"equipment": "L1-FIL-01", "title": "Tighten the guide rail", "priority": "3"},
    )
    assert response.status_code == 302
    assert WorkOrder.objects.get().log_entry == entry
    incident = incident_open(equipment=filler, user=technician, symptom="Jam")
    client.post(
        f"/maintenance/work-orders/new/?incident={incident.pk}",
        {"equipment": "L1-FIL-01", "title": "Replace guide", "priority": "2"},
    )
    assert incident.work_orders.get().title == "Replace guide"
    assert "Replace guide" in client.get(f"/downtime/{incident.pk}/").content.decode()


def test_the_plan_shows_overdue_work_parts_and_certifications(
    as_user, planner, filler, frozen, part
):
    from logbook.accounts.models import Certification

    overdue = services.work_order_create(
        equipment=filler, user=planner, title="Late job", due_at=at(8) - datetime.timedelta(days=3)
    )
    SparePart.objects.filter(pk=part.pk).update(stock=1)
    Certification.objects.create(
        user=planner,
        equipment_class=filler.equipment_class,
        expires_on=TODAY + datetime.timedelta(days=5),
    )
    html = as_user(planner).get("/maintenance/plan/").content.decode()
    overdue_section = html.split("The next weeks")[0]
    assert overdue.title in overdue_section
    assert "LUB-220" in html and "Lee Okafor" in html


def test_the_calendar_shows_each_days_first_orders_then_its_schedules_and_counts_the_rest(
    as_user, planner, filler, frozen
):
    day = TODAY + datetime.timedelta(days=3)
    WorkOrder.objects.bulk_create(
        WorkOrder(
            kind="corrective",
            equipment=filler,
            title=f"Job {number}",
            due_at=at(10) + datetime.timedelta(days=3, minutes=number),
        )
        for number in range(8)
    )
    due = TODAY + datetime.timedelta(days=4)
    schedule = services.schedule_save(
        schedule=MaintenanceSchedule(
            equipment=filler,
            title="Weekly task",
            interval=1,
            interval_unit="weeks",
            anchor_date=due,
        )
    )
    cells = {
        cell["date"]: cell
        for week in as_user(planner).get("/maintenance/plan/").context["weeks"]
        for cell in week
    }
    assert [order.title for order in cells[day]["items"]] == [f"Job {n}" for n in range(6)]
    assert cells[day]["more"] == 2
    assert cells[schedule.next_due]["items"] == [schedule]
    assert cells[schedule.next_due]["more"] == 0


def test_lists_run_a_constant_number_of_queries(
    as_user, supervisor, technician, filler, frozen, part
):
    client = as_user(supervisor)
    technician.home_line = filler.line
    technician.save(update_fields=["home_line"])
    services.work_order_create(equipment=filler, user=technician, title="One")
    services.schedule_save(
        schedule=MaintenanceSchedule(
            equipment=filler, title="Task", interval=1, interval_unit="weeks", anchor_date=TODAY
        )
    )
    Certification.objects.create(
        user=technician, equipment_class=filler.equipment_class, expires_on=TODAY
    )
    urls = (
        "/maintenance/",
        "/maintenance/plan/",
        "/maintenance/schedules/",
        "/maintenance/my-work/",
        "/maintenance/parts/",
        "/maintenance/certifications/",
    )
    few = {url: queries(client, url) for url in urls}
    mine = queries(as_user(technician), "/maintenance/my-work/")
    for number in range(15):
        machine = EquipmentFactory(line=filler.line)
        services.work_order_create(equipment=machine, user=technician, title=f"Job {number}")
        SparePart.objects.create(part_number=f"P-{number}", description="x", stock=1)
        Certification.objects.create(
            user=UserFactory(member_of=[filler.line.area.site]),
            equipment_class=machine.equipment_class,
            expires_on=TODAY,
        )
        services.schedule_save(
            schedule=MaintenanceSchedule(
                equipment=machine,
                title=f"Task {number}",
                interval=1,
                interval_unit="weeks",
                anchor_date=TODAY,
            )
        )
    assert queries(as_user(technician), "/maintenance/my-work/") == mine
    client = as_user(supervisor)
    for url, count in few.items():
        assert queries(client, url) == count, url


def test_a_work_order_page_runs_a_constant_number_of_queries(
    as_user, supervisor, technician, filler, frozen, pm_schedule, part
):
    services.generate_pm_work_orders()
    work_order = WorkOrder.objects.get()
    client = as_user(supervisor)
    url = f"/maintenance/work-orders/{work_order.pk}/"
    few = queries(client, url)
    for number in range(10):
        ChecklistResult.objects.create(
            work_order=work_order, order=10 + number, text=f"Step {number}"
        )
        PartUsage.objects.create(work_order=work_order, part=part, quantity=1, used_by=technician)
    assert queries(client, url) == few


def test_other_sites_work_orders_are_404(as_user, outsider, technician, filler, frozen):
    work_order = services.work_order_create(equipment=filler, user=technician, title="Fix")
    client = as_user(outsider)
    assert client.get(f"/maintenance/work-orders/{work_order.pk}/").status_code == 404
    assert client.post(f"/maintenance/work-orders/{work_order.pk}/start/").status_code == 404


def test_supervisors_manage_certifications_technicians_do_not(
    as_user, supervisor, technician, filler_class
):
    data = {
        "user": technician.pk,
        "equipment_class": filler_class.pk,
        "reference": "C-1",
        "issued_on": "2026-01-01",
        "expires_on": "2027-01-01",
    }
    assert as_user(technician).post("/maintenance/certifications/add/", data).status_code == 403
    assert as_user(supervisor).post("/maintenance/certifications/add/", data).status_code == 302
    bad = dict(data, expires_on="2025-01-01", reference="C-2")
    response = as_user(supervisor).post("/maintenance/certifications/add/", bad)
    assert response.status_code == 400


def test_the_home_page_counts_overdue_work_in_a_constant_number_of_queries(
    as_user, planner, technician, filler, frozen
):
    client = as_user(planner)

    def raise_order(title, days_ago):
        due = at(8, day=TODAY - datetime.timedelta(days=days_ago))
        services.work_order_create(equipment=filler, user=technician, title=title, due_at=due)

    raise_order("Late", 3)
    raise_order("Due today", 0)
    assert "1 overdue" in client.get("/").content.decode()
    few = queries(client, "/")
    for number in range(10):
        raise_order(f"Late {number}", 5)
    assert queries(client, "/") == few
    assert "11 overdue" in client.get("/").content.decode()


def test_the_work_order_list_opens_on_the_open_work(as_user, supervisor, filler):
    """Years of verified history do not bury today's work; it is one choice away."""
    for number, status in enumerate(["verified", "cancelled", "open", "in_progress", "done"]):
        WorkOrder.objects.create(
            kind="corrective", equipment=filler, title=status, due_at=at(number), status=status
        )
    client = as_user(supervisor)

    def titles(url):
        return sorted(row.record.title for row in client.get(url).context["table"].page.object_list)

    assert titles("/maintenance/") == ["done", "in_progress", "open"]
    assert titles("/maintenance/?show=all") == sorted(
        ["verified", "cancelled", "open", "in_progress", "done"]
    )
    assert titles("/maintenance/?status=verified") == ["verified"]
    assert titles("/maintenance/?show=todo") == ["in_progress", "open"]
    exported = client.get("/maintenance/?_export=csv").getvalue().decode()
    export = csv.DictReader(io.StringIO(exported))
    assert sorted(row["Title"] for row in export) == ["done", "in_progress", "open"]
    # The API lists everything, as before; ?show=open asks for the open work.
    assert len(client.get("/api/work-orders/").json()["results"]) == 5
    assert len(client.get("/api/work-orders/?show=open").json()["results"]) == 3


def test_the_spare_checklist_rows_are_numbered_on(as_user, planner, pm_schedule):
    client = as_user(planner)
    last = max(item.order for item in pm_schedule.checklist.all())
    edit = client.get(f"/maintenance/schedules/{pm_schedule.pk}/edit/").context["formset"]
    spare = [form["order"].value() for form in edit.forms if not form.instance.pk]
    assert spare == [last + 1, last + 2, last + 3]
    new = client.get("/maintenance/schedules/add/").context["formset"]
    assert [form["order"].value() for form in new.forms] == [1, 2, 3]


def test_the_filters_read_any_yes_no_and_show_has_no_blank(as_user, supervisor):
    form = as_user(supervisor).get("/maintenance/").context["filter"].form
    assert [label for _, label in form.fields["overdue"].widget.choices] == ["Any", "Yes", "No"]
    assert [value for value, _ in form.fields["show"].choices] == ["open", "todo", "all"]


def test_my_work_links_to_exactly_its_orders(as_user, technician, supervisor, filler):
    technician.home_line = filler.line
    technician.save()
    elsewhere = EquipmentFactory(line=LineFactory(area=filler.line.area, code="L9"))
    rows = [
        ("assigned", filler, technician, "open"),
        ("started", elsewhere, technician, "in_progress"),
        ("on my line", filler, None, "open"),
        ("done, to verify", filler, technician, "done"),
        ("other line", elsewhere, None, "open"),
        ("someone else's", filler, supervisor, "open"),
    ]
    for hour, (title, equipment, person, status) in enumerate(rows):
        WorkOrder.objects.create(
            kind="corrective",
            equipment=equipment,
            title=title,
            due_at=at(hour),
            assigned_to=person,
            status=status,
        )
    client = as_user(technician)
    my_work = [order.title for order in client.get("/maintenance/my-work/").context["orders"]]
    assert my_work == ["assigned", "started", "on my line"]
    listed = client.get("/maintenance/?mine=true").context["table"].page.object_list
    assert [row.record.title for row in listed] == my_work
    home = client.get("/").context
    assert (home["my_work"], home["to_verify"]) == (3, 1)


def test_a_home_tile_counts_up_to_99_and_its_list_counts_them_all(
    as_user, supervisor, filler, frozen
):
    def done(count):
        WorkOrder.objects.bulk_create(
            WorkOrder(
                kind="corrective", equipment=filler, title="Job", due_at=at(10), status="done"
            )
            for _ in range(count)
        )

    client = as_user(supervisor)
    done(99)
    assert "Work to verify (99)" in client.get("/").content.decode()
    done(1)
    assert "Work to verify (99+)" in client.get("/").content.decode()
    assert client.get("/maintenance/?status=done").context["table"].paginator.count == 100


def test_the_plans_links_list_what_it_counted(as_user, planner, filler, frozen):
    statuses = ["open", "in_progress", "done"]
    WorkOrder.objects.bulk_create(
        WorkOrder(
            kind="corrective",
            equipment=filler,
            title=f"Job {number}",
            due_at=at(10) + datetime.timedelta(days=1 + number % 20),
            status=statuses[number % 3],
        )
        for number in range(90)
    )
    client = as_user(planner)
    page = client.get("/maintenance/plan/")
    links = re.findall(r'href="(/maintenance/\?[^"]+)"', page.content.decode())
    all_of_it = next(link for link in links if "overdue=false" in link).replace("&amp;", "&")
    listed = client.get(all_of_it).context["table"].paginator.count
    assert listed == page.context["upcoming_count"] == 60  # the open and started ones


def test_a_schedules_edit_form_shows_its_equipment_by_tag_and_saves_unchanged(
    as_user, planner, pm_schedule
):
    """The edit form showed the machine's id ("1"), which the tag field then refused."""
    from tests.html_forms import posted_form

    client = as_user(planner)
    url = f"/maintenance/schedules/{pm_schedule.pk}/edit/"
    data = posted_form(client.get(url).content.decode())
    assert data["equipment"] == "L1-FIL-01"
    assert client.post(url, data).status_code == 302


def test_certification_rows_link_to_their_edit_page_only_for_those_who_may_edit(
    as_user, planner, supervisor, filler
):
    """The planner reads certifications but may not change them: no link that is refused."""
    held = Certification.objects.create(
        user=planner, equipment_class=filler.equipment_class, expires_on=TODAY
    )
    edit = f"/maintenance/certifications/{held.pk}/edit/"
    for user, may in ((planner, False), (supervisor, True)):
        client = as_user(user)
        assert (client.get(edit).status_code == 200) is may
        assert (edit in client.get("/maintenance/certifications/").content.decode()) is may


def test_stock_shows_as_typed_not_as_stored(as_user, planner, part):
    """Stock was shown as stored ("6.00 pcs"): 2.5 L of oil is "2.5", 3 is "3"."""
    SparePart.objects.filter(pk=part.pk).update(stock=Decimal("2.50"), reorder_point=3)
    client = as_user(planner)
    html = client.get("/maintenance/parts/").content.decode()
    assert ">2.5<" in html and ">3<" in html and "2.50" not in html
    plan = client.get("/maintenance/plan/").content.decode()
    assert "<strong>2.5</strong> L (reorder at 3)" in plan
    form = client.get(f"/maintenance/parts/{part.pk}/edit/").content.decode()
    assert 'value="2.5"' in form and 'value="3"' in form


def test_the_locks_on_now_page_lists_only_the_locks_on_at_ones_sites(
    as_user, technician, supervisor, outsider, pm_schedule, other_equipment
):
    here = _order(pm_schedule)
    services.work_order_start(work_order=here, user=technician)
    points = [
        {"source": "Main switch", "lock_number": "L-31"},
        {"source": "Air valve", "lock_number": "L-32"},
    ]
    services.lockout_apply(work_order=here, user=technician, points=points)
    services.lockout_remove(
        work_order=here, user=technician, points=[here.isolation_points.get(lock_number="L-32")]
    )
    there = services.work_order_create(equipment=other_equipment, user=outsider, title="Seal")
    services.work_order_start(work_order=there, user=outsider)
    away = [{"source": "Main switch", "lock_number": "X-99"}]
    services.lockout_apply(work_order=there, user=outsider, points=away)

    page = as_user(supervisor).get("/maintenance/lockouts/")
    assert page.context["title"] == "Locks on now"
    rows = [point.lock_number for point in page.context["table"].page.object_list.data]
    assert rows == ["L-31"]  # not the one removed, not another site's
    assert as_user(outsider).get("/maintenance/lockouts/").context["table"].paginator.count == 1


def test_a_locked_out_machine_says_so_on_its_line_and_in_the_stops_list(
    as_user, technician, supervisor, pm_schedule, filler, line
):
    from logbook.downtime.services import incident_open

    incident_open(equipment=filler, user=technician, started_at=at(9), symptom="Chain off")
    client = as_user(supervisor)
    assert "Locked out" not in client.get("/downtime/").content.decode()
    order = _order(pm_schedule)
    services.work_order_start(work_order=order, user=technician)
    points = [{"source": "Main switch", "lock_number": "L-31", "tag_number": "T-31"}]
    services.lockout_apply(work_order=order, user=technician, points=points)

    line_page = client.get(line.get_absolute_url()).content.decode()
    assert "L-31" in line_page and "Locked out" in line_page
    assert f"/maintenance/lockouts/?site_id={line.area.site_id}" in line_page
    stops = client.get("/downtime/").content.decode()
    assert "Locked out" in stops
    exported = client.get("/downtime/", {"_export": "csv"}).getvalue().decode()
    assert "Locked out" not in exported and "L1-FIL-01" in exported  # the tag, as stored
