from django.core.management.base import BaseCommand

from home.tallies import business_tallies_recount


class Command(BaseCommand):
    help = (
        "Recount the tallies behind the home page's business figures now (the nightly job "
        "does it at 05:15). Safe to run twice."
    )

    def handle(self, *args, **options):
        recount = business_tallies_recount()
        self.stdout.write(f"Home page figures counted as of {recount.counted_on}.")
