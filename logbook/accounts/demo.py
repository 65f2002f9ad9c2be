"""Demo users. Demo data only: every demo user's password is ``demo``."""

from django.contrib.auth.models import Group

from logbook.accounts.models import User
from logbook.equipment.models import Line, Site

DEMO_PASSWORD = "demo"


def load_users(data, stdout):
    created = 0
    for row in data["users"]:
        user, is_new = User.objects.get_or_create(
            username=row["username"],
            defaults={
                "first_name": row.get("first_name", ""),
                "last_name": row.get("last_name", ""),
                "is_staff": row.get("is_staff", False),
                "is_superuser": row.get("is_superuser", False),
            },
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            if row.get("home_line"):
                user.home_line = Line.objects.filter(
                    code=row["home_line"], area__site__code__in=row["sites"]
                ).first()
            user.save(update_fields=["password", "home_line"])
            user.groups.set(Group.objects.filter(name__in=row["roles"]))
            user.sites.set(Site.objects.filter(code__in=row["sites"]))
            created += 1
    stdout.write(f"users: {created} created, {len(data['users']) - created} already there")
