from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "logbook.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from logbook.core.roles import sync_roles

        # After every migrate (and every test-database flush) the role groups carry exactly the
        # permissions that roles.ROLE_PERMISSIONS gives them: the matrix in code is the truth.
        post_migrate.connect(sync_roles, dispatch_uid="logbook.core.sync_roles")
