"""schemathesis over the API's own schema, as a supervisor and as a technician: every operation,
with schemathesis's checks (no server error, documented status codes and content types,
responses that conform to the schema, valid requests accepted, invalid ones refused).

The supervisor, who may take most actions, gets schemathesis's coverage phase as well: its
boundary and invalid values of every parameter and field (some fifty requests an operation).
The technician, refused much of it, gets the generated examples only: what differs for them is
the permission, which those show, and the coverage phase twice over was a third of the suite's
time. Bounded (a few examples per operation) so that CI stays well inside its time; a failure
found here becomes a regression test of its own.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

# A schema-valid request may still name a record that does not exist, or break a rule across
# fields or records (good ≤ produced, no overlapping stops, a closed record): OpenAPI cannot say
# those, and the API answers them 400 (or 409) with the reason. A generated Idempotency-Key may
# come again on another request: 422, as documented. Every other check is as shipped.
CHECKS = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422"]
    }
}
GENERATED = json.loads(
    json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)
)


def _load_schema(*, coverage):
    config = SchemathesisConfig.from_dict(
        {"checks": CHECKS, "phases": {"coverage": {"enabled": coverage}}}
    )
    schema = schemathesis.openapi.from_dict(GENERATED, config=config)
    schema.app = get_wsgi_application()
    return schema


every_value = _load_schema(coverage=True)
generated_only = _load_schema(coverage=False)
BOUNDED = hypothesis_settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def served(db, filler, shift, pm_schedule, reasons, part, technician, supervisor):
    """A small plant to act on; the app called in-process keeps the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {
            "technician": Token.objects.create(user=technician).key,
            "supervisor": Token.objects.create(user=supervisor).key,
        }
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@every_value.parametrize()
@BOUNDED
def test_the_api_keeps_to_its_schema_for_a_supervisor(case, served):
    case.call_and_validate(headers={"Authorization": f"Token {served['supervisor']}"})


@generated_only.parametrize()
@BOUNDED
def test_the_api_keeps_to_its_schema_for_a_technician(case, served):
    case.call_and_validate(headers={"Authorization": f"Token {served['technician']}"})
