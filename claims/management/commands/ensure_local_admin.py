import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make sure a local superuser exists. Its password comes from DJANGO_SUPERUSER_PASSWORD, "
        "or is generated and printed once, when the account is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--email", default="admin@localhost")

    def handle(self, *args, username, email, **options):
        User = get_user_model()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        user = User.objects.filter(username=username).first()
        if user is not None:
            if password:
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(f"Local admin '{username}' exists; password set from "
                                  "DJANGO_SUPERUSER_PASSWORD.")
            else:
                self.stdout.write(f"Local admin '{username}' exists; password unchanged.")
            return
        generated = not password
        password = password or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        if generated:
            self.stdout.write(self.style.SUCCESS(
                f"Created local admin '{username}' with password: {password}\n"
                "(shown once; set DJANGO_SUPERUSER_PASSWORD to choose it)"))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Created local admin '{username}' with the password from "
                "DJANGO_SUPERUSER_PASSWORD."))
