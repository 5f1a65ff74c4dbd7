"""Encrypt every stored secret and sensitive field again under the first key of
CRM_SECRETS_KEY, after a new key was put first; then the old key can be removed."""

from django.core.management.base import BaseCommand, CommandError

from crm.sealed import SecretUnreadable, encrypted_values_rotate


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        def progress(label: str, rows: int) -> None:
            self.stdout.write(f"{label}: {rows} rows encrypted again")

        try:
            done = encrypted_values_rotate(progress=progress)
        except SecretUnreadable as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Done: {sum(done.values())} rows under the first key.")
        )
