from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from customers.models import Partner
from customers.partners.models import ApiToken
from customers.partners.services.partners import (
    FULL_SCOPES,
    partner_create,
    partner_transition,
    token_issue,
)

ACTOR = "create_partner command"


class Command(BaseCommand):
    help = (
        "Create an approved partner with an API token and print the token, alone on the last "
        "line: TOKEN=$(manage.py create_partner 'Acme Mobile' | tail -n 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The partner organisation's name.")
        parser.add_argument(
            "--read-only", action="store_true", help="A token that can only read customers."
        )
        parser.add_argument("--rate-limit", type=int, help="Requests per minute (default 600).")
        parser.add_argument(
            "--new-token",
            action="store_true",
            help="If the partner exists and is approved, issue it another token.",
        )

    def handle(self, *args, name, read_only, rate_limit, new_token, **options):
        if rate_limit is not None and rate_limit < 1:
            raise CommandError("--rate-limit must be at least 1.")
        scopes = [ApiToken.Scope.READ] if read_only else FULL_SCOPES
        try:
            with transaction.atomic():
                partner = Partner.objects.filter(name=name.strip()).first()
                if partner is None:
                    partner = partner_create(
                        name=name, actor=ACTOR, rate_limit_per_minute=rate_limit
                    )
                    partner = partner_transition(partner=partner, action="validate", actor=ACTOR)
                    partner = partner_transition(partner=partner, action="approve", actor=ACTOR)
                elif not new_token:
                    raise CommandError(
                        f"Partner {partner.name} exists already; add --new-token for another token."
                    )
                elif not partner.may_use_api:
                    raise CommandError(
                        f"Partner {partner.name} is {partner.get_status_display().lower()}; "
                        "approve it first."
                    )
                issued = token_issue(
                    partner=partner,
                    name="created from the command line",
                    scopes=scopes,
                    actor=ACTOR,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Partner {partner.name} (id {partner.pk}) is approved.")
        self.stdout.write(f"Token scopes: {', '.join(issued.token.scopes)}. It is shown only now:")
        self.stdout.write(issued.secret)
