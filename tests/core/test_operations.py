"""What plant IT watches: /readyz, /metrics (content and protection), the JSON log lines, the
security events and the record of each scheduled job's runs."""

import copy
import ipaddress
import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection

from logbook.core.models import JobRun
from logbook.downtime.models import DowntimeIncident
from logbook.shifts.models import LogEntry
from tests.factories import PASSWORD

TOKEN = "metrics-token-for-the-tests-0123456789"


def test_readyz_answers_200_when_the_server_can_serve(client, db):
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json() == {"ready": True}


@pytest.mark.parametrize("refusal", ["attempt to write a readonly database", "database is locked"])
def test_readyz_refuses_a_database_that_takes_no_writes(client, db, refusal):
    def refused(execute, sql, params, many, context):
        if sql.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            raise OperationalError(refusal)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refused):
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert refusal in answer.json()["problems"][0]


@pytest.mark.django_db(transaction=True)
def test_readyz_refuses_while_a_migration_is_not_applied(client):
    call_command("migrate", "core", "zero", verbosity=0)
    try:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert "core.0001_jobrun" in answer.json()["problems"][0]
    finally:
        call_command("migrate", "core", verbosity=0)
    assert client.get("/readyz").status_code == 200


def test_readyz_refuses_when_the_static_files_were_not_collected(client, db, settings, tmp_path):
    settings.PLAIN_STATIC_STORAGE = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert "collectstatic" in answer.json()["problems"][0]


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def get(**headers):
        return client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}", **headers})

    return get


def test_metrics_are_refused_without_the_token(client, db, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    settings.METRICS_TOKEN = ""  # no token set: served to nobody
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401


def test_metrics_are_refused_outside_the_allowed_addresses(scrape, settings, db):
    settings.METRICS_ALLOWED_ADDRESSES = [ipaddress.ip_network("10.20.0.0/16")]
    assert scrape().status_code == 403
    settings.METRICS_ALLOWED_ADDRESSES = [ipaddress.ip_network("127.0.0.0/8")]
    assert scrape().status_code == 200


def test_metrics_count_requests_and_say_the_plants_state(
    scrape, client, filler, signed_shift, technician
):
    DowntimeIncident.objects.create(equipment=filler, started_at=signed_shift.starts_at)
    client.get("/healthz")
    call_command("prune_signals", verbosity=0)

    text = scrape().content.decode()

    assert 'logbook_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert 'logbook_http_request_duration_seconds_count{view="healthz"}' in text
    site = filler.line.area.site.code
    assert f'logbook_open_incidents{{site="{site}"}} 1.0' in text
    assert "logbook_shifts_waiting_signoff" in text
    assert "logbook_overdue_pm_work_orders" in text
    assert "logbook_work_orders_waiting_verification" in text
    assert "logbook_rejected_signals_last_day 0.0" in text
    assert 'logbook_job_last_success_timestamp_seconds{job="prune_signals"}' in text
    assert 'logbook_job_last_run_failed{job="prune_signals"} 0.0' in text


def json_lines(records) -> list[dict]:
    """The records as the production log writes them: one JSON object a line."""
    config = copy.deepcopy(django_settings.LOGGING)  # the configurator pops keys of what it reads
    formatter = logging.config.DictConfigurator(config).configure_formatter(
        config["formatters"]["json"]
    )
    return [json.loads(formatter.format(record)) for record in records]


def test_each_request_is_one_json_log_line_with_its_request_id(client, technician, caplog):
    client.force_login(technician)
    with caplog.at_level(logging.INFO, logger="logbook.request"):
        answer = client.get("/", headers={"X-Request-ID": "proxy-7f3a"})
    [line] = json_lines(r for r in caplog.records if r.name == "logbook.request")
    assert answer["X-Request-ID"] == "proxy-7f3a"
    assert line["request_id"] == "proxy-7f3a" and line["event"] == "request"
    assert (line["view"], line["status"], line["user"], line["method"]) == (
        "home",
        200,
        technician.username,
        "GET",
    )
    assert line["duration_ms"] >= 0 and line["level"] == "INFO" and line["time"]


def test_failed_logins_lockouts_signatures_and_refused_writes_are_security_events(
    client, settings, signed_shift, technician, supervisor, caplog
):
    settings.AXES_FAILURE_LIMIT = 2
    entry = LogEntry.objects.filter(shift=signed_shift).first()
    with caplog.at_level(logging.INFO, logger="logbook.security"):
        for _attempt in range(2):
            client.post("/accounts/login/", {"username": "mallory", "password": "guess"})
        client.force_login(technician)
        refused = client.post(
            f"/shifts/entries/{entry.pk}/edit/", {"category": "note", "text": "changed"}
        )
    assert refused.status_code == 409
    security = [r for r in caplog.records if r.name == "logbook.security"]
    events = [line["event"] for line in json_lines(security)]
    assert events.count("login_failed") == 2
    assert "lockout" in events
    assert "locked_record_write_refused" in events
    assert "signature" not in events  # signed before the capture began; now one more:
    caplog.clear()

    from logbook.accounts.services import signature_create

    with caplog.at_level(logging.INFO, logger="logbook.security"):
        signature_create(user=supervisor, password=PASSWORD, meaning="reviewed")
    [line] = [line for line in json_lines(caplog.records) if line.get("event") == "signature"]
    assert (line["signer"], line["meaning"]) == (supervisor.username, "reviewed")


def test_each_job_run_is_logged_and_kept_whether_it_works_or_not(db, caplog):
    with caplog.at_level(logging.INFO, logger="logbook.jobs"):
        call_command("generate_pm_workorders", verbosity=0)
        with pytest.raises(CommandError):
            call_command("send_daily_digest", date="yesterday")
    runs = {run.job: run for run in JobRun.objects.all()}
    assert runs["generate_pm_workorders"].ok
    assert not runs["send_daily_digest"].ok
    assert "YYYY-MM-DD" in runs["send_daily_digest"].detail
    lines = [line for line in json_lines(caplog.records) if line.get("event") == "job"]
    assert [(line["job"], line["ok"]) for line in lines] == [
        ("generate_pm_workorders", True),
        ("send_daily_digest", False),
    ]
    assert all(line["duration_s"] >= 0 for line in lines)
