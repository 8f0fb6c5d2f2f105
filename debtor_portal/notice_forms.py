"""Forms of the notice-link pages: parse and validate only; notices' services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _


class IdNumberForm(forms.Form):
    id_number = forms.CharField(
        label=_("Your resident ID number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters"}
        ),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the text message"),
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        error_messages={"invalid": _("Enter the 6 digits of the code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
