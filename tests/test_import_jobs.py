"""Large lead imports run as a job on the worker: the threshold, the job's states, a re-run,
who reaches its page, and the page's queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from leads import importer
from leads.models import ImportJob, Lead
from leads.tasks import run_import_job
from sdr_ops.celery import app as celery_app
from sdr_ops.models import OutboxMessage

from .test_import_leads import csv_bytes, good_row


@pytest.fixture(autouse=True)
def small_threshold(settings):
    settings.LEAD_IMPORT_JOB_ROWS = 2


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def preview(client, user, data: bytes) -> str:
    client.force_login(user)
    client.post(reverse("lead-import"), {"file": SimpleUploadedFile("leads.csv", data)})
    return client.session["lead_import"]["token"]


def test_a_file_over_the_threshold_is_a_job_and_one_at_it_is_not(settings):
    assert importer.is_job(3) and not importer.is_job(2)
    settings.LEAD_IMPORT_JOB_ROWS = 5000
    assert not importer.is_job(5000) and importer.is_job(5001)


def test_a_small_import_stays_in_the_request(client, org):
    token = preview(client, org.mia, csv_bytes(good_row(1), good_row(2)))
    response = client.post(reverse("lead-import"), {"confirm": "1", "token": token})
    assert response.url == reverse("lead-list")
    assert Lead.objects.count() == 2 and not ImportJob.objects.exists()


def test_a_large_import_is_queued_with_its_task_in_the_same_transaction(client, org):
    token = preview(client, org.mia, csv_bytes(good_row(1), good_row(2), good_row(3)))
    response = client.post(reverse("lead-import"), {"confirm": "1", "token": token})
    job = ImportJob.objects.get()
    assert response.url == reverse("lead-import-job", args=[job.pk])
    assert (job.state, job.rows_total, job.created_by, job.team) == (
        "queued",
        3,
        org.mia,
        org.mia.current_team,
    )
    message = OutboxMessage.objects.get(task="leads.run_import_job")
    assert message.kwargs == {"job_id": job.pk}
    assert not Lead.objects.exists()
    html = client.get(response.url).content.decode()
    assert "<progress" in html and 'hx-trigger="every 2s"' in html and "Refresh" in html


def test_the_task_runs_the_job_through_the_worker_path_and_the_page_shows_the_result(
    client, org, eager_tasks, django_capture_on_commit_callbacks
):
    token = preview(client, org.mia, csv_bytes(good_row(1), good_row(2), good_row(3)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lead-import"), {"confirm": "1", "token": token})
    job = ImportJob.objects.get()
    assert (job.state, job.created, job.rows_done) == ("done", 3, 3)
    assert Lead.objects.count() == 3
    assert OutboxMessage.objects.get().sent_at is not None
    html = client.get(response.url).content.decode()
    assert "3 leads imported, 0 duplicates left out." in html
    assert 'hx-trigger="every 2s"' not in html  # finished: the polling stops


def test_a_job_done_is_not_done_twice(org):
    data = csv_bytes(good_row(1), good_row(2), good_row(3))
    job = importer.queue_import(data, filename="leads.csv", rows=3, by=org.mia)
    assert run_import_job(job_id=job.pk) == "done"
    assert run_import_job(job_id=job.pk) == "done"
    assert Lead.objects.count() == 3
    job.refresh_from_db()
    assert job.created == 3 and job.duplicates == []  # the second run changed nothing


def test_a_job_left_running_by_a_dead_worker_runs_again(org):
    data = csv_bytes(good_row(1), good_row(2), good_row(3))
    job = importer.queue_import(data, filename="leads.csv", rows=3, by=org.mia)
    ImportJob.objects.filter(pk=job.pk).update(state="running")
    assert run_import_job(job_id=job.pk) == "done"
    assert Lead.objects.count() == 3


def test_a_job_gone_is_nothing_to_run(org):
    assert run_import_job(job_id=999999) is None


def test_a_file_with_errors_fails_with_every_error_and_writes_nothing(client, org):
    data = csv_bytes(good_row(1), good_row(2, segment="huge"), good_row(3, segment="tiny"))
    job = importer.queue_import(data, filename="leads.csv", rows=3, by=org.mia)
    assert run_import_job(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert [e.split(": ")[0] for e in job.errors] == ["leads.csv:3", "leads.csv:4"]
    assert not Lead.objects.exists()
    client.force_login(org.mia)
    html = client.get(reverse("lead-import-job", args=[job.pk])).content.decode()
    assert "Nothing was imported" in html and "leads.csv:4: segment" in html


def test_duplicates_found_at_run_time_are_listed(client, org):
    data = csv_bytes(good_row(1), good_row(2), good_row(3))
    importer.check_and_import(
        csv_bytes(good_row(1)), filename="leads.csv", by=org.mia, zone=org.mia.local_zone
    )
    job = importer.queue_import(data, filename="leads.csv", rows=3, by=org.mia)
    run_import_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.created == 2 and len(job.duplicates) == 1
    client.force_login(org.mia)
    html = client.get(reverse("lead-import-job", args=[job.pk])).content.decode()
    assert "2 leads imported, 1 duplicates left out." in html and "already in SDR Ops" in html


def test_an_unexpected_error_fails_the_job_and_the_page_says_so(client, org, monkeypatch):
    job = importer.queue_import(csv_bytes(good_row(1)), filename="leads.csv", rows=3, by=org.mia)

    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(importer, "check_and_import", broken)
    with pytest.raises(RuntimeError):
        run_import_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and not Lead.objects.exists()
    client.force_login(org.mia)
    html = client.get(reverse("lead-import-job", args=[job.pk])).content.decode()
    assert "unexpected error" in html


@pytest.mark.parametrize("persona", ["otto", "alice", "aaron", "stella"])
def test_only_its_creator_and_admins_reach_a_job(client, org, persona):
    job = importer.queue_import(csv_bytes(good_row(1)), filename="leads.csv", rows=3, by=org.mia)
    url = reverse("lead-import-job", args=[job.pk])
    client.force_login(getattr(org, persona))
    assert client.get(url).status_code == 404
    client.force_login(org.mia)
    assert client.get(url).status_code == 200
    client.force_login(org.root)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("pk", ["0", "999999", "9" * 18])
def test_a_bad_job_id_answers_404(client, org, pk):
    client.force_login(org.mia)
    assert client.get(f"/leads/import/jobs/{pk}/").status_code == 404
    assert client.get(f"/leads/import/jobs/{'9' * 30}/").status_code == 404
    assert client.get("/leads/import/jobs/abc/").status_code == 404


def test_the_job_page_and_its_fragment_take_a_constant_number_of_queries(
    client, org, django_assert_max_num_queries
):
    rows = [good_row(n, segment="huge") for n in range(1, 150)]
    job = importer.queue_import(csv_bytes(*rows), filename="leads.csv", rows=149, by=org.mia)
    run_import_job(job_id=job.pk)
    client.force_login(org.mia)
    url = reverse("lead-import-job", args=[job.pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200


def test_the_worker_writes_the_errors_in_the_language_of_the_page_that_queued_the_job(org):
    from django.utils import translation

    data = csv_bytes(good_row(1), good_row(2, owner="nobody@example.com"), good_row(3))
    with translation.override("ko"):
        job = importer.queue_import(data, filename="leads.csv", rows=3, by=org.mia)
    assert run_import_job(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.language == "ko"
    with translation.override("ko"):
        korean = _("no SDR with this e-mail on your team")
    assert korean != "no SDR with this e-mail on your team" and korean in job.errors[0]
