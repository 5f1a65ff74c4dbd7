from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from customers.identity.models import ImportJob
from customers.identity.services.import_errors import import_errors_csv
from customers.identity.services.imports import import_job_create, import_job_run


class Command(BaseCommand):
    help = (
        "Import a CSV file of customers, subscriptions or invoices, with a progress bar. "
        "Rows already imported (same external reference) are skipped, so a file can be re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ImportJob.Kind.values)
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--on-duplicate", choices=ImportJob.OnDuplicate.values, default="refuse"
        )
        parser.add_argument(
            "--errors",
            type=Path,
            help="Write the failed rows, with why each failed, to this CSV file.",
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, kind, path, on_duplicate, errors, batch_size, **options):
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            with path.open("rb") as handle:
                job = import_job_create(
                    kind=kind,
                    file=File(handle, name=path.name),
                    actor=None,
                    on_duplicate=on_duplicate,
                    batch_size=batch_size,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with tqdm(total=job.rows_total, unit="row") as bar:

            def progress(current):
                bar.update(current.rows_done - bar.n)
                bar.set_postfix(created=current.rows_created, failed=current.rows_failed)

            job = import_job_run(job_id=job.pk, progress=progress)
        self.stdout.write(
            f"Import {job.pk}: {job.rows_created} created, {job.rows_skipped} already imported, "
            f"{job.rows_failed} failed, {job.duplicates_queued} possible duplicates queued."
        )
        if errors and job.rows_failed:
            with errors.open("w", encoding="utf-8", newline="") as out:
                out.writelines(import_errors_csv(job=job))
            self.stdout.write(f"Row errors written to {errors}.")
        if job.rows_failed:
            raise CommandError(f"{job.rows_failed} row(s) were not imported.")
