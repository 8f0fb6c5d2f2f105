"""A text field stored encrypted with AES-GCM; reading the full value is done through services that log it."""

from typing import Any

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted with AES-GCM"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
