from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from risk.models import ScoreKind
from risk.services import NotEnoughHistory, holds_its_own, model_train


class Command(BaseCommand):
    help = (
        "Train a new version of a value or risk model on the CRM's own history. It becomes the "
        "active one when it ranks held-out customers at least as well as the active version on "
        "the same customers, and is kept as a candidate otherwise. Features are taken as of "
        "--as-of (by default the horizon's length ago) and outcomes from the --horizon-days "
        "after it."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ScoreKind.values)
        parser.add_argument("--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD")
        parser.add_argument("--horizon-days", type=int)

    def handle(self, *args, kind, as_of, horizon_days, **options):
        if horizon_days is not None and horizon_days < 30:
            raise CommandError("--horizon-days must be at least 30.")
        try:
            model = model_train(
                kind, as_of=as_of, horizon_days=horizon_days, trained_by_label="train_model command"
            )
        except (NotEnoughHistory, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        figures = ", ".join(f"{name} {value}" for name, value in model.metrics.items())
        self.stdout.write(f"Trained {model} on {model.training_rows} customers: {figures}.")
        if model.is_active:
            self.stdout.write(f"{model} is now the active version.")
        elif holds_its_own(model.metrics):
            self.stdout.write(
                f"{model} is kept as a candidate: another version was made active while it trained."
            )
        else:
            reason = model.metrics.get("decision", {}).get("reason", "")
            self.stdout.write(
                f"{model} is kept as a candidate: {reason}. Promote it on the risk page or in "
                "admin if you trust it more."
            )
