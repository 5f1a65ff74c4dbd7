from django.core.management.base import BaseCommand

from satisfaction.services import results_rebuild


class Command(BaseCommand):
    help = "Recount the daily survey tallies of the results page from every invitation and answer."

    def handle(self, *args, **options):
        tallies = results_rebuild()
        self.stdout.write(f"{tallies} daily tallies recounted.")
