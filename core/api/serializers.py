from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import Role


class MeSerializer(serializers.Serializer):
    """The caller: role and organisation come from the membership (null for a user without one)."""

    username = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(
        choices=Role.choices, source="membership.role", read_only=True, allow_null=True
    )
    role_display = serializers.CharField(
        source="membership.get_role_display", read_only=True, allow_null=True
    )
    organisation_code = serializers.CharField(
        source="membership.organisation.code", read_only=True, allow_null=True
    )
    organisation_name = serializers.CharField(
        source="membership.organisation.name", read_only=True, allow_null=True
    )
    centre_code = serializers.CharField(source="membership.organisation.centre.code", read_only=True,
                                        allow_null=True)  # fmt: skip


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text=_("Send as the header 'Authorization: Token <token>'")
    )
    expires_at = serializers.DateTimeField(
        read_only=True, help_text=_("After this time the token stops working: obtain a new one.")
    )
