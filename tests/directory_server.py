"""A throwaway OpenLDAP directory (Debian's slapd) on a loopback port, for the directory login
tests: a technician and a supervisor of the Bremen site (code PLT), a disabled technician, and a
person in no Plant Logbook group."""

import shutil
import subprocess

from tests.servers import LoopbackServer

SLAPD = shutil.which("slapd") or shutil.which("slapd", path="/usr/sbin:/usr/local/sbin")
SLAPADD = shutil.which("slapadd") or shutil.which("slapadd", path="/usr/sbin:/usr/local/sbin")

BASE = "dc=plant,dc=test"
ADMIN_DN = f"cn=admin,{BASE}"
ADMIN_PASSWORD = "directory-admin-secret"
GROUPS = f"ou=groups,{BASE}"
PEOPLE = f"ou=people,{BASE}"

# username: (given name, surname, password, groups)
PEOPLE_ENTRIES = {
    "ltech": ("Lena", "Techner", "floor-pass-1", ["technicians", "site-plt"]),
    "lsuper": ("Sven", "Schulte", "sign-pass-2", ["supervisors", "site-plt"]),
    "lgone": ("Gerd", "Ohne", "gone-pass-3", ["technicians", "site-plt", "disabled"]),
    "lnobody": ("Nina", "Niemand", "none-pass-4", []),
}
GROUP_NAMES = ["technicians", "supervisors", "site-plt", "disabled", "everyone"]


def dn(username: str) -> str:
    return f"uid={username},{PEOPLE}"


def group_dn(name: str) -> str:
    return f"cn={name},{GROUPS}"


def environment(uri: str) -> dict[str, str]:
    """The environment a plant would set to log in against this directory."""
    return {
        "LDAP_SERVER_URI": uri,
        "LDAP_BIND_DN": ADMIN_DN,
        "LDAP_BIND_PASSWORD": ADMIN_PASSWORD,
        "LDAP_USER_SEARCH_BASE": PEOPLE,
        "LDAP_GROUP_SEARCH_BASE": GROUPS,
        "LDAP_ROLE_GROUPS": (
            f"technician={group_dn('technicians')};supervisor={group_dn('supervisors')}"
        ),
        "LDAP_SITE_GROUPS": f"PLT={group_dn('site-plt')}",
        "LDAP_DENY_GROUP": group_dn("disabled"),
        "LDAP_TIMEOUT": "2",
    }


def _ldif() -> str:
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\no: Plant\ndc: plant\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for username, (given, surname, password, _groups) in PEOPLE_ENTRIES.items():
        entries.append(
            f"dn: {dn(username)}\nobjectClass: inetOrgPerson\nuid: {username}\n"
            f"cn: {given} {surname}\ngivenName: {given}\nsn: {surname}\n"
            f"mail: {username}@plant.test\nuserPassword: {password}\n"
        )
    for name in GROUP_NAMES:
        members = [
            dn(user)
            for user, entry in PEOPLE_ENTRIES.items()
            if name in entry[3] or name == "everyone"
        ]
        # groupOfNames needs a member: the administrator holds each group open.
        lines = "".join(f"member: {member}\n" for member in [ADMIN_DN, *members])
        entries.append(f"dn: {group_dn(name)}\nobjectClass: groupOfNames\ncn: {name}\n{lines}")
    return "\n".join(entries)


class Directory(LoopbackServer):
    """slapd with the entries above, on a port of its own; stop() and start() keep the data."""

    name = "slapd"

    def __init__(self, directory):
        super().__init__()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.root = directory
        (directory / "db").mkdir()
        self.config = directory / "slapd.conf"
        self.config.write_text(
            "include /etc/ldap/schema/core.schema\n"
            "include /etc/ldap/schema/cosine.schema\n"
            "include /etc/ldap/schema/inetorgperson.schema\n"
            "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
            f"pidfile {directory}/slapd.pid\n"
            "database mdb\nmaxsize 10485760\n"
            f'suffix "{BASE}"\nrootdn "{ADMIN_DN}"\nrootpw {ADMIN_PASSWORD}\n'
            f"directory {directory}/db\n"
        )
        (directory / "data.ldif").write_text(_ldif())
        subprocess.run(
            [SLAPADD, "-q", "-f", str(self.config), "-l", str(directory / "data.ldif")],
            check=True,
            capture_output=True,
        )

    def command(self):
        return [SLAPD, "-d", "0", "-h", f"{self.uri}/", "-f", str(self.config)]

    def admin(self):
        """A python-ldap connection bound as the directory's administrator."""
        import ldap

        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return connection
