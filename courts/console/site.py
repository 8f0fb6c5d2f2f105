"""The court console's admin site: who gets in (judges and clerks), the index of queues, the base admin."""

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from core.actors import actor_role
from core.models import Role

from .read_models import SOON_DAYS

if TYPE_CHECKING:
    from .queues import QueueAdmin


COURT_ROLES = frozenset({Role.JUDGE, Role.CLERK})
JUDGES = frozenset({Role.JUDGE})


def is_court_staff(user: Any) -> bool:
    """An active judge or clerk: the only people the court console lets in."""
    return bool(user and user.is_authenticated and actor_role(user) in COURT_ROLES)


def is_judge(user: Any) -> bool:
    return bool(user and user.is_authenticated and actor_role(user) == Role.JUDGE)


class CourtLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_court_staff": _("Only judges and clerks of a court can sign in to the court console."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)  # active users only; no is_staff needed
        if not is_court_staff(user):
            raise ValidationError(self.error_messages["not_court_staff"], code="not_court_staff")


# --- the site ---------------------------------------------------------------------------------------


class CourtAdminSite(admin.AdminSite):
    site_header = _("Court console")
    site_title = _("Court console")
    index_title = _("Cases before the court")
    login_form = CourtLoginForm
    index_template = "court/index.html"
    # The queues' tables need the width; the queues are tabs on each list and cards on the index.
    enable_nav_sidebar = False

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self.queues: list[QueueAdmin] = []
        self.extra_urls: list[Any] = []

    # "View site" leads to the platform's pages for judges: their dashboards, cases and repair pages.
    site_url = reverse_lazy("dashboards:home")  # type: ignore[assignment]

    def has_permission(self, request: HttpRequest) -> bool:
        return is_court_staff(request.user)

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        """The platform's top bar, navigation and language switch on every console page."""
        membership = getattr(request.user, "membership", None) if request.user.is_authenticated else None
        return {
            **super().each_context(request),
            "court_console": True,
            "court_name": membership.organisation.name if membership else "",
        }

    def add_queue(self, queue_class: "type[QueueAdmin]") -> None:
        self.queues.append(queue_class(Case, self))

    def get_urls(self) -> list:
        queue_urls = [q.url_pattern() for q in self.queues]
        return [*queue_urls, *self.extra_urls, *super().get_urls()]

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        today = timezone.localdate()
        cards = []
        for queue in self.queues:
            qs = queue.get_queryset(request)
            cards.append(
                {
                    "queue": queue,
                    "url": queue.url(),
                    "count": qs.count(),
                    "overdue": qs.filter(Q(due__lt=today)).count(),
                    "soon": qs.filter(Q(due__gte=today, due__lte=today + timedelta(days=SOON_DAYS))).count(),
                }
            )
        membership = getattr(request.user, "membership", None)
        context = {
            "cards": cards,
            "court": membership.organisation if membership else None,
            "all_cases_url": reverse("court:cases_case_changelist", current_app=self.name),
            "deadlines_url": reverse("court:cases_deadline_changelist", current_app=self.name),
            **(extra_context or {}),
        }
        return super().index(request, context)


court_site = CourtAdminSite(name="court")
court_site.disable_action("delete_selected")


class CourtModelAdmin(admin.ModelAdmin):
    """Read-only for everyone: changes are transitions and court actions, taken through services."""

    actions: Any = None
    show_facets = admin.ShowFacets.NEVER

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_court_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_court_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_judge_permission(self, request: HttpRequest) -> bool:
        """Bulk decisions that are the judge's (confirming, rejecting, issuing)."""
        return is_judge(request.user)

    def has_court_permission(self, request: HttpRequest) -> bool:
        return is_court_staff(request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """Out of the court's reach is not found (404), never an empty page or a redirect."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj
