"""Editing an AE's capacity and dated reductions: by the AE or a manager, nobody else."""

import datetime

import pytest
from django.urls import reverse

from handoffs.models import Capacity, CapacityReduction


def test_an_ae_sets_their_capacity_and_a_reduction(client, org):
    client.force_login(org.aaron)
    url = reverse("capacity-edit", args=[org.aaron.pk])
    client.post(url, {"form": "capacity", "normal": "8", "segment": "enterprise"})
    assert Capacity.objects.get(ae=org.aaron).normal == 8
    today = datetime.date.today()
    response = client.post(
        url,
        {
            "form": "reduction",
            "capacity": "0",
            "start_date": today.isoformat(),
            "end_date": (today - datetime.timedelta(days=1)).isoformat(),
            "reason": "Leave",
        },
    )
    assert "The end cannot be before the start." in response.content.decode()
    client.post(
        url,
        {
            "form": "reduction",
            "capacity": "0",
            "start_date": today.isoformat(),
            "end_date": "",
            "reason": "Leave",
        },
    )
    reduction = CapacityReduction.objects.get(ae=org.aaron)
    assert (reduction.capacity, reduction.end_date) == (0, None)
    board = client.get(reverse("capacity")).content.decode()
    assert "normally 8" in board
    client.post(url, {"form": "remove", "reduction": reduction.pk})
    assert not CapacityReduction.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("aaron", 200), ("ada", 404), ("mia", 200), ("alice", 404), ("stella", 404)],
)
def test_who_may_edit_an_aes_capacity(client, org, persona, status):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("capacity-edit", args=[org.aaron.pk])).status_code == status
    api = client.get(f"/api/v1/capacity/{org.aaron.pk}/")
    assert api.status_code == (200 if status == 200 else 404)


def test_capacity_api(client, org):
    client.force_login(org.mia)
    url = f"/api/v1/capacity/{org.aaron.pk}/"
    assert client.get(url).json()["normal"] == 10
    put = client.put(url, {"normal": 6, "segment": ""}, content_type="application/json")
    assert put.json()["normal"] == 6
    created = client.post(
        url + "reductions/",
        {"capacity": 5, "start_date": "2026-12-01", "reason": "Firefighting"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert client.get(url).json()["reductions"][0]["reason"] == "Firefighting"
    refused = client.post(
        url + "reductions/",
        {"capacity": 5, "start_date": "2026-12-01", "end_date": "2026-11-01", "reason": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "end_date" in refused.json()
