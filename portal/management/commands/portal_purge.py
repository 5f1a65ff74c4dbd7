from django.core.management.base import BaseCommand

from portal.services import sign_in_records_purge


class Command(BaseCommand):
    help = "Delete portal sign-in codes and sign-in log rows past their keeping time."

    def handle(self, *args, **options):
        codes, sign_ins = sign_in_records_purge()
        self.stdout.write(f"Deleted {codes} sign-in codes and {sign_ins} sign-in log rows.")
