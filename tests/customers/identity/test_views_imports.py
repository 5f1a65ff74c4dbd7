import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.identity.models import ImportJob
from customers.identity.services.imports import import_job_create, import_job_run
from customers.models import ActionLog, Customer

IMPORTS = reverse("identity:imports")

CUSTOMERS = (
    "external_ref,given_name,family_name,email,mobile,status\n"
    "X-1,Zoë,Müller,Zoe@Example.com,07911 123456,active\n"
    "X-2,Yann,Young,yann@example.com,,\n"
    "X-3,Ann,Archer,not-an-email,,\n"
).encode()


def upload(content: bytes, name: str = "crm-export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def job_of(content: bytes, actor) -> ImportJob:
    return import_job_create(
        kind=ImportJob.Kind.CUSTOMERS, file=ContentFile(content, name="export.csv"), actor=actor
    )


def test_a_manager_uploads_a_file_and_is_sent_to_the_job_page_with_its_counts(
    client, manager, django_capture_on_commit_callbacks, tasks_in_process
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            IMPORTS, {"kind": "customers", "on_duplicate": "refuse", "file": upload(CUSTOMERS)}
        )
    assert len(callbacks) == 1  # the request hands the job to the workers, and does no more
    assert ImportJob.objects.get().status == "queued"
    callbacks[0]()  # the request has committed: a worker (here, in-process) imports the file
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("identity:import_detail", args=[job.pk])
    assert (job.status, job.uploaded_by, job.original_name) == ("done", manager, "crm-export.csv")
    assert (job.rows_total, job.rows_created, job.rows_failed) == (3, 2, 1)
    assert set(Customer.objects.values_list("external_ref", flat=True)) == {"X-1", "X-2"}
    assert ActionLog.objects.filter(action="customer.imported", actor=manager).count() == 2

    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert page.context["job"] == job
    assert f"Import {job.pk}: crm-export.csv" in body
    assert '<dd data-field="rows_created">2</dd>' in body
    assert '<dd data-field="rows_failed">1</dd>' in body
    assert "email: Enter a valid e-mail address." in body
    assert reverse("identity:import_errors", args=[job.pk]) in body


def test_the_upload_keeps_the_chosen_duplicate_policy(
    client, manager, django_capture_on_commit_callbacks, tasks_in_process
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            IMPORTS, {"kind": "customers", "on_duplicate": "queue", "file": upload(CUSTOMERS)}
        )
    assert ImportJob.objects.get().on_duplicate == ImportJob.OnDuplicate.QUEUE


def test_the_import_list_shows_recent_jobs(client, manager):
    job_of(CUSTOMERS, manager)
    client.force_login(manager)
    response = client.get(IMPORTS)
    assert response.status_code == 200
    assert "export.csv" in response.content.decode()
    assert response.context["page"].rows == list(ImportJob.objects.all())


def test_the_progress_endpoint_reports_status_percent_and_rows(client, manager):
    job = job_of(CUSTOMERS, manager)
    client.force_login(manager)
    url = reverse("jobs:progress", args=["import", job.pk])
    queued = client.get(url).json()
    assert queued == {
        "status": "queued",
        "status_label": "Queued",
        "percent": 0,
        "chunks_done": 0,
        "chunks_total": 1,
        "chunks_failed": 0,
        "rows_done": 0,
        "rows_total": 3,
        "rows_created": 0,
        "rows_skipped": 0,
        "rows_failed": 0,
        "duplicates_queued": 0,
    }
    ImportJob.objects.filter(pk=job.pk).update(status="running", rows_done=1)
    assert client.get(url).json()["percent"] == 33
    ImportJob.objects.filter(pk=job.pk).update(status="queued", rows_done=0)
    import_job_run(job_id=job.pk)
    done = client.get(url).json()
    assert done == {
        "status": "done",
        "status_label": "Done",
        "percent": 100,
        "chunks_done": 1,
        "chunks_total": 1,
        "chunks_failed": 0,
        "rows_done": 3,
        "rows_total": 3,
        "rows_created": 2,
        "rows_skipped": 0,
        "rows_failed": 1,
        "duplicates_queued": 0,
    }


def test_the_row_errors_download_as_a_csv_attachment(client, manager):
    job = import_job_run(job_id=job_of(CUSTOMERS, manager).pk)
    client.force_login(manager)
    response = client.get(reverse("identity:import_errors", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="import-{job.pk}-errors.csv"'
    assert response.streaming, "a large file is sent while it is read, never held in memory"
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(content))) == [
        ["external_ref", "given_name", "family_name", "email", "mobile", "status", "error"],
        ["X-3", "Ann", "Archer", "not-an-email", "", "", "email: Enter a valid e-mail address."],
    ]


def test_the_corrected_error_file_uploaded_again_imports_the_fixed_row(
    client, manager, django_capture_on_commit_callbacks, tasks_in_process
):
    job = import_job_run(job_id=job_of(CUSTOMERS, manager).pk)
    client.force_login(manager)
    response = client.get(reverse("identity:import_errors", args=[job.pk]))
    corrected = b"".join(response.streaming_content).replace(b"not-an-email", b"ann@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            IMPORTS,
            {"kind": "customers", "on_duplicate": "refuse", "file": upload(corrected, "fix.csv")},
        )

    again = ImportJob.objects.get(original_name="fix.csv")
    assert (again.status, again.rows_created, again.rows_failed) == ("done", 1, 0)
    assert Customer.objects.get(external_ref="X-3").party.family_name == "Archer"


def test_an_error_file_whose_upload_is_gone_sends_back_to_the_job_with_a_message(client, manager):
    job = import_job_run(job_id=job_of(CUSTOMERS, manager).pk)
    job.file.storage.delete(job.file.name)
    client.force_login(manager)

    response = client.get(reverse("identity:import_errors", args=[job.pk]), follow=True)

    assert response.redirect_chain == [(reverse("identity:import_detail", args=[job.pk]), 302)]
    assert "is no longer stored" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("external_ref,family_name\nA-1,Müller\n".encode("latin-1"), "not UTF-8"),
        (b"", "The submitted file is empty."),
        (b"family_name\nSmith\n", "The file has no column external_ref."),
        (b"external_ref,family_name,shoe_size\nA-1,Smith,42\n", "Unknown columns: shoe_size."),
        (b'external_ref,family_name\nA-1,"Smith\n', "The file is not valid CSV"),
    ],
    ids=["latin-1", "empty", "missing-column", "unknown-column", "malformed"],
)
def test_a_bad_file_shows_the_error_on_the_form_and_queues_nothing(
    client, manager, django_capture_on_commit_callbacks, tasks_in_process, content, message
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            IMPORTS, {"kind": "customers", "on_duplicate": "refuse", "file": upload(content)}
        )
    assert response.status_code == 200
    assert any(message in error for error in response.context["upload_form"].errors["file"])
    assert message in response.content.decode()
    assert callbacks == []
    assert not ImportJob.objects.exists()
    assert not Customer.objects.exists()


