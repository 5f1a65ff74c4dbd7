import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crm.demo import DEFAULT_BATCH_SIZE, demo_base_seed
from customers.models import Customer, Party


class Command(BaseCommand):
    help = (
        "Add a synthetic, reproducible customer base with products, bills, interactions and "
        "lifecycle history (the same seed gives the same data)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers", type=int, default=2000, help="How many customers to add (default 2000)."
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="Random seed; the same seed gives the same data."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds customers.",
        )
        parser.add_argument(
            "--identity-keys",
            choices=["auto", "yes", "no"],
            default="auto",
            help=(
                "Build the duplicate-detection keys of the new customers (auto: below 50,000; "
                "for bulk loads run rebuild_identity_keys --workers N afterwards)."
            ),
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Customers written per transaction (default {DEFAULT_BATCH_SIZE}).",
        )

    def handle(
        self, *args, customers, seed, if_empty, batch_size, identity_keys, verbosity, **options
    ):
        if customers < 1:
            raise CommandError(f"--customers must be at least 1, not {customers}.")
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, not {batch_size}.")
        if seed < 0:
            raise CommandError(f"--seed must be zero or positive, not {seed}.")
        if if_empty:
            existing = Customer.objects.count()
            if existing:
                self.stdout.write(f"{existing} customers already exist; nothing seeded.")
                return

        last_party_before = Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started = time.monotonic()
        # The bar's monitor thread would be running when the generator process is forked.
        tqdm.monitor_interval = 0
        with tqdm(total=customers, unit=" customers", disable=verbosity < 1) as bar:
            counts = demo_base_seed(
                customers=customers,
                seed=seed,
                batch_size=batch_size,
                progress=bar.update,
                notify=bar.write,
            )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {customers} customers in {elapsed:.1f} s (seed {seed}).")
        )
        # Duplicate detection finds the new customers only once they have identity keys.
        if identity_keys == "no" or (identity_keys == "auto" and customers >= 50_000):
            self.stdout.write(
                f"Identity keys not built: run `manage.py rebuild_identity_keys --after "
                f"{last_party_before} --workers 2` for duplicate detection on these customers."
            )
            identity_keys = "no"
        if identity_keys != "no":
            started = time.monotonic()
            call_command(
                "rebuild_identity_keys",
                after=last_party_before,
                workers=2 if customers >= 50_000 else 1,
                verbosity=verbosity,
                stdout=self.stdout,
            )
            self.stdout.write(f"Identity keys built in {time.monotonic() - started:.1f} s.")
        if verbosity >= 1:
            width = max(len(label) for label in counts)
            for label, count in counts.items():
                self.stdout.write(f"  {label:<{width}}  {count:>12,}")
