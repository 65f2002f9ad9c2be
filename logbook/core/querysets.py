from django.db import models


class SiteScopedQuerySet(models.QuerySet):
    """A queryset that knows the path from its model to the site it belongs to.

    Each model names that path in ``site_lookup`` ("" for Site itself, "line__area__site" for
    Equipment). ``for_user`` keeps only the rows of the user's sites, in one SQL query, so
    lists, details, forms, the admin and the API all scope the same way.
    """

    def for_user(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if user.sees_all_sites:
            return self
        lookup = self.model.site_lookup
        key = f"{lookup}__in" if lookup else "pk__in"
        return self.filter(**{key: user.sites.values("pk")})


SiteScopedManager = models.Manager.from_queryset(SiteScopedQuerySet)
