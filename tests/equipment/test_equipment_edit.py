import pytest

from logbook.equipment.models import Equipment


def _form(line, equipment_class, **overrides):
    data = {
        "asset_tag": "L1-LAB-01",
        "name": "Labeler",
        "line": line.pk,
        "parent": "",
        "equipment_class": equipment_class.pk,
        "manufacturer": "Krones",
        "model": "Contiroll",
        "serial_number": "KR-1",
        "criticality": "B",
        "status": "running",
        "commissioned_on": "2021-04-01",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["planner", "supervisor", "admin"])
def test_planners_supervisors_and_admins_create_equipment(
    request, as_user, persona, line, filler_class
):
    client = as_user(request.getfixturevalue(persona))
    response = client.post("/equipment/add/", _form(line, filler_class))
    created = Equipment.objects.get(asset_tag="L1-LAB-01")
    assert response.status_code == 302
    assert response["Location"] == f"/equipment/{created.pk}/"


def test_a_planner_edits_equipment_and_the_change_is_audited(as_user, planner, filler):
    form = _form(filler.line, filler.equipment_class, asset_tag=filler.asset_tag, status="idle")
    response = as_user(planner).post(f"/equipment/{filler.pk}/edit/", form)
    assert response.status_code == 302
    filler.refresh_from_db()
    assert filler.status == "idle"
    last = filler.history.first()
    assert last.history_user == planner
    assert last.diff_against(last.prev_record).changed_fields.count("status") == 1


@pytest.mark.parametrize("persona", ["technician", "quality"])
def test_technicians_and_quality_cannot_create_or_edit(request, as_user, persona, filler):
    client = as_user(request.getfixturevalue(persona))
    assert client.get("/equipment/add/").status_code == 403
    assert (
        client.post("/equipment/add/", _form(filler.line, filler.equipment_class)).status_code
        == 403
    )
    form = _form(filler.line, filler.equipment_class, asset_tag=filler.asset_tag, name="Hacked")
    assert client.post(f"/equipment/{filler.pk}/edit/", form).status_code == 403
    filler.refresh_from_db()
    assert filler.name == "Rotary filler"


def test_a_duplicate_asset_tag_is_refused_with_a_message(as_user, planner, filler):
    form = _form(filler.line, filler.equipment_class, asset_tag="L1-FIL-01")
    response = as_user(planner).post("/equipment/add/", form)
    assert response.status_code == 400
    assert "Equipment with this Asset tag already exists." in response.content.decode()
    assert Equipment.objects.count() == 1


def test_an_equipment_cannot_become_its_own_ancestor(as_user, planner, filler):
    Equipment.objects.create(
        asset_tag="PUMP",
        name="Pump",
        line=filler.line,
        parent=filler,
        equipment_class=filler.equipment_class,
    )
    form = _form(filler.line, filler.equipment_class, asset_tag="L1-FIL-01", parent="pump")
    response = as_user(planner).post(f"/equipment/{filler.pk}/edit/", form)
    assert response.status_code == 400
    assert "PUMP is a component of L1-FIL-01" in response.content.decode()
    filler.refresh_from_db()
    assert filler.parent is None


def test_a_line_of_another_site_cannot_be_chosen(as_user, planner, other_line, filler_class):
    response = as_user(planner).post("/equipment/add/", _form(other_line, filler_class))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Equipment.objects.filter(asset_tag="L1-LAB-01").exists()


def test_a_parent_on_another_site_cannot_be_chosen(as_user, planner, line, other_equipment):
    form = _form(line, other_equipment.equipment_class, parent=other_equipment.asset_tag)
    response = as_user(planner).post("/equipment/add/", form)
    assert response.status_code == 400
    assert "No equipment with this asset tag on your sites." in response.content.decode()


def test_an_admin_gets_the_site_rule_message_for_a_parent_elsewhere(
    as_user, admin, line, other_equipment
):
    form = _form(line, other_equipment.equipment_class, parent=other_equipment.asset_tag)
    response = as_user(admin).post("/equipment/add/", form)
    assert response.status_code == 400
    assert "B1-FIL-01 is on site OTH" in response.content.decode()


def test_another_sites_equipment_cannot_be_edited(as_user, outsider, filler):
    assert as_user(outsider).get(f"/equipment/{filler.pk}/edit/").status_code == 404


def test_an_unknown_id_is_a_404(as_user, planner, db):
    assert as_user(planner).get("/equipment/424242/edit/").status_code == 404


def test_the_add_form_preselects_the_line_and_parent(as_user, planner, filler):
    response = as_user(planner).get(f"/equipment/add/?line={filler.line.pk}&parent={filler.pk}")
    form = response.context["form"]
    assert str(form["line"].value()) == str(filler.line.pk)
    assert form["parent"].value() == "L1-FIL-01"
