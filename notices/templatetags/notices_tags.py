"""The case page's notices section: ``{% load notices_tags %}{% case_notices case %}``."""

from typing import Any

from django import template

from ..models import Notice

register = template.Library()

# Badge colours of the staff pages (static/css/app.css) for each delivery status.
STATUS_BADGES = {
    Notice.Status.QUEUED: "intake",
    Notice.Status.RENDERED: "intake",
    Notice.Status.SENT: "mediate",
    Notice.Status.DELIVERED: "court",
    Notice.Status.OPENED: "repair",
    Notice.Status.FAILED: "hold",
}


@register.inclusion_tag("notices/_case_notices.html", takes_context=True)
def case_notices(context: template.Context, case: Any) -> dict[str, Any]:
    from ..views import case_notices_context

    request = context["request"]
    values = case_notices_context(case=case, user=request.user, next_url=request.get_full_path())
    values.update(request=request, csrf_token=context.get("csrf_token"), messages=None)
    return values


@register.filter
def notice_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "intake")  # type: ignore[call-overload]
