"""Platform admin (/admin/) for notices: a centre's templates as versioned records with a preview, letterheads
and seals, the notices themselves (read-only) and print batches. A centre admin (with staff access) sees and
edits only their centre's records; a saved template is a new version, older versions stay as they were.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.actors import actor_role, staff_actor
from core.models import Centre, Organisation, Role

from . import documents, services
from .forms import LetterheadForm
from .models import Kind, Letterhead, Notice, NoticeTemplate, PostBatch


def _centre_id(request: HttpRequest) -> int | None:
    """The centre a centre admin works for; None for a superuser (all centres)."""
    if request.user.is_superuser:
        return None
    membership = getattr(request.user, "membership", None)
    return membership.organisation.centre_id if membership else -1


def _may_use(request: HttpRequest) -> bool:
    return bool(
        request.user.is_active
        and (request.user.is_superuser or actor_role(request.user) == Role.CENTRE_ADMIN)
    )


class CentreScopedAdmin(admin.ModelAdmin):
    """Superusers see everything; a centre admin sees rows of their centre (``centre_path``)."""

    centre_path = "centre_id"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        centre_id = _centre_id(request)
        return qs if centre_id is None else qs.filter(**{self.centre_path: centre_id})

    def get_list_filter(self, request: HttpRequest) -> Any:
        # Why: the centre filter would list every centre's name to a centre admin.
        filters = super().get_list_filter(request)
        return filters if request.user.is_superuser else [f for f in filters if f != "centre"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_use(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_use(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_use(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_use(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoticeTemplateForm(forms.ModelForm):
    class Meta:
        model = NoticeTemplate
        fields = ["centre", "kind", "body", "css", "note"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 30, "cols": 110, "style": "font-family: monospace"}),
            "css": forms.Textarea(attrs={"rows": 8, "cols": 110, "style": "font-family: monospace"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and data.get("body"):
            try:
                services.notice_template_check(
                    kind=data["kind"], body=data["body"], css=data.get("css") or ""
                )
            except services.NoticeError as exc:
                raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(CentreScopedAdmin):
    form = NoticeTemplateForm
    list_display = [
        "kind",
        "version",
        "centre",
        "is_active",
        "note",
        "created_by",
        "created_at",
        "preview_link",
    ]
    list_filter = ["centre", "kind", "is_active"]
    list_select_related = ["centre", "created_by"]
    actions = ["make_active", "back_to_default"]
    change_list_template = "notices/admin/noticetemplate_change_list.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A version that may have been used for notices never changes: save a new one instead.
        return ["centre", "kind", "version", "body", "css", "note", "is_active", "created_by"] if obj else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        centre_id = _centre_id(request)
        if db_field.name == "centre" and centre_id is not None:
            kwargs["queryset"] = Centre.objects.filter(pk=centre_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """Start a new version from the active one (or the shipped default) of the kind asked for."""
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        kind = request.GET.get("kind") or Kind.DEBT_COLLECTION
        centre_id = _centre_id(request) or request.GET.get("centre")
        if kind in Kind.values:
            active = (
                services.notice_template_active(centre_id=int(centre_id), kind=kind) if centre_id else None
            )
            initial.update(
                kind=kind,
                body=active.body if active else documents.default_body(kind),
                css=active.css if active else "",
            )
            if centre_id:
                initial["centre"] = centre_id
        return initial

    def save_model(self, request: HttpRequest, obj: NoticeTemplate, form: Any, change: bool) -> None:
        if change:
            return
        saved = services.notice_template_publish(
            centre=obj.centre,
            kind=obj.kind,
            body=obj.body,
            css=obj.css,
            note=obj.note,
            actor=staff_actor(request.user),
        )
        obj.pk, obj.version, obj.is_active, obj.created_at = saved.pk, saved.version, True, saved.created_at
        obj._state.adding = False

    @admin.display(description=_("preview"))
    def preview_link(self, obj: NoticeTemplate) -> str:
        url = reverse("admin:notices_noticetemplate_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("PDF"))

    def get_urls(self) -> list[Any]:
        own = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="notices_noticetemplate_preview",
            ),
            path(
                "default/<str:kind>/preview/",
                self.admin_site.admin_view(self.default_preview_view),
                name="notices_noticetemplate_default_preview",
            ),
        ]
        return own + super().get_urls()

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = get_object_or_404(self.get_queryset(request), pk=pk)
        data = services.notice_template_preview(
            centre=template.centre, kind=template.kind, body=template.body, css=template.css
        )
        return HttpResponse(data, content_type="application/pdf")

    def default_preview_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in Kind.values or not _may_use(request):
            return HttpResponse(status=404)
        centre_id = _centre_id(request)
        centre = (Centre.objects.filter(pk=centre_id).first() if centre_id else None) or Centre(name="—")
        return HttpResponse(
            services.notice_template_preview(centre=centre, kind=kind), content_type="application/pdf"
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        defaults = [
            {
                "kind": label,
                "url": reverse("admin:notices_noticetemplate_default_preview", args=[kind]),
                "new": reverse("admin:notices_noticetemplate_add") + f"?kind={kind}",
            }
            for kind, label in Kind.choices
        ]
        return super().changelist_view(request, {**(extra_context or {}), "notice_defaults": defaults})

    @admin.action(description=_("Make the selected version the active one"))
    def make_active(self, request: HttpRequest, queryset: QuerySet[NoticeTemplate]) -> None:
        for template in queryset:
            services.notice_template_activate(template=template)
        messages.success(
            request,
            ngettext("%d version is active.", "%d versions are active.", queryset.count()) % queryset.count(),
        )

    @admin.action(description=_("Go back to the shipped default for these kinds"))
    def back_to_default(self, request: HttpRequest, queryset: QuerySet[NoticeTemplate]) -> None:
        for centre_id, kind in set(queryset.values_list("centre_id", "kind")):
            services.notice_template_deactivate(centre_id=centre_id, kind=kind)
        messages.success(request, _("The shipped default templates are in use for these kinds."))


@admin.register(Letterhead)
class LetterheadAdmin(CentreScopedAdmin):
    form = LetterheadForm
    centre_path = "organisation__centre_id"
    list_display = ["name_line", "organisation", "address_line", "has_seal"]
    list_select_related = ["organisation"]
    search_fields = ["name_line", "organisation__name"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        centre_id = _centre_id(request)
        if db_field.name == "organisation" and centre_id is not None:
            kwargs["queryset"] = Organisation.objects.filter(centre_id=centre_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("seal"), boolean=True)
    def has_seal(self, obj: Letterhead) -> bool:
        return bool(obj.seal)


@admin.register(Notice)
class NoticeAdmin(CentreScopedAdmin):
    """The record of service: read-only; a postal return receipt is entered with the action."""

    centre_path = "case__centre_id"
    list_display = [
        "case",
        "kind",
        "template_version",
        "channel",
        "status",
        "sent_at",
        "delivered_at",
        "opened_at",
    ]
    list_filter = ["status", "channel", "kind"]
    list_select_related = ["case"]
    search_fields = ["case__code"]
    actions = ["mark_delivered"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Record delivery (return receipt received)"))
    def mark_delivered(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        done = 0
        for notice in queryset:
            try:
                services.notice_mark_delivered(notice=notice, actor=staff_actor(request.user))
                done += 1
            except services.NoticeError as exc:
                messages.error(request, f"{notice}: {exc.message}")
        messages.success(
            request,
            ngettext("%d notice recorded as delivered.", "%d notices recorded as delivered.", done) % done,
        )


@admin.register(PostBatch)
class PostBatchAdmin(CentreScopedAdmin):
    list_display = ["pk", "centre", "count", "status", "created_at", "mailed_at", "pdf_link"]
    list_filter = ["status", "centre"]
    actions = ["mark_mailed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("merged PDF"))
    def pdf_link(self, obj: PostBatch) -> str:
        return (
            format_html('<a href="{}">PDF</a>', reverse("notices:post_pdf", args=[obj.pk]))
            if obj.pdf
            else "—"
        )

    @admin.action(description=_("Record as mailed"))
    def mark_mailed(self, request: HttpRequest, queryset: QuerySet[PostBatch]) -> None:
        for batch in queryset:
            services.post_batch_mark_mailed(batch=batch, actor=staff_actor(request.user))
        messages.success(request, _("Recorded as mailed."))
