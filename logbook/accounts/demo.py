"""Demo users. Demo data only: every demo user's password is ``demo``."""

from django.contrib.auth.models import Group

from logbook.accounts.models import User
from logbook.equipment.models import Line, Site

DEMO_PASSWORD = "demo"


def load_users(data, stdout, key="users"):
    created = 0
    for row in data.get(key, []):
        user, is_new = User.objects.get_or_create(
            username=row["username"],
            defaults={
                "first_name": row.get("first_name", ""),
                "last_name": row.get("last_name", ""),
                "is_staff": row.get("is_staff", False),
                "is_superuser": row.get("is_superuser", False),
                "language": row.get("language", ""),
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
    stdout.write(f"{key}: {created} created, {len(data.get(key, [])) - created} already there")


def load_language_users(data, stdout):
    """Technicians who read the pages in their own language (German, Spanish, Polish), loaded
    after the history, which is the same with or without them."""
    load_users(data, stdout, key="users_in_their_language")
