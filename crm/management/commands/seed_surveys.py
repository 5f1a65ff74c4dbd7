from django.core.management.base import BaseCommand, CommandError

from crm.demo import demo_surveys_seed
from satisfaction.models import Response


class Command(BaseCommand):
    help = (
        "Add demo surveys with a year of invitations and answers for the customers who "
        "consented to surveys (run after seed_demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when answers already exist."
        )

    def handle(self, *args, seed, months, if_empty, **options):
        if not 1 <= months <= 36:
            raise CommandError("--months must be between 1 and 36.")
        if if_empty and Response.objects.exists():
            self.stdout.write("Survey answers already exist; nothing seeded.")
            return
        counts = demo_surveys_seed(seed=seed, months=months)
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()) + ".")
