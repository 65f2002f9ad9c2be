"""Maintenance and quality records in the admin: listed for administrators; their life cycle
(and their amendments) runs on their pages and through the API, where the services check it."""

import pytest

LISTED = [
    "maintenance/maintenanceschedule",
    "maintenance/sparepart",
    "maintenance/workorder",
    "maintenance/workorderamendment",
    "quality/inspectionplan",
    "quality/inspection",
    "quality/nonconformance",
    "quality/nonconformanceamendment",
    "accounts/certification",
    "accounts/signature",
]
NOT_ADDED_HERE = [
    "maintenance/workorder",
    "maintenance/workorderamendment",
    "quality/inspection",
    "quality/nonconformance",
    "quality/nonconformanceamendment",
    "accounts/signature",
]


@pytest.mark.parametrize("model", LISTED)
def test_the_admin_lists_every_maintenance_and_quality_model(as_user, admin, model):
    assert as_user(admin).get(f"/admin/{model}/").status_code == 200


@pytest.mark.parametrize("model", NOT_ADDED_HERE)
def test_records_with_a_life_cycle_are_not_added_in_the_admin(as_user, admin, model):
    assert as_user(admin).get(f"/admin/{model}/add/").status_code == 403
