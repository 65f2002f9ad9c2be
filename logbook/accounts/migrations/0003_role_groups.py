"""The five roles as Django groups. Their permissions are kept in step with core.roles after
every migrate (core.apps: post_migrate), so a new app's permissions reach the roles too."""

from django.db import migrations

ROLES = ["technician", "supervisor", "quality", "planner", "admin"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_sites"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
