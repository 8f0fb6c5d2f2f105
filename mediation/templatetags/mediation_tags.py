from datetime import date

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def days_until(value: date | None) -> int | str:
    """Whole days from today (China time) to a date; negative when it has passed."""
    if value is None:
        return ""
    return (value - timezone.localdate()).days
