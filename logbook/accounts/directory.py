"""Directory login: people log in with the accounts the plant's LDAP or Active Directory holds.

Optional. Turned on by ``LDAP_SERVER_URI`` in the environment (see ``directory_settings``); it
needs the ``ldap`` extra (django-auth-ldap, which builds python-ldap against the system's
OpenLDAP headers). The directory's groups give a person their roles and sites at every login
(``services.user_sync_from_directory``); local accounts keep working beside it, also while the
directory cannot be reached.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

from logbook.core.roles import Role

# The group types the plant's directory may use for its groups, by the name the setting takes.
GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "posixGroup": ("PosixGroupType", "(objectClass=posixGroup)"),
    "activeDirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}


def _pairs(environ: Mapping, name: str) -> dict[str, str]:
    """Read ``key=group DN`` pairs separated by ``;`` (a DN holds commas and equals signs)."""
    pairs = {}
    for item in environ.get(name, "").split(";"):
        if not item.strip():
            continue
        key, separator, dn = item.partition("=")
        if not separator or not key.strip() or not dn.strip():
            raise ImproperlyConfigured(
                f"{name}: {item.strip()!r} is not 'name=group DN' (pairs separated by ';')."
            )
        pairs[key.strip()] = dn.strip().lower()
    return pairs


def directory_settings(environ: Mapping) -> dict:
    """Return the settings that turn directory login on, from ``environ``; none without
    ``LDAP_SERVER_URI``. A malformed value stops the start-up with a message naming it."""
    uri = environ.get("LDAP_SERVER_URI", "").strip()
    if not uri:
        return {}
    try:
        import ldap
        from django_auth_ldap import config
    except ImportError:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but django-auth-ldap is not installed: install the "
            "'ldap' extra (pip install '.[ldap]', which needs libldap2-dev and libsasl2-dev)."
        ) from None
    for name in ("LDAP_USER_SEARCH_BASE", "LDAP_GROUP_SEARCH_BASE"):
        if not environ.get(name, "").strip():
            raise ImproperlyConfigured(f"{name} is required with LDAP_SERVER_URI.")
    roles = _pairs(environ, "LDAP_ROLE_GROUPS")
    unknown = sorted(set(roles) - set(Role.values))
    if not roles or unknown:
        raise ImproperlyConfigured(
            f"LDAP_ROLE_GROUPS names no role or unknown ones ({', '.join(unknown)}): use "
            f"{', '.join(Role.values)} as 'role=group DN;…'."
        )
    group_type = environ.get("LDAP_GROUP_TYPE", "groupOfNames").strip()
    if group_type not in GROUP_TYPES:
        raise ImproperlyConfigured(
            f"LDAP_GROUP_TYPE={group_type!r} is not one of {', '.join(GROUP_TYPES)}."
        )
    type_class, group_filter = GROUP_TYPES[group_type]
    try:
        timeout = int(environ.get("LDAP_TIMEOUT", "5"))
    except ValueError:
        raise ImproperlyConfigured("LDAP_TIMEOUT is not a whole number of seconds.") from None
    start_tls = environ.get("LDAP_START_TLS", "false").strip().lower()
    if start_tls not in {"true", "false", "1", "0", "yes", "no"}:
        raise ImproperlyConfigured(f"LDAP_START_TLS={start_tls!r} is not a boolean.")
    deny = environ.get("LDAP_DENY_GROUP", "").strip()
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": environ.get("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": environ.get("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_START_TLS": start_tls in {"true", "1", "yes"},
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(
            environ["LDAP_USER_SEARCH_BASE"].strip(),
            ldap.SCOPE_SUBTREE,
            environ.get("LDAP_USER_FILTER", "(uid=%(user)s)"),
        ),
        "AUTH_LDAP_GROUP_SEARCH": config.LDAPSearch(
            environ["LDAP_GROUP_SEARCH_BASE"].strip(), ldap.SCOPE_SUBTREE, group_filter
        ),
        "AUTH_LDAP_GROUP_TYPE": getattr(config, type_class)(),
        "AUTH_LDAP_DENY_GROUP": deny or None,
        "AUTH_LDAP_USER_ATTR_MAP": {"first_name": "givenName", "last_name": "sn", "email": "mail"},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_CONNECTION_OPTIONS": {
            ldap.OPT_NETWORK_TIMEOUT: timeout,
            ldap.OPT_TIMEOUT: timeout,
            ldap.OPT_REFERRALS: 0,  # Active Directory's referrals would need a second bind
        },
        "DIRECTORY_ROLE_GROUPS": roles,
        "DIRECTORY_SITE_GROUPS": _pairs(environ, "LDAP_SITE_GROUPS"),
    }
