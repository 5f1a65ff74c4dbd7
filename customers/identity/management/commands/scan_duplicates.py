from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crm.jobs.kinds import job_kind
from crm.jobs.services import job_run_here
from customers.identity.models import DuplicateScan
from customers.identity.services.duplicate_scans import (
    KIND,
    duplicate_scan_pending_chunks,
    duplicate_scan_resume,
    duplicate_scan_start,
)


class Command(BaseCommand):
    help = (
        "Scan the whole customer base for probable duplicates and fill the review queue. "
        "Runs here, chunk by chunk, with a progress bar; --resume continues an interrupted scan."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument("--resume", type=int, metavar="SCAN_ID")

    def handle(self, *args, chunk_size, resume, **options):
        if chunk_size < 100:
            raise CommandError("--chunk-size must be at least 100.")
        if resume:
            scan = DuplicateScan.objects.filter(pk=resume).first()
            if scan is None:
                raise CommandError(f"There is no duplicate scan {resume}.")
        else:
            try:
                scan = duplicate_scan_start(chunk_size=chunk_size)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
        try:
            pending = (
                duplicate_scan_resume(scan=scan)
                if resume
                else duplicate_scan_pending_chunks(scan=scan)
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with tqdm(
            total=scan.chunks_total, initial=scan.chunks_total - len(pending), unit="chunk"
        ) as bar:

            def progress(current):
                bar.update(current.chunks_done - bar.n)
                bar.set_postfix(pairs=current.pairs_found)

            job_run_here(job_kind(KIND), run=scan, on_chunk=progress)
        scan.refresh_from_db()
        self.stdout.write(
            f"Scan {scan.pk}: {scan.get_status_display().lower()}, {scan.pairs_compared} pairs "
            f"compared, {scan.pairs_found} probable duplicates queued for review."
        )
