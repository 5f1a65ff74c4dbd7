from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse


class Command(BaseCommand):
    help = (
        "Prepare the embedded demo in one process: migrate, seed demo customers and surveys "
        "when the database has none, score them once, count the home page's figures, and print "
        "a staff login."
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
        # The home page's figures are counted nightly; the demo counts them once at start.
        call_command("recount_home_tallies", **streams)
        call_command("demo_login", **streams)
        self.stdout.write(self._second_factor_note())

    @staticmethod
    def _second_factor_note() -> str:
        enrol = settings.CRM_PUBLIC_URL + reverse("second_factor_enrol")
        if settings.CRM_REQUIRE_SECOND_FACTOR:
            return f"Second factor: required for this login; set it up after the password ({enrol})"
        return (
            "Second factor: optional in this demo (CRM_REQUIRE_SECOND_FACTOR is off; production "
            f"requires it of managers and administrators); to try it: {enrol}"
        )
