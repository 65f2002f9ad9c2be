import re

import pytest

from logbook.maintenance.models import WorkOrder
from logbook.workrequests import services
from logbook.workrequests.choices import RequestStatus
from logbook.workrequests.models import WorkRequest
from tests.factories import EquipmentFactory, photo_upload


@pytest.fixture
def raised(filler, operator):
    return services.work_request_raise(
        equipment=filler, user=operator, description="Oil under the filler bowl"
    )


def test_an_operator_requests_work_from_the_machines_card(
    as_user, operator, filler, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = as_user(operator)
    card = client.get(filler.get_card_url()).content.decode()
    add_url = f"/requests/add/?equipment={filler.pk}"
    assert add_url in card
    form = client.get(add_url).content.decode()
    assert 'value="L1-FIL-01 – Rotary filler"' in form  # pre-filled from the card
    response = client.post(
        add_url,
        {
            "equipment": "L1-FIL-01 – Rotary filler",
            "description": "Oil under the filler bowl",
            "urgency": "3",
            "photo": photo_upload(),
        },
    )
    request_ = WorkRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request_.get_absolute_url()
    assert request_.requested_by == operator and request_.urgency == 3 and request_.photo
    page = client.get(request_.get_absolute_url()).content.decode()
    assert "Waiting for a planner" in page
    assert client.get(f"/requests/{request_.pk}/photo/").status_code == 200


def test_an_operator_sees_only_their_own_requests(as_user, operator, technician, raised, filler):
    theirs = services.work_request_raise(
        equipment=filler, user=technician, description="Loose guard"
    )
    client = as_user(operator)
    listing = client.get("/requests/").content.decode()
    assert raised.number in listing and theirs.number not in listing
    assert "My work requests" in listing
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_an_operator_may_not_answer_a_request(as_user, operator, raised):
    client = as_user(operator)
    page = client.get(raised.get_absolute_url()).content.decode()
    assert "Raise the work order" not in page and "Decline the request" not in page
    assert (
        client.post(f"/requests/{raised.pk}/convert/", {"title": "x", "priority": 2}).status_code
        == 403
    )
    assert not WorkOrder.objects.exists()


def test_an_operator_has_no_other_rights(as_user, operator, filler):
    client = as_user(operator)
    for url in ("/shifts/", "/downtime/", "/maintenance/", "/quality/", "/reports/"):
        assert client.get(url).status_code == 403, url
    card = client.get(filler.get_card_url()).content.decode()
    assert "Machine down" not in card and ">Log<" not in card and "Inspect" not in card


def test_a_planner_turns_a_request_into_a_work_order(as_user, planner, raised, technician):
    client = as_user(planner)
    queue = client.get("/requests/?status=open").content.decode()
    assert raised.number in queue
    page = client.get(raised.get_absolute_url()).content.decode()
    assert 'value="Oil under the filler bowl"' in page  # the title starts from the request
    response = client.post(
        f"/requests/{raised.pk}/convert/",
        {"title": "Fix bowl seal leak", "priority": "3", "assigned_to": technician.pk},
    )
    raised.refresh_from_db()
    assert raised.status == RequestStatus.CONVERTED
    assert response["Location"] == raised.work_order.get_absolute_url()
    assert raised.work_order.title == "Fix bowl seal leak"
    again = client.post(f"/requests/{raised.pk}/convert/", {"title": "x", "priority": "2"})
    assert again.status_code == 409
    assert WorkOrder.objects.count() == 1


def test_the_requester_reads_the_answer(as_user, planner, operator, raised):
    refused = as_user(planner).post(f"/requests/{raised.pk}/decline/", {"reason": ""})
    assert refused.status_code == 400
    as_user(planner).post(f"/requests/{raised.pk}/decline/", {"reason": "Drip tray is fine"})
    page = as_user(operator).get(raised.get_absolute_url()).content.decode()
    assert "Declined" in page and "Drip tray is fine" in page


def test_another_sites_request_is_not_found(as_user, outsider, raised):
    assert as_user(outsider).get(raised.get_absolute_url()).status_code == 404


def test_the_machine_picker_offers_the_line_with_components_under_their_machine(
    as_user, operator, filler, line
):
    pump = EquipmentFactory(
        asset_tag="L1-FIL-01-PMP", name="Product pump", line=line, parent=filler
    )
    capper = EquipmentFactory(asset_tag="L1-CAP-01", name="Screw capper", line=line)
    operator.home_line = line
    operator.save()
    page = as_user(operator).get("/requests/add/").content.decode()
    items = re.findall(
        r'<li class="depth-(\d)"><button type="button" class="picker-item[^"]*" '
        r'aria-pressed="false" data-id="(\d+)"',
        page,
    )
    assert [(int(depth), int(pk)) for depth, pk in items] == [
        (0, capper.pk),
        (0, filler.pk),
        (1, pump.pk),
    ]
    assert "Scan QR label" in page


@pytest.mark.parametrize(
    "typed",
    ["labeler", "LABELER", "roll-fed", "l1-lab", "http://plant.example/equipment/{pk}/card/"],
)
def test_a_machine_is_found_by_part_of_its_name_or_tag_or_by_its_label(
    as_user, operator, line, typed
):
    labeler = EquipmentFactory(asset_tag="L1-LAB-01", name="Roll-fed labeler", line=line)
    response = as_user(operator).post(
        "/requests/add/",
        {"equipment": typed.format(pk=labeler.pk), "description": "Crooked labels", "urgency": "2"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert WorkRequest.objects.get().equipment == labeler


def test_a_label_of_another_site_names_no_machine(as_user, operator, other_equipment):
    response = as_user(operator).post(
        "/requests/add/",
        {
            "equipment": f"http://plant.example/equipment/{other_equipment.pk}/card/",
            "description": "Crooked labels",
            "urgency": "2",
        },
    )
    assert response.status_code == 400 and not WorkRequest.objects.exists()
