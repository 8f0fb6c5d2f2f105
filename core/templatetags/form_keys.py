"""``{% form_key %}``: the hidden one-time key of a form that creates something (core.idempotency).

A builtin (settings TEMPLATES), so that every template can use it without a ``load``.
"""

from django import template

from core.idempotency import form_key_input

register = template.Library()


@register.simple_tag
def form_key() -> str:
    return form_key_input()