def test_an_upload_without_a_file_or_with_an_unknown_kind_is_refused(client, manager):
    client.force_login(manager)
    response = client.post(IMPORTS, {"kind": "payments", "on_duplicate": "refuse"})
    assert response.status_code == 200
    assert set(response.context["upload_form"].errors) == {"kind", "file"}
    assert not ImportJob.objects.exists()


def test_an_agent_may_not_import_or_see_imports(client, agent, manager):
    job = job_of(CUSTOMERS, manager)
    client.force_login(agent)
    assert client.get(IMPORTS).status_code == 403
    response = client.post(
        IMPORTS, {"kind": "customers", "on_duplicate": "refuse", "file": upload(CUSTOMERS)}
    )
    assert response.status_code == 403
    for name in ("import_detail", "import_errors"):
        assert client.get(reverse(f"identity:{name}", args=[job.pk])).status_code == 403
    assert client.get(reverse("jobs:progress", args=["import", job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1
    assert not Customer.objects.exists()


def test_a_risk_analyst_may_not_import(client, analyst):
    client.force_login(analyst)
    assert client.get(IMPORTS).status_code == 403
    response = client.post(
        IMPORTS, {"kind": "customers", "on_duplicate": "refuse", "file": upload(CUSTOMERS)}
    )
    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(IMPORTS)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_unknown_job_is_a_404(client, manager):
    client.force_login(manager)
    for name in ("import_detail", "import_errors"):
        assert client.get(reverse(f"identity:{name}", args=[999999])).status_code == 404
    assert client.get(reverse("jobs:progress", args=["import", 999999])).status_code == 404
