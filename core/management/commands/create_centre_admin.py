"""The first account of a new installation: a centre, its own organisation and its administrator.

    manage.py create_centre_admin --centre quanzhou --centre-name "泉州信用修复中心" --username admin

The password is asked for twice on a terminal, or read from CENTRE_ADMIN_PASSWORD (for scripted set-up);
it must pass the password validators. Nothing else is created: no demonstration data.
"""

import getpass
import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.models import Centre, Role
from core.services import centre_create, centre_staff_organisation, staff_user_create


class Command(BaseCommand):
    help = "Create a centre (if new), its centre organisation and a centre administrator account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--centre", required=True, help="centre code, e.g. quanzhou")
        parser.add_argument("--centre-name", default="", help="centre name (needed when the centre is new)")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"The user {username!r} exists already.")
        password = self._password(user_model(username=username, email=options["email"]))
        centre = Centre.objects.filter(code=options["centre"]).first()
        if centre is None and not options["centre_name"].strip():
            raise CommandError("The centre is new: give its name with --centre-name.")
        with transaction.atomic():
            if centre is None:
                centre = centre_create(code=options["centre"], name=options["centre_name"].strip())
            user = staff_user_create(
                username=username,
                password=password,
                organisation=centre_staff_organisation(centre),
                role=Role.CENTRE_ADMIN,
            )
            if options["email"]:
                user.email = options["email"]
                user.save(update_fields=["email"])
        self.stdout.write(self.style.SUCCESS(f"Centre administrator {username} created for {centre.code}."))

    def _password(self, user: Any) -> str:
        password = os.environ.get("CENTRE_ADMIN_PASSWORD", "")
        if not password:
            if not self.stdin_is_tty():
                raise CommandError("Set CENTRE_ADMIN_PASSWORD, or run the command on a terminal.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        return password

    @staticmethod
    def stdin_is_tty() -> bool:
        import sys

        return sys.stdin.isatty()
