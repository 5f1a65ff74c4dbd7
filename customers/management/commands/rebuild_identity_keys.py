from django.core.management.base import BaseCommand
from tqdm import tqdm

from customers.services.identity import identity_keys_rebuild


class Command(BaseCommand):
    help = "Recompute the duplicate-detection keys of every customer (after a bulk load)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size, **options):
        with tqdm(unit="party") as bar:

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            written = identity_keys_rebuild(batch_size=batch_size, progress=progress)
        self.stdout.write(f"{written} identity keys written.")
