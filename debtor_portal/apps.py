from django.apps import AppConfig


class DebtorPortalConfig(AppConfig):
    """Everything a debtor sees (and the staff pages that answer debtors); the domain services stay in
    their own apps."""

    name = "debtor_portal"
    label = "debtor_portal"
