"""Admin for the per-centre working-day calendar (CalendarYear, CalendarDay).

Call ``register(site)`` from core/admin.py.  Both changelists warn about the coming years (this year to
this year + 2) for which a centre has no official holiday data.  Adding, changing or deleting a day here
makes a confirmed year the centre's own data, so that a later package seed leaves the edit alone; it never
confirms a year (only importing the complete official schedule does).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.models import CalendarDay, CalendarYear, Centre
from core.workdays import mark_years_edited

UPCOMING_YEARS = 3  # this year and the next two


def calendar_warnings(centres: Iterable[Centre] | None = None, today=None) -> list[str]:
    """One message per centre lacking holiday data for a coming year."""
    this_year = (today or timezone.localdate()).year
    upcoming = list(range(this_year, this_year + UPCOMING_YEARS))
    centres = list(Centre.objects.all() if centres is None else centres)
    if not centres:
        return []
    known: set[tuple[int, int]] = set(
        CalendarYear.objects.filter(centre__in=centres, year__in=upcoming).values_list("centre_id", "year")
    )
    warnings = []
    for centre in centres:
        missing = [year for year in upcoming if (centre.pk, year) not in known]
        if not missing:
            continue
        warnings.append(
            ngettext(
                "No official holiday data for %(years)s (centre %(centre)s): deadlines in that year count "
                "weekends and statutory holidays only, and wait for a person before any consequence. Import "
                "the complete schedule once the State Council publishes it.",
                "No official holiday data for %(years)s (centre %(centre)s): deadlines in those years count "
                "weekends and statutory holidays only, and wait for a person before any consequence. Import "
                "the complete schedule once the State Council publishes it.",
                len(missing),
            )
            % {"years": ", ".join(map(str, missing)), "centre": centre}
        )
    return warnings


# A ModelAdmin itself, not a bare mixin, so that super().changelist_view is known to exist.
class CalendarWarningMixin(admin.ModelAdmin):
    centre_lookup = "centre__id__exact"

    def changelist_view(self, request, extra_context=None):
        centres = None
        centre_id = request.GET.get(self.centre_lookup)
        if centre_id and centre_id.isdigit():
            centres = Centre.objects.filter(pk=int(centre_id))
        for text in calendar_warnings(centres):
            messages.warning(request, text)
        return super().changelist_view(request, extra_context=extra_context)


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("day", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(day__year=int(value))
        return queryset


class CalendarYearAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ["centre", "year", "source", "updated_at"]
    list_filter = ["centre", "source"]
    list_select_related = ["centre"]
    ordering = ["centre__code", "-year"]


class CalendarDayAdmin(CalendarWarningMixin, admin.ModelAdmin):
    list_display = ["day", "weekday", "kind", "name", "centre"]
    list_filter = ["centre", "kind", YearListFilter]
    list_select_related = ["centre"]
    search_fields = ["name"]
    date_hierarchy = "day"
    ordering = ["centre__code", "-day"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.day.weekday()]

    def save_model(self, request, obj, form, change):
        years = {obj.day.year}
        if change and form is not None and "day" in form.changed_data and form.initial.get("day"):
            years.add(form.initial["day"].year)
        super().save_model(request, obj, form, change)
        mark_years_edited(obj.centre_id, years)

    def delete_model(self, request, obj):
        centre_id, year = obj.centre_id, obj.day.year
        super().delete_model(request, obj)
        mark_years_edited(centre_id, [year])

    def delete_queryset(self, request, queryset):
        touched = {(centre_id, day.year) for centre_id, day in queryset.values_list("centre_id", "day")}
        super().delete_queryset(request, queryset)
        for centre_id, year in sorted(touched):
            mark_years_edited(centre_id, [year])


def register(site: admin.AdminSite) -> None:
    site.register(CalendarYear, CalendarYearAdmin)
    site.register(CalendarDay, CalendarDayAdmin)
