import pytest

from logbook.workrequests import services
from tests.factories import signed_in

URL = "/api/work-requests/"


@pytest.fixture
def raised(filler, operator):
    return services.work_request_raise(
        equipment=filler, user=operator, description="Oil under the filler bowl"
    )


def test_the_endpoint_is_in_the_schema(client, db):
    assert URL in signed_in(client).get("/api/schema/?format=json").json()["paths"]


def test_an_operator_raises_a_request_and_reads_only_their_own(api, operator, technician, filler):
    made = api(operator).post(
        URL, {"equipment": filler.pk, "description": "Guard loose", "urgency": 3}, format="json"
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["status"] == "open" and body["work_order"] is None and body["urgency"] == 3
    api(technician).post(URL, {"equipment": filler.pk, "description": "Other"}, format="json")
    mine = api(operator).get(URL).json()["results"]
    assert [row["id"] for row in mine] == [body["id"]]


def test_a_planner_converts_and_the_answer_carries_the_work_order(api, planner, raised):
    answer = api(planner).post(f"{URL}{raised.pk}/convert/", {"priority": 4}, format="json")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["status"] == "converted" and body["work_order"]
    order = api(planner).get(f"/api/work-orders/{body['work_order']}/").json()
    assert order["priority"] == 4 and order["title"] == "Oil under the filler bowl"
    again = api(planner).post(f"{URL}{raised.pk}/convert/", {}, format="json")
    assert again.status_code == 409


def test_declining_takes_a_reason(api, supervisor, raised):
    assert api(supervisor).post(f"{URL}{raised.pk}/decline/", {}, format="json").status_code == 400
    answer = api(supervisor).post(
        f"{URL}{raised.pk}/decline/", {"reason": "Seal replaced yesterday"}, format="json"
    )
    assert (
        answer.status_code == 200 and answer.json()["decline_reason"] == "Seal replaced yesterday"
    )


def test_those_who_may_not_answer_are_refused(api, operator, technician, outsider, raised):
    assert api(operator).post(f"{URL}{raised.pk}/convert/", {}, format="json").status_code == 403
    assert (
        api(technician)
        .post(f"{URL}{raised.pk}/decline/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert api(outsider).post(f"{URL}{raised.pk}/convert/", {}, format="json").status_code == 404


def test_requests_are_not_edited_over_the_api(api, admin, raised):
    assert (
        api(admin).patch(f"{URL}{raised.pk}/", {"description": "x"}, format="json").status_code
        == 405
    )
