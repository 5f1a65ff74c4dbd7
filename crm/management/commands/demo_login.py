import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from customers.models import Partner
from customers.partners.services.partners import FULL_SCOPES, token_issue, token_revoke
from customers.roles import ADMINISTRATOR

DEMO_TOKEN_NAME = "demo"


class Command(BaseCommand):
    help = "Create (or reset) the demo staff login and print it."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")

    def handle(self, *args, username, **options):
        if not username.strip():
            raise CommandError("The username cannot be empty.")
        # A new random password every time: nothing guessable is left on a demo install.
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        administrators = Group.objects.filter(name=ADMINISTRATOR).first()
        if administrators:
            user.groups.add(administrators)
        self.stdout.write(f"Staff login for {settings.CRM_PUBLIC_URL}/")
        self.stdout.write(f"Username: {username}")
        self.stdout.write(f"Password: {password}")
        self._partner_token(user)

    def _partner_token(self, user) -> None:
        """A token of the first approved demo partner, so the API can be tried at once."""
        partner = Partner.objects.filter(status=Partner.Status.APPROVED).order_by("pk").first()
        if partner is None:
            return
        for token in partner.tokens.filter(name=DEMO_TOKEN_NAME, revoked_at=None):
            token_revoke(token=token, actor=user)
        issued = token_issue(partner=partner, name=DEMO_TOKEN_NAME, scopes=FULL_SCOPES, actor=user)
        self.stdout.write(
            f"Partner API ({partner.name}): "
            f"{settings.CRM_PUBLIC_URL}/tmf-api/customerManagement/v5/docs/"
        )
        self.stdout.write(f"Token: {issued.secret}")
