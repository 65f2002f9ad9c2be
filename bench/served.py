"""The demo plant served by gunicorn from its own database, as a plant server runs it.

The concurrency tests and the load run (bench/load.py) need real processes writing one SQLite
file (or one PostgreSQL database) at once: the test client, in one thread on the test's own
connection, cannot show what several workers do to each other's locks.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What the tests act on: a technician's token, the running shift of the demo's line, a machine.
SETUP = """
import json
from django.utils import timezone
from rest_framework.authtoken.models import Token
from logbook.accounts.models import User
from logbook.equipment.models import Equipment
from logbook.shifts import selectors, services
tech = User.objects.get(username="tech")
line = tech.home_line or tech.sites.first().areas.first().lines.first()
pattern, day, shift = selectors.current_slot_for_line(line)
shift = shift or services.shift_start(line=line, pattern=pattern, date=day, user=tech)
machines = list(Equipment.objects.exclude(downtime_incidents__ended_at__isnull=True)
    .filter(line__area__site__in=tech.sites.all()).order_by("pk").values_list("pk", flat=True))
print(json.dumps({
    "tech": Token.objects.get_or_create(user=tech)[0].key,
    "supervisor": Token.objects.get_or_create(user=User.objects.get(username="supervisor"))[0].key,
    "shift": shift.pk,
    "machine": Equipment.objects.filter(line=line, parent__isnull=True).exclude(
        downtime_incidents__ended_at__isnull=True).order_by("pk").first().pk,
    "machines": machines,
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="served-plant-test-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PLAIN_STATIC_STORAGE="true",
        DATABASE_URL=database_url,
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Short enough for the tests that hold the lock on purpose, long enough for a queue.
    env.setdefault("DATABASE_LOCK_TIMEOUT", "8")
    return env


def manage(env, *args, capture=False):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@contextlib.contextmanager
def served_plant(database_url: str, workers: int = 4, **settings):
    """Migrate and load the demo plant into ``database_url``, serve it with gunicorn, yield
    (url, facts, env, server). ``settings`` are more environment variables for the app."""
    env = environment(database_url)
    env.update({name: str(value) for name, value in settings.items()})
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    facts = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--timeout=60",
            "--graceful-timeout=5",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(ROOT / "var" / "served-gunicorn.log", "w"),  # noqa: SIM115
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield url, facts, env, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def call(method: str, url: str, token: str, body=None, timeout=60):
    """(status, JSON body) of one API call; never raises on an HTTP error status."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            status = response.status
            kind = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        raw = error.read()
        status = error.code
        kind = error.headers.get("Content-Type", "")
    parsed = json.loads(raw) if raw and "json" in kind else raw.decode(errors="replace")
    return status, parsed
