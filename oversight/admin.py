"""Platform admin (/admin/) for a centre's suggestion and group-risk thresholds, its dated one-year LPR and
which creditors are not licensed financial institutions. A centre admin edits only their centre's rows."""

from typing import Any

from django.contrib import admin
from django.db.models import Field
from django.forms import ModelChoiceField
from django.http import HttpRequest

from core.models import Centre, Organisation
from notices.admin import CentreScopedAdmin

from .models import LenderStatus, LprRate, RuleSettings


class CentreSettingsAdmin(CentreScopedAdmin):
    """Rows of one centre; the centre and creditor choices offered are that centre's only."""

    def formfield_for_foreignkey(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        membership = getattr(request.user, "membership", None)
        if not request.user.is_superuser and membership is not None:
            centre_id = membership.organisation.centre_id
            if db_field.name == "centre":
                kwargs["queryset"] = Centre.objects.filter(pk=centre_id)
            elif db_field.name == "creditor":
                kwargs["queryset"] = Organisation.objects.filter(
                    centre_id=centre_id, kind=Organisation.Kind.CREDITOR
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[arg-type, return-value]


@admin.register(RuleSettings)
class RuleSettingsAdmin(CentreSettingsAdmin):
    list_display = [
        "centre",
        "min_cases",
        "undeliverable_share",
        "charges_ratio",
        "answer_days",
        "district_debtors",
    ]


@admin.register(LprRate)
class LprRateAdmin(CentreSettingsAdmin):
    list_display = ["centre", "effective_from", "one_year_rate"]
    list_filter = ["centre"]


@admin.register(LenderStatus)
class LenderStatusAdmin(CentreSettingsAdmin):
    centre_path = "creditor__centre_id"
    list_display = ["creditor", "licensed"]
    list_select_related = ["creditor"]
