"""Every field that names a person offers and accepts only people of the record's site."""

import pytest
from django.core.exceptions import ValidationError

from logbook.core.roles import Role
from logbook.maintenance import services
from logbook.maintenance.models import WorkOrder
from logbook.shifts import services as shift_services
from tests.factories import UserFactory


@pytest.fixture
def far_technician(other_site):
    return UserFactory(username="fartech", roles=[Role.TECHNICIAN], member_of=[other_site])


def test_a_work_order_cannot_be_assigned_to_another_sites_person_through_the_api(
    api, technician, planner, far_technician, filler, frozen
):
    client = api(technician)
    body = {"equipment": filler.pk, "title": "Tighten", "priority": 3}
    answer = client.post(
        "/api/work-orders/", {**body, "assigned_to": far_technician.pk}, format="json"
    )
    assert answer.status_code == 400
    assert "assigned_to" in answer.json()
    assert not WorkOrder.objects.exists()
    created = client.post(
        "/api/work-orders/", {**body, "assigned_to": technician.pk}, format="json"
    )
    assert created.status_code == 201
    answer = api(planner).patch(
        f"/api/work-orders/{created.json()['id']}/",
        {"assigned_to": far_technician.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert WorkOrder.objects.get().assigned_to == technician


def test_the_work_order_page_offers_and_accepts_only_the_sites_people(
    as_user, planner, technician, far_technician, filler, frozen
):
    client = as_user(planner)
    page = client.get("/maintenance/work-orders/new/").content.decode()
    assert str(technician) in page and str(far_technician) not in page
    response = client.post(
        "/maintenance/work-orders/new/",
        {
            "equipment": filler.asset_tag,
            "title": "Tighten",
            "priority": "3",
            "assigned_to": far_technician.pk,
        },
    )
    assert response.status_code == 400
    assert not WorkOrder.objects.exists()


def test_a_user_of_two_sites_cannot_assign_across_them(
    admin, technician, far_technician, filler, frozen
):
    """An administrator sees every site, yet a record's person works at the record's site."""
    with pytest.raises(ValidationError) as refused:
        services.work_order_create(
            equipment=filler, user=admin, title="Tighten", assigned_to=far_technician
        )
    assert "assigned_to" in refused.value.message_dict


def test_a_certification_goes_only_to_a_person_of_the_supervisors_sites(
    api, as_user, supervisor, far_technician, filler_class
):
    body = {
        "user": far_technician.pk,
        "equipment_class": filler_class.pk,
        "issued_on": "2026-01-01",
        "expires_on": "2027-01-01",
    }
    assert api(supervisor).post("/api/certifications/", body, format="json").status_code == 400
    response = as_user(supervisor).post("/maintenance/certifications/add/", body)
    assert response.status_code == 400
    assert not far_technician.certifications.exists()


def test_a_shifts_lead_works_at_its_site(api, supervisor, far_technician, shift):
    answer = api(supervisor).patch(
        f"/api/shifts/{shift.pk}/", {"lead": far_technician.pk}, format="json"
    )
    assert answer.status_code == 400
    with pytest.raises(ValidationError):
        shift_services.shift_update(shift=shift, user=supervisor, lead=far_technician)
    shift.refresh_from_db()
    assert shift.lead != far_technician
