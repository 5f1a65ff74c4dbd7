from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Prepare the embedded demo in one process: migrate, seed demo customers and surveys "
        "when the database has none, score them once, and print a staff login."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=2000)

    def handle(self, *args, customers, verbosity, **options):
        if customers < 0:
            raise CommandError("--customers cannot be negative.")
        # One process for every step: each start of manage.py loads Django and every app again.
        streams = {"stdout": self.stdout, "stderr": self.stderr, "verbosity": verbosity}
        call_command("migrate", interactive=False, **streams)
        call_command("seed_demo", customers=customers, if_empty=True, **streams)
        call_command("seed_surveys", if_empty=True, **streams)
        call_command("score_customers", if_never_run=True, **streams)
        call_command("demo_login", **streams)
