"""Platform admin (/admin/) for tenancy: centres, organisations, staff memberships, the PII access log."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import admin_calendar
from .models import ROLE_ORGANISATION_KIND, Centre, Membership, Organisation, PiiAccessLog
from .services import centre_create


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "region_code",
        "average_wage",
        "average_wage_year",
        "fast_track_ceiling",
    ]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Centre, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new centre needs its staff organisation and its working-day calendar: the service makes both.
        extra = {k: v for k, v in form.cleaned_data.items() if k not in ("code", "name", "region_code")}
        centre = centre_create(code=obj.code, name=obj.name, region_code=obj.region_code, **extra)
        obj.pk, obj.created_at, obj.updated_at = centre.pk, centre.created_at, centre.updated_at
        obj._state.adding = False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "centre", "region_code", "court_number_prefix"]
    list_filter = ["centre", "kind"]
    list_select_related = ["centre"]
    search_fields = ["name", "code", "uscc"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["organisation", "role", "region_codes"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, role = data.get("organisation"), data.get("role")
        if organisation and role and ROLE_ORGANISATION_KIND[role] != organisation.kind:
            raise forms.ValidationError(
                _("A %(role)s belongs to a %(kind)s organisation, not to %(organisation)s."),
                params={
                    "role": Membership(role=role).get_role_display(),
                    "kind": Organisation.Kind(ROLE_ORGANISATION_KIND[role]).label,
                    "organisation": organisation,
                },
                code="role_organisation_kind",
            )
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    fields = ["user", "organisation", "role", "region_codes"]
    list_display = ["user", "role", "organisation", "centre"]
    list_filter = ["role", "organisation__centre", "organisation__kind"]
    list_select_related = ["user", "organisation__centre"]
    search_fields = ["user__username", "user__first_name", "organisation__name"]
    raw_id_fields = ["user"]

    @admin.display(description=_("centre"), ordering="organisation__centre__code")
    def centre(self, membership: Membership) -> Centre:
        return membership.organisation.centre


class MembershipInline(admin.StackedInline):
    model = Membership
    form = MembershipForm
    can_delete = False
    max_num = 1
    extra = 0


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PlatformUserAdmin(UserAdmin):
    """Django's user admin with the staff member's one membership (organisation and role) inline."""

    inlines = [MembershipInline]
    list_display = [
        "username",
        "first_name",
        "membership_role",
        "membership_organisation",
        "is_active",
        "is_superuser",
    ]
    list_select_related = ["membership__organisation"]
    list_filter = ["is_active", "is_superuser", "membership__role", "membership__organisation__centre"]

    @admin.display(description=_("role"), ordering="membership__role")
    def membership_role(self, user: Any) -> str:
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else ""

    @admin.display(description=_("organisation"), ordering="membership__organisation__name")
    def membership_organisation(self, user: Any) -> str:
        membership = getattr(user, "membership", None)
        return membership.organisation.name if membership else ""


@admin.register(PiiAccessLog)
class PiiAccessLogAdmin(admin.ModelAdmin):
    """Who read a full ID or phone number: evidence, so nobody adds, edits or deletes a row (PIPL 28-29)."""

    list_display = ["at", "user", "subject", "field", "purpose"]
    list_filter = ["field"]
    list_select_related = ["user"]
    search_fields = ["subject", "purpose", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin_calendar.register(admin.site)
