"""The queue's rows, written in one pass: a page of 50 cases through the template engine cost more than
every query of the page together (about 20 nodes per row, each resolved and escaped on its own)."""

from html import escape
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

ROW = (
    '<tr><td data-label="{l_select}"><input type="checkbox" name="case_ids" value="{pk}"'
    ' aria-label="{l_select} {code}"></td>'
    '<td data-label="{l_case}"><a class="case-link" href="{url}">{code}</a></td>'
    '<td data-label="{l_debtor}">{debtor_name}<br>'
    '<span class="mono muted small">{debtor_id_masked}</span></td>'
    '<td data-label="{l_creditor}">{creditor_name}</td>'
    '<td data-label="{l_total}" class="num">{amount}</td>'
    '<td data-label="{l_stage}"><span class="badge badge--{phase}">{stage_label}</span>{hold}</td>'
    '<td data-label="{l_colour}">{colour} <span class="tag">{track_label}</span></td>'
    '<td data-label="{l_days}">{days}</td>'
    '<td data-label="{l_next}">{contact_due}</td></tr>\n'
)


@register.simple_tag
def queue_rows_html(rows: list[dict[str, Any]], window_days: int) -> SafeString:
    """The queue's table rows (``rows`` from ``queue_rows``): every value escaped, labels translated and
    escaped once per page."""
    if not rows:
        return format_html('<tr><td colspan="9" class="empty">{}</td></tr>', _("No cases here."))
    labels = {
        "l_select": escape(_("Select")),
        "l_case": escape(_("Case")),
        "l_debtor": escape(_("Debtor")),
        "l_creditor": escape(_("Creditor")),
        "l_total": escape(_("Claimed total")),
        "l_stage": escape(_("Stage")),
        "l_colour": escape(_("Colour")),
        "l_days": escape(_("Days left")),
        "l_next": escape(_("Next contact")),
    }
    hold = ' <span class="badge badge--hold">{}</span>'.format(escape(_("On hold")))
    return SafeString("".join(ROW.format(**labels, **row_values(row, hold, window_days)) for row in rows))


def row_values(row: dict[str, Any], hold: str, window_days: int) -> dict[str, str]:
    """One row's values for ROW, escaped (the only place they are)."""
    colour = (
        '<span class="colour colour--{}">{}</span>'.format(escape(row["colour"]), escape(row["colour_label"]))
        if row["colour"]
        else ""
    )
    if row["days_left"] is None:
        days = "—"
    else:
        days = '<span class="{}">{}</span>'.format(escape(row["days_class"]), row["days_left"])
        if row["days_beyond"]:
            n = row["days_beyond"]
            text = ngettext(
                "(%(window_days)s + %(n)s day: working day or extension)",
                "(%(window_days)s + %(n)s days: working day or extension)",
                n,
            ) % {"window_days": window_days, "n": n}
            days += f' <span class="muted small" data-days-beyond="{n}">{escape(text)}</span>'
    return {
        "pk": str(int(row["pk"])),
        "code": escape(row["code"]),
        "url": escape(row["url"]),
        "debtor_name": escape(row["debtor_name"]),
        "debtor_id_masked": escape(row["debtor_id_masked"]),
        "creditor_name": escape(row["creditor_name"]),
        "amount": escape(row["amount"]),
        "phase": escape(row["phase"]),
        "stage_label": escape(row["stage_label"]),
        "hold": hold if row["on_hold"] else "",
        "colour": colour,
        "track_label": escape(row["track_label"]),
        "days": days,
        "contact_due": escape(row["contact_due"]),
    }
