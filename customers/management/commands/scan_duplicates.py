from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from customers.models import DuplicateScan
from customers.services.duplicate_scans import (
    duplicate_scan_chunk_run,
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
        pending = (
            duplicate_scan_resume(scan=scan) if resume else duplicate_scan_pending_chunks(scan=scan)
        )
        found = 0
        with tqdm(
            total=scan.chunks_total, initial=scan.chunks_total - len(pending), unit="chunk"
        ) as bar:
            for chunk_id in pending:
                found += duplicate_scan_chunk_run(chunk_id=chunk_id)
                bar.update(1)
                bar.set_postfix(pairs=found)
        scan.refresh_from_db()
        self.stdout.write(
            f"Scan {scan.pk}: {scan.get_status_display().lower()}, {scan.pairs_compared} pairs "
            f"compared, {scan.pairs_found} probable duplicates queued for review."
        )
