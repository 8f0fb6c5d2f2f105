"""Template helpers for the staff pages: money, role labels, query strings (a case's codes: case_tags)."""

from decimal import Decimal
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.models import Role
from core.money import format_yuan

register = template.Library()


@register.filter
def yuan(value: Decimal | None) -> str:
    return "" if value is None else format_yuan(value)


@register.filter
def absolute(value: int) -> int:
    return abs(value)


@register.filter
def role_label(value: str) -> str | Promise:
    if value == "system":
        return _("Platform")
    return Role(value).label if value in Role.values else value


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination keeps the filters)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return "?" + query.urlencode()
