"""The schema and the API agree (each defect the hostile probe found, as its own test)."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_its_error_answers_as_json(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            answers = operation["responses"]
            wanted = {"400", "401", "403", "404", "503"}
            if method in ("post", "put", "patch", "delete"):
                wanted.add("409")
            assert wanted <= set(answers), (method, path)
            assert "application/json" in answers["404"]["content"]


def test_what_the_schema_declares_is_what_is_sent(schema):
    parts = schema["components"]["schemas"]
    assert parts["DowntimeIncident"]["properties"]["reported_by"]["nullable"] is True
    disposition = parts["Nonconformance"]["properties"]["disposition"]
    assert "" in str(disposition) or "Blank" in str(disposition)
    start = parts["ShiftPattern"]["properties"]["start_time"]
    assert start.get("format") != "time" and "pattern" in start
    amend = schema["paths"]["/api/downtime/{id}/amend/"]["post"]["responses"]
    assert "201" in amend and "200" not in amend
    page = next(
        p for p in schema["paths"]["/api/sites/"]["get"]["parameters"] if p["name"] == "page"
    )
    assert page["schema"]["minimum"] == 1


def test_shift_pattern_times_go_in_as_the_schema_says(api, supervisor, site):
    client = api(supervisor)
    for sent in ("06:00", "06:00:00"):
        answer = client.post(
            "/api/shift-patterns/",
            {"site": site.pk, "name": f"Early {sent}", "start_time": sent, "end_time": "14:00"},
            format="json",
        )
        assert answer.status_code == 201, answer.json()
        assert answer.json()["start_time"] == "06:00"


def test_text_must_be_text(api, planner, db):
    answer = api(planner).post(
        "/api/equipment-classes/", {"code": "x", "name": "X", "description": 0}, format="json"
    )
    assert answer.status_code == 400 and "description" in answer.json()


def test_filters_take_what_the_schema_allows_and_refuse_the_rest(api, planner, part):
    client = api(planner)
    # An id of no record finds nothing (it was a 400 "Select a valid choice").
    assert client.get("/api/equipment/?line_id=999999").json()["count"] == 0
    assert client.get("/api/meter-readings/?taken_by_id=0.5").status_code == 400
    # A yes/no filter that is neither is refused (it was silently ignored).
    assert client.get("/api/spare-parts/?to_reorder=maybe").status_code == 400
    assert client.get("/api/spare-parts/?to_reorder=true").status_code == 200


def test_decimal_minimums_are_in_the_schema(schema):
    parts = schema["components"]["schemas"]
    for component, field in (("SparePart", "reorder_point"), ("SparePart", "stock")):
        declared = parts[component]["properties"][field]
        assert not declared["pattern"].startswith("^-"), (component, field)
        assert "at least 0" in declared["description"]
