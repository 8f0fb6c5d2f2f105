"""Platform admin (/admin/) for the spending reference figures each centre configures (affordability)."""

from django.contrib import admin

from .models import ReferenceFigure


@admin.register(ReferenceFigure)
class ReferenceFigureAdmin(admin.ModelAdmin):
    list_display = ["centre", "region_prefix", "category", "per_person_monthly", "valid_from", "source"]
    list_filter = ["centre", "category"]
    search_fields = ["region_prefix", "source"]
