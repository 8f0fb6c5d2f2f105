"""Forms of the oversight pages: a suggestion's text, a creditor's answer."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SuggestionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(
        label=_("Text of the letter"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Paragraphs are separated by an empty line. The findings table is attached below the text."
        ),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 8}), max_length=5000
    )
    attachment = forms.FileField(label=_("Attachment (PDF, JPEG or PNG, up to 10 MB)"), required=False)
