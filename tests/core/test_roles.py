from django.contrib.auth.models import Group

from logbook.core.roles import Role, sync_roles


def test_every_role_is_a_group(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_technicians_and_quality_cannot_edit_equipment(technician, quality):
    for user in (technician, quality):
        assert user.has_perm("equipment.view_equipment")
        assert not user.has_perm("equipment.add_equipment")
        assert not user.has_perm("equipment.change_equipment")
        assert user.has_perm("equipment.add_meterreading")


def test_planners_and_supervisors_edit_the_register(planner, supervisor):
    for user in (planner, supervisor):
        for model in ("site", "area", "line", "equipment", "meter"):
            assert user.has_perm(f"equipment.add_{model}")
            assert user.has_perm(f"equipment.change_{model}")
        assert not user.has_perm("equipment.delete_equipment")


def test_admins_see_every_site(admin, technician):
    assert admin.sees_all_sites
    assert not technician.sees_all_sites


def test_syncing_again_changes_nothing(db):
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    sync_roles()
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after
