"""The authentication backend of directory login (only imported when it is configured)."""

import logging

import ldap
from django.dispatch import receiver
from django_auth_ldap.backend import LDAPBackend, ldap_error

from logbook.accounts import services

logger = logging.getLogger(__name__)


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, with the plant's rules on top:

    - the directory's groups give the person's roles and sites at every login;
    - a person whose groups give no role, or whom an administrator deactivated here, is refused;
    - a local account with a password of its own is never taken over by a directory entry of
      the same name (an administrator first removes its password to move it to the directory).
    """

    def get_or_build_user(self, username, ldap_user):
        user, built = super().get_or_build_user(username, ldap_user)
        if not built and not user.directory_dn and user.has_usable_password():
            logger.warning("directory login of %s refused: a local account has that name", username)
            raise ldap_user.AuthenticationFailed("a local account of that name exists")
        return user, built

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        try:
            group_dns = ldap_user.group_dns
        except ldap.LDAPError as error:
            _note_unreachable(None, request=ldap_user._request, exception=error)
            return None
        if not services.user_sync_from_directory(user=user, dn=ldap_user.dn, group_dns=group_dns):
            logger.warning("directory login of %s refused: no group gives a role", user)
            return None
        return user if user.is_active else None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


@receiver(ldap_error)
def _note_unreachable(sender, request=None, exception=None, **kwargs):
    """Mark the request when the directory could not be asked (down, timed out), so a
    signature refused for that reason says so rather than "wrong password"."""
    logger.error("the directory could not be reached: %s", exception)
    if request is not None:
        request.directory_unreachable = True


class DirectoryUnreachable(Exception):
    pass


def sync_directory_accounts() -> tuple[int, int]:
    """Bring every active directory account in line with the directory: roles and sites
    updated, and deactivated (its API tokens revoked) when its entry is gone, in the deny
    group or in no role's group. Returns (updated, deactivated). Raises DirectoryUnreachable,
    deactivating nobody, when the directory cannot be asked: an outage deactivates nobody."""
    from logbook.accounts.models import User

    backend = DirectoryBackend()
    errors = []

    def note(sender, exception=None, **kwargs):
        errors.append(exception)

    ldap_error.connect(note, dispatch_uid="sync_directory_accounts")
    try:
        _check_reachable(backend)
        updated, gone = 0, []
        for user in User.objects.filter(is_active=True).exclude(directory_dn=""):
            found = backend.populate_user(user.get_username())
            if errors:
                raise DirectoryUnreachable(str(errors[0]))
            group_dns = found.ldap_user.group_dns if found is not None else set()
            deny = backend.settings.DENY_GROUP
            if (
                found is None
                or (deny and deny.lower() in group_dns)
                or not services.user_sync_from_directory(
                    user=found, dn=found.ldap_user.dn, group_dns=group_dns
                )
            ):
                gone.append(user.pk)
            else:
                updated += 1
        deactivated = services.user_deactivate_many(users=User.objects.filter(pk__in=gone))
        return updated, deactivated
    except ldap.LDAPError as error:
        raise DirectoryUnreachable(str(error)) from None
    finally:
        ldap_error.disconnect(dispatch_uid="sync_directory_accounts")


def _check_reachable(backend):
    connection = backend.ldap.initialize(backend.settings.SERVER_URI, bytes_mode=False)
    for option, value in backend.settings.CONNECTION_OPTIONS.items():
        connection.set_option(option, value)
    if backend.settings.START_TLS:
        connection.start_tls_s()
    connection.simple_bind_s(backend.settings.BIND_DN, backend.settings.BIND_PASSWORD)
    connection.unbind_s()
