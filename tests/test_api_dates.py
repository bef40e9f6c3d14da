"""Dates the API reads lie in 1900-2100; the timestamps it writes are RFC 3339."""

import datetime
import re
import zoneinfo

import pytest
from rest_framework import serializers

from sdr_ops import apifields

from .factories import LeadFactory

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class Probe(serializers.Serializer):
    at = apifields.DateTimeField()
    day = apifields.DateField()


@pytest.mark.parametrize(
    ("at", "day", "ok"),
    [
        ("2026-12-01T10:00:00+09:00", "2026-12-01", True),
        ("1900-01-01T00:00:00Z", "2100-12-31", True),
        ("0001-01-01T00:00:00Z", "2026-12-01", False),
        ("2026-12-01T10:00:00Z", "9999-12-31", False),
        ("1899-12-31T23:59:59Z", "2026-12-01", False),
    ],
)
def test_dates_outside_1900_to_2100_are_refused_with_a_message(at, day, ok, settings):
    form = Probe(data={"at": at, "day": day})
    assert form.is_valid() is ok
    if not ok:
        message = str(next(iter(form.errors.values()))[0])
        assert message == "Give a date between the years 1900 and 2100."


def test_a_time_in_seouls_local_mean_time_is_written_in_utc():
    seoul = zoneinfo.ZoneInfo("Asia/Seoul")
    old = datetime.datetime(1905, 3, 1, 9, 0, tzinfo=seoul)
    assert old.utcoffset().total_seconds() % 60  # +08:27:52: not expressible in RFC 3339
    written = apifields.DateTimeField().to_representation(old)
    assert RFC3339.match(written), written
    assert written.endswith("Z")
    assert datetime.datetime.fromisoformat(written) == old
    today = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=seoul)
    assert apifields.DateTimeField().to_representation(today) == "2026-12-01T09:00:00+09:00"


def test_every_timestamp_of_a_lead_is_rfc_3339(client, org):
    lead = LeadFactory(
        owner=org.alice, created_at=datetime.datetime(1901, 5, 1, tzinfo=datetime.UTC)
    )
    client.force_login(org.alice)
    body = client.get(f"/api/v1/leads/{lead.pk}/").json()
    stamps = [
        v for v in body.values() if isinstance(v, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", v)
    ]
    assert stamps
    assert all(RFC3339.match(s) for s in stamps), stamps


def test_an_activity_dated_year_one_is_refused(client, org):
    lead = LeadFactory(owner=org.alice, stage="working")
    client.force_login(org.alice)
    response = client.post(
        f"/api/v1/leads/{lead.pk}/activities/",
        {"type": "call", "outcome": "connected", "started_at": "0001-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "started_at" in response.json()


@pytest.mark.parametrize("name", ["stage", "segment", "source", "last_touch"])
def test_an_empty_enum_filter_is_refused_as_the_enum_it_is(client, org, name):
    client.force_login(org.alice)
    response = client.get("/api/v1/leads/", {name: ""})
    assert response.status_code == 400
    assert name in response.json()
