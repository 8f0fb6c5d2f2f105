"""Form widgets for busy pages."""

from collections.abc import Iterable
from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class PlainSelect(forms.Select):
    """A <select> written in Python rather than through a template per option.

    Django renders each option of a Select through its own template; a list of 200 mediators
    then costs several milliseconds on every page view. The markup is the same: name, id,
    required and the other attributes the bound field gives, option groups, the selected value.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        options = mark_safe(self._options(self.choices, selected))  # noqa: S308 - values and labels escaped
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)

    def _options(self, choices: Iterable[Any], selected: set[str]) -> str:
        parts = []
        for key, label in choices:
            if isinstance(label, list | tuple):  # an option group
                parts.append(
                    f'<optgroup label="{escape(str(key))}">{self._options(label, selected)}</optgroup>'
                )
                continue
            value = "" if key is None else str(key)
            mark = " selected" if value in selected else ""
            parts.append(f'<option value="{escape(value)}"{mark}>{escape(str(label))}</option>')
        return "".join(parts)
