import multiprocessing

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from tqdm import tqdm

from customers.identity.services.identity import identity_keys_rebuild
from customers.models import Party


def _rebuild_range(bounds: tuple[int, int]) -> int:
    connections.close_all()  # a forked process must open its own connection
    after, up_to = bounds
    return identity_keys_rebuild(batch_size=10_000, after_party_id=after, up_to_party_id=up_to)


class Command(BaseCommand):
    help = (
        "Recompute the duplicate-detection keys of every customer, or of those added after "
        "--after (e.g. by a bulk load), in --workers processes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--after", type=int, default=0, metavar="PARTY_ID")
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, after, workers, verbosity, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        last = Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if last <= after:
            self.stdout.write("No parties to key.")
            return
        step = max(10_000, (last - after) // (workers * 8) + 1)
        ranges = [(start, min(start + step, last)) for start in range(after, last, step)]
        written = 0
        with tqdm(
            total=len(ranges), unit=" ranges", desc="identity keys", disable=verbosity < 1
        ) as bar:
            if workers == 1:
                for bounds in ranges:
                    written += identity_keys_rebuild(
                        batch_size=10_000, after_party_id=bounds[0], up_to_party_id=bounds[1]
                    )
                    bar.update(1)
            else:
                connections.close_all()
                with multiprocessing.get_context("fork").Pool(workers) as pool:
                    for count in pool.imap_unordered(_rebuild_range, ranges):
                        written += count
                        bar.update(1)
        self.stdout.write(f"Wrote {written} identity keys.")
