import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from customers.roles import ADMINISTRATOR


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
        self.stdout.write("Staff login for http://127.0.0.1:8000/")
        self.stdout.write(f"Username: {username}")
        self.stdout.write(f"Password: {password}")
