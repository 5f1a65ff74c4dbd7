"""A large upload is streamed to disk and read in pieces: the web worker never holds the file.

Memory is measured with tracemalloc around the work itself (the request body is built before),
so the bound holds however fast the machine is."""

import tracemalloc

from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from customers.identity.models import ImportJob
from customers.identity.services.imports import import_job_create
from customers.identity.views import import_list

FILE_BYTES = 12 * 1024 * 1024
# Far below the file's size: the file is read a line, and copied a block, at a time.
MEMORY_BOUND = FILE_BYTES // 4


def large_customer_file() -> tuple[bytes, int]:
    line = b"A-%07d,Family,a@example.com\n"
    rows = FILE_BYTES // len(line % 0)
    return b"external_ref,family_name,email\n" + b"".join(line % n for n in range(rows)), rows


def peak_memory_of(work) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_a_large_upload_is_a_file_on_disk_checked_and_stored_in_bounded_memory(manager):
    raw, rows = large_customer_file()
    request = RequestFactory().post(
        reverse("identity:imports"),
        {
            "kind": "customers",
            "on_duplicate": "refuse",
            "file": SimpleUploadedFile("big.csv", raw, content_type="text/csv"),
        },
    )
    request.user = manager

    response, peak = peak_memory_of(lambda: import_list(request))

    assert response.status_code == 302
    assert isinstance(request.FILES["file"], TemporaryUploadedFile)
    job = ImportJob.objects.get()
    assert (job.rows_total, job.file.size) == (rows, len(raw))
    assert peak < MEMORY_BOUND, f"{peak} bytes held for a {len(raw)}-byte upload"


def test_a_large_file_from_the_command_line_is_checked_and_stored_in_bounded_memory(db, tmp_path):
    raw, rows = large_customer_file()
    path = tmp_path / "big.csv"
    path.write_bytes(raw)
    del raw

    with path.open("rb") as handle:
        job, peak = peak_memory_of(
            lambda: import_job_create(
                kind=ImportJob.Kind.CUSTOMERS, file=File(handle, name=path.name), actor=None
            )
        )

    assert (job.rows_total, job.file.size) == (rows, path.stat().st_size)
    assert peak < MEMORY_BOUND, f"{peak} bytes held for a {path.stat().st_size}-byte file"
