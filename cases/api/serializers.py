"""Case representations for the API: masked identifiers only, amounts as strings with 2 decimals."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases import selectors
from cases.models import Case, CaseEvent, ClaimHistory, Colour, Deadline, Hold, Stage, Track
from cases.services import TRANSITIONS


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=15, decimal_places=2, coerce_to_string=True, read_only=True, **kwargs
    )


class CaseFilterSerializer(serializers.Serializer):
    """Query parameters of the case list; the values go to cases.selectors.case_list unchanged."""

    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    colour = serializers.ChoiceField(choices=Colour.choices, required=False)
    track = serializers.ChoiceField(choices=Track.choices, required=False)
    batch = serializers.IntegerField(min_value=1, required=False, help_text=_("Batch number"))
    creditor = serializers.SlugField(required=False, help_text=_("Creditor code"))
    min_amount = serializers.DecimalField(
        max_digits=15,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Smallest claimed total (yuan)"),
    )
    max_amount = serializers.DecimalField(
        max_digits=15,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Largest claimed total (yuan)"),
    )
    q = serializers.CharField(
        max_length=64, required=False, help_text=_("Case code, contract number or debtor name (exact)")
    )


class CaseListSerializer(serializers.ModelSerializer):
    creditor = serializers.CharField(source="creditor.code", read_only=True)
    # Blank until the case is triaged.
    colour = serializers.ChoiceField(choices=Colour.choices, allow_blank=True, read_only=True)
    track = serializers.ChoiceField(choices=Track.choices, allow_blank=True, read_only=True)
    debtor_name = serializers.CharField(source="debtor.name", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    claimed_total = _amount()

    class Meta:
        model = Case
        fields = [
            "code", "external_ref", "creditor", "debtor_name", "stage", "stage_display", "colour", "track",
            "claimed_total", "on_hold", "overdue_since", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class DeadlineSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    days_left = serializers.IntegerField(read_only=True, help_text=_("Calendar days until the due date"))
    paused = serializers.SerializerMethodField(help_text=_("A hold pauses this deadline"))

    class Meta:
        model = Deadline
        fields = ["kind", "kind_display", "starts_on", "due_on", "days_left", "calendar_warning", "paused"]
        read_only_fields = fields

    def get_paused(self, obj: Deadline) -> bool:
        return obj.paused_since is not None


class HoldSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Hold
        fields = ["kind", "kind_display", "reason", "started_at"]
        read_only_fields = fields


class CaseEventSerializer(serializers.ModelSerializer):
    # Plain strings: events also record non-transition actions, and 'system' as a role.
    from_stage = serializers.CharField(read_only=True)
    to_stage = serializers.CharField(read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    actor_role = serializers.CharField(read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "seq",
            "action",
            "from_stage",
            "to_stage",
            "actor",
            "actor_role",
            "reason",
            "created_at",
            "hash",
        ]
        read_only_fields = fields


class ClaimHistorySerializer(serializers.ModelSerializer):
    """The optional history columns of the batch file (BATCH_FORMAT.md; the legality screen reads them)."""

    class Meta:
        model = ClaimHistory
        fields = [
            "last_demand_on", "acknowledged_on", "last_payment_on", "original_creditor", "assigned_on",
            "assignment_ref",
        ]  # fmt: skip
        read_only_fields = fields


class CaseDetailSerializer(serializers.ModelSerializer):
    creditor = serializers.CharField(source="creditor.code", read_only=True)
    creditor_name = serializers.CharField(source="creditor.name", read_only=True)
    colour = serializers.ChoiceField(choices=Colour.choices, allow_blank=True, read_only=True)
    track = serializers.ChoiceField(choices=Track.choices, allow_blank=True, read_only=True)
    debtor_name = serializers.CharField(source="debtor.name", read_only=True)
    id_number_masked = serializers.CharField(source="debtor.id_number_masked", read_only=True)
    product_display = serializers.CharField(source="get_product_display", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    principal = _amount()
    interest = _amount()
    fees = _amount()
    claimed_total = _amount()
    committee = serializers.CharField(source="committee.code", read_only=True, allow_null=True)
    court = serializers.CharField(source="court.code", read_only=True, allow_null=True)
    mediator = serializers.CharField(source="mediator.username", read_only=True, allow_null=True)
    open_deadlines = serializers.SerializerMethodField()
    active_holds = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    claim_history = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "code", "external_ref", "creditor", "creditor_name", "batch", "debtor_name", "id_number_masked",
            "phone_masked", "product", "product_display", "principal", "interest", "fees", "claimed_total",
            "overdue_since", "contract_date", "stage", "stage_display", "stage_entered_at", "colour", "track",
            "on_hold", "committee", "court", "mediator", "created_at",
            "open_deadlines", "active_holds", "events", "claim_history",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_open_deadlines(self, obj: Case) -> Any:
        return DeadlineSerializer(selectors.case_open_deadlines(case=obj), many=True).data

    @extend_schema_field(HoldSerializer(many=True))
    def get_active_holds(self, obj: Case) -> Any:
        return HoldSerializer(selectors.case_active_holds(case=obj), many=True).data

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, obj: Case) -> Any:
        return CaseEventSerializer(selectors.case_events(case=obj), many=True).data

    @extend_schema_field(ClaimHistorySerializer(allow_null=True))
    def get_claim_history(self, obj: Case) -> Any:
        history = ClaimHistory.objects.filter(case_id=obj.pk).first()
        return ClaimHistorySerializer(history).data if history else None


class AvailableTransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # DRF pops declared fields off the class
    needs_reason = serializers.BooleanField()
    target = serializers.CharField(help_text=_("Stage the case moves to"))


class TransitionRequestSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class TransitionResultSerializer(serializers.Serializer):
    stage = serializers.CharField()
    stage_display = serializers.CharField()
    event = CaseEventSerializer()


class ActionErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable reason, e.g. wrong_stage, on_hold, forbidden"))
    detail = serializers.CharField()
