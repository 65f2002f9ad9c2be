import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from logbook.equipment.models import Equipment, Site
from tests.factories import EquipmentFactory


def test_an_unknown_time_zone_is_refused(db):
    site = Site(code="X", name="X", timezone="Europe/Bremen")
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert "Europe/Bremen is not a known IANA time zone" in str(
        error.value.message_dict["timezone"]
    )


def test_a_real_zone_is_accepted(db):
    Site(code="X", name="X", timezone="America/Chicago").full_clean()


def test_equipment_cannot_become_its_own_ancestor(filler):
    pump = EquipmentFactory(asset_tag="PUMP", line=filler.line, parent=filler)
    seal = EquipmentFactory(asset_tag="SEAL", line=filler.line, parent=pump)
    filler.parent = seal
    with pytest.raises(ValidationError) as error:
        filler.full_clean()
    assert "SEAL is a component of L1-FIL-01" in error.value.message_dict["parent"][0]


def test_equipment_cannot_be_its_own_parent(filler):
    filler.parent = filler
    with pytest.raises(ValidationError):
        filler.full_clean()


def test_the_database_refuses_equipment_as_its_own_parent(filler):
    with pytest.raises(IntegrityError), transaction.atomic():
        Equipment.objects.filter(pk=filler.pk).update(parent=filler)


def test_a_component_must_be_on_its_machines_site(filler, other_line):
    part = EquipmentFactory.build(asset_tag="X-1", line=other_line, parent=filler)
    part.equipment_class = filler.equipment_class
    with pytest.raises(ValidationError) as error:
        part.full_clean()
    assert "L1-FIL-01 is on site PLT" in error.value.message_dict["parent"][0]


def test_a_machine_cannot_move_away_from_its_components(filler, other_line):
    EquipmentFactory(asset_tag="PUMP", line=filler.line, parent=filler)
    filler.line = other_line
    with pytest.raises(ValidationError) as error:
        filler.full_clean()
    assert "PUMP" in error.value.message_dict["line"][0]


def test_asset_tags_are_unique(filler):
    twin = EquipmentFactory.build(
        asset_tag="L1-FIL-01", line=filler.line, equipment_class=filler.equipment_class
    )
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "asset_tag" in error.value.message_dict


def test_ancestors_are_listed_nearest_first(filler):
    pump = EquipmentFactory(asset_tag="PUMP", line=filler.line, parent=filler)
    seal = EquipmentFactory(asset_tag="SEAL", line=filler.line, parent=pump)
    assert seal.ancestors() == [pump, filler]
