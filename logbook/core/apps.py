from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate, pre_delete, pre_save
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

        from django.contrib.auth.signals import user_logged_in

        # Imported for their effect: db registers the in_written lookup, schema an extension.
        from logbook.core import db, history, schema  # noqa: F401
        from logbook.core.middleware import stamp_session

        user_logged_in.connect(stamp_session, dispatch_uid="logbook.core.stamp_session")

        # Security events as log lines and counts (core.observability).
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from logbook.core.observability import on_locked_out, on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="logbook.core.login_failed")
        user_locked_out.connect(on_locked_out, dispatch_uid="logbook.core.locked_out")

        # The audit trail keeps who did what forever (see core.history for why signals).
        pre_delete.connect(
            history.refuse_deleting_an_author,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="logbook.core.history.author",
        )
        for model in history.historical_models():
            pre_save.connect(history.refuse_changing_history, sender=model, weak=False)
            pre_delete.connect(history.refuse_deleting_history, sender=model, weak=False)
