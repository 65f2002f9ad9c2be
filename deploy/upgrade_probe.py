"""After the upgrade: the data is all there (compared with the snapshot taken before it) and
every page answers. Run by deploy/upgrade-check.sh with ``manage.py shell -c``, the snapshot's
path in UPGRADE_BEFORE."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

before = json.loads(Path(os.environ["UPGRADE_BEFORE"]).read_text())
after = json.loads(
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-v",
            "0",
            "-c",
            Path("deploy/upgrade_snapshot.py").read_text(),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
# Tables the upgrade itself adds to: new permissions for new models (the roles take them up),
# their content types, the migrations applied.
GROWING = {"auth_permission", "auth_group_permissions", "django_content_type", "django_migrations"}
problems = []
for table, count in before["tables"].items():
    if table.startswith("sqlite_"):
        continue  # SQLite's own statistics
    if table in GROWING:
        if after["tables"].get(table, 0) < count:
            problems.append(f"{table}: {count} rows before, {after['tables'].get(table)} after")
        continue
    if table not in after["tables"]:
        problems.append(f"table {table} is gone (expand/contract: drop it a release later)")
    elif after["tables"][table] != count:
        problems.append(f"{table}: {count} rows before, {after['tables'][table]} after")
if after["signatures"] != before["signatures"]:
    problems.append(f"signatures changed: {before['signatures']} → {after['signatures']}")
if after["history_rows"] != before["history_rows"]:
    problems.append(f"audit trail: {before['history_rows']} rows → {after['history_rows']}")


def plain_urls(resolver=None, prefix=""):
    """The URL names that take no argument (the lists, forms, reports, home pages)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from plain_urls(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
            yield prefix + pattern.name


admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
client = Client(raise_request_exception=False)
client.force_login(admin)
urls = set()
for name in plain_urls():
    if name in {"logout", "set_language", "metrics"} or name.startswith("admin:"):
        continue
    try:
        urls.add(reverse(name))
    except Exception:
        continue
for model in apps.get_models():  # a record of each kind, on its own page
    if hasattr(model, "get_absolute_url"):
        record = model._base_manager.order_by("pk").first()
        if record is not None:
            try:
                urls.add(record.get_absolute_url())
            except Exception:
                continue
urls.add("/admin/")
answers = {url: client.get(url).status_code for url in sorted(urls)}
failed = {url: code for url, code in answers.items() if code >= 500}
problems += [f"{url} answered {code}" for url, code in failed.items()]
print(
    f"upgrade check: {len(before['tables'])} tables and {before['signatures']['count']} "
    f"signatures kept, {before['history_rows']} audit rows; {len(answers)} pages answered"
)
if problems:
    print("UPGRADE CHECK FAILED:\n  " + "\n  ".join(problems))
    sys.exit(1)
