"""The API against its own OpenAPI schema, in-process, as each role: generated requests never
get a 5xx, and every response matches the schema (schemathesis)."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from sdr_ops.tokens import issue_token

from .authz import build_world

ROLES = ["alice", "mia", "aaron", "stella", "root"]


def _raw_schema() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, default=str))  # translated texts as plain text


schema = schemathesis.openapi.from_dict(_raw_schema())
app = get_wsgi_application()


@pytest.fixture
def tokens(org) -> dict[str, str]:
    build_world(org)
    # The app is called directly, as a server would; like Django's test client, keep it from
    # closing the test's database connection at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {name: issue_token(getattr(org, name), name="fuzz")[1] for name in ROLES}
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    # The same examples on every run, so that main stays green unless the code changes; the
    # run by hand with random seeds is `pytest tests/test_api_fuzz.py --hypothesis-seed=N`.
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_the_api_keeps_its_schema_for_every_role(case, tokens):
    for name in ROLES:
        case.call_and_validate(
            app=app,
            headers={"Authorization": f"Token {tokens[name]}"},
            checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
        )
