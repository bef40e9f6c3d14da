"""The REST API: /api/v1/me/, session and token auth, the schema and its documentation."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from sdr_ops.tokens import issue_token


def test_me_requires_authentication(client, db):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_me_with_a_session(client, org):
    client.force_login(org.alice)
    body = client.get("/api/v1/me/").json()
    assert body["email"] == "alice@example.com"
    assert body["role"] == "sdr"
    assert body["team"]["slug"] == "enterprise-desk"
    assert body["team"]["max_talk_minutes"] == 15
    assert body["team"]["ramp_factors"] == [0.0, 0.5]


def test_me_with_a_token(client, org):
    _token, key = issue_token(org.aaron, name="script")
    body = client.get("/api/v1/me/", headers={"Authorization": f"Token {key}"}).json()
    assert body["role"] == "ae"


def test_token_is_created_from_the_profile_and_shown_once(client, org):
    client.force_login(org.alice)
    response = client.post(reverse("create-token"), {"name": "CRM sync"}, follow=True)
    key = response.context["new_token"]["key"]
    assert key.encode() in response.content
    assert "no-store" in response.headers["Cache-Control"]
    assert key.encode() not in client.get(reverse("profile")).content


def test_schema_and_docs_are_served_by_the_app_itself(client, org):
    client.force_login(org.alice)
    schema = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in html
    assert "cdn" not in html.lower()


def test_docs_send_anonymous_visitors_to_login(client, db):
    assert client.get("/api/docs/").url.startswith(reverse("login"))


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi")
