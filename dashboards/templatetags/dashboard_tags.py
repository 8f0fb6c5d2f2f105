"""Formatting the cells of the dashboard tables by their column's kind."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import template

from core.money import format_yuan

register = template.Library()


@register.filter
def cell(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "—"
    if kind == "yuan":
        return format_yuan(Decimal(value))
    if kind == "percent":
        return f"{value}%"
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    if kind == "date" and isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


@register.filter
def with_kinds(row: list[Any], columns: list[Any]) -> list[tuple[Any, str]]:
    return [(value, column.kind) for value, column in zip(row, columns, strict=False)]
