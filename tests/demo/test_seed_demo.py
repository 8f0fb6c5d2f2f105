"""seed_demo: every stage populated through the services of every app, with the records each case's history
leaves (triage, contacts, settlements, court numbers, orders, suits, enforcements, payments, repair,
notices); logins that work; deterministic, idempotent, and an event log that verifies."""

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Sum
from django.utils import timezone

from cases.events import verify_chains
from cases.models import Case, CaseEvent, Colour, Debtor, Hold, Stage
from core.identifiers import normalize_id_number, normalize_phone
from core.models import Centre, Organisation
from courts.models import (
    ConfirmationDecision,
    Enforcement,
    EnforcementMeasure,
    PaymentOrder,
    PaymentOrderObjection,
    RefusalGround,
    Suit,
)
from credit_repair.models import Breach, Payment, RepairRecord
from credit_repair.selectors import case_ledger
from dashboards.selectors import Context as DashboardContext
from dashboards.selectors import Filters, dashboard_figures
from dashboards.services import facts_refresh
from demo import scenarios
from mediation.models import ContactAttempt, MediationSession, Settlement, TriageResult
from notices.channels import sms
from notices.models import Notice


def plans() -> list[scenarios.CasePlan]:
    rng = random.Random(scenarios.SEED)
    return scenarios.plan_centre(rng, scenarios.QUANZHOU, scenarios.QUANZHOU_STAGES) + scenarios.plan_centre(
        rng, scenarios.LONGYAN, scenarios.LONGYAN_STAGES
    )


def test_plan_is_deterministic_and_realistic():
    first, second = plans(), plans()

    assert [(p.target, p.steps, p.values) for p in first] == [(p.target, p.steps, p.values) for p in second]
    for plan in first:
        values = plan.values
        assert normalize_id_number(values["id_number"]) == values["id_number"]
        assert values["id_number"][:4] in ("3505", "3508")
        assert 1960 <= int(values["id_number"][6:10]) <= 2000
        assert normalize_phone(values["phone"]) == values["phone"]
        assert 2000 <= values["principal"] <= 80000
        assert 2024 <= values["overdue_since"].year <= 2025
        assert 2 <= len(values["debtor_name"]) <= 3
    # every way into a stage is taken in both centres where the centre has enough cases for it
    paths = scenarios._paths()
    for centre, stages in (("quanzhou", scenarios.QUANZHOU_STAGES), ("longyan", scenarios.LONGYAN_STAGES)):
        taken = {(p.target, tuple(p.steps)) for p in first if p.centre == centre}
        for stage, variants in paths.items():
            for steps in variants[: stages[stage]]:
                assert (stage, tuple(steps)) in taken, (centre, stage, steps)


@pytest.fixture
def seeded(db, settings, tmp_path, django_capture_on_commit_callbacks):
    """A fresh seed whose after-commit work (notifications, court documents, notices) runs as it would."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    sms.outbox.clear()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=out)
    yield out.getvalue()
    sms.outbox.clear()


def cases(*stages: str):
    return Case.objects.filter(stage__in=stages)


def test_seed_fills_every_stage_through_the_services_and_runs_once(seeded):
    """One seed (some 20 s), checked for its stages and logins, then for each case's records."""
    check_stages_tenants_and_logins(seeded)
    check_records_of_each_cases_history()
    check_history_spread_over_the_past_year()

    # a second run finds the demo data and changes nothing
    before = (Case.objects.count(), CaseEvent.objects.count(), get_user_model().objects.count())
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert again.getvalue() == "demo data already present\n"
    assert (Case.objects.count(), CaseEvent.objects.count(), get_user_model().objects.count()) == before


def check_history_spread_over_the_past_year() -> None:
    """Receipts, events and payments spread over a year, so that the time charts of every role have data."""
    now = timezone.now()
    received = list(Case.objects.values_list("created_at", flat=True))
    assert min(received) >= now - timedelta(days=366) and max(received) <= now
    assert len({f"{at:%Y-%m}" for at in received}) >= 10
    assert Case.objects.filter(batch__isnull=True).count() == 0
    assert Payment.objects.values("paid_on").distinct().count() >= 20
    assert list(verify_chains()) == []

    for centre in Centre.objects.all():
        facts_refresh(centre_id=centre.pk)
    for username in ("centreadmin", "creditor1", "creditor3", "judge1"):
        user = get_user_model().objects.get(username=username)
        figures = {f.key: f for f in dashboard_figures(DashboardContext(user=user, filters=Filters()))}
        durations = figures["durations"].chart["series"][0]["data"]
        assert sum(1 for days in durations if days and days > 1) >= 2, (username, durations)
        if "closure" in figures:
            closure = figures["closure"].rows
            assert len(closure) >= 3 and all(row[3] is not None for row in closure[-3:]), username
            assert any(row[5] for row in closure), username
    creditor = get_user_model().objects.get(username="creditor1")
    ctx = DashboardContext(user=creditor, filters=Filters())
    assert len(dashboard_figures(ctx, keys=["resolution"])[0].rows) >= 8  # one per month received


def check_stages_tenants_and_logins(seeded: str) -> None:
    # every stage, in both centres, each centre's own creditors
    counts = Counter(Case.objects.values_list("centre__code", "stage"))
    for stage in Stage:
        assert counts[("quanzhou", stage)] >= 3, stage
        assert counts[("longyan", stage)] >= 3, stage
    assert Case.objects.filter(centre__code="quanzhou").count() == 240
    assert Case.objects.filter(centre__code="longyan").count() == 60
    assert set(Case.objects.filter(centre__code="quanzhou").values_list("creditor__code", flat=True)) == {
        "demo-bank",
        "demo-consumer-finance",
    }
    assert "enforcement_suspended" in seeded and "creditor3" in seeded and "courtmediator2" in seeded

    # tenants and logins
    assert set(Centre.objects.values_list("code", "region_code")) == {
        ("quanzhou", "350500"),
        ("longyan", "350800"),
    }
    courts = dict(
        Organisation.objects.filter(kind="court").values_list("centre__code", "court_number_prefix")
    )
    assert courts == {"quanzhou": "闽0502", "longyan": "闽0802"}
    invited = Organisation.objects.filter(kind="committee", invited_by_court__isnull=False)
    assert set(invited.values_list("code", "invited_by_court__code")) == {
        ("qz-court-committee", "qz-court"),
        ("ly-court-committee", "ly-court"),
    }
    users = get_user_model().objects.select_related("membership__organisation")
    for username, (org, role) in LOGINS.items():
        user = users.get(username=username)
        assert user.check_password("demo-pass-2026")
        assert (user.membership.organisation.code, user.membership.role) == (org, role)
        assert user.first_name
        assert username in seeded

    # moved by the people whose job it is, with reasons where the machine asks for one
    roles = Counter(CaseEvent.objects.values_list("action", "actor_role"))
    assert roles[("triage", "system")] > 0
    assert {role for (action, role) in roles if action == "settle"} == {"mediator"}
    assert {role for (action, role) in roles if action == "confirm"} == {"judge"}
    assert {role for (action, role) in roles if action == "apply_payment_order"} == {"creditor_staff"}
    assert not CaseEvent.objects.filter(
        reason="", action__in=["withdraw", "close_invalid", "escalate_to_court"]
    )
    assert list(verify_chains()) == []
    verified = StringIO()
    call_command("verify_events", stdout=verified)
    assert verified.getvalue().startswith(f"OK: {CaseEvent.objects.count()} events in 300 cases verified")

    # holds of every kind, one lifted; some debtors owe both quanzhou creditors
    active = Hold.objects.filter(lifted_at__isnull=True)
    assert set(active.values_list("kind", flat=True)) == set(Hold.Kind)
    assert Hold.objects.filter(lifted_at__isnull=False).exists()
    assert Case.objects.filter(on_hold=True).count() == active.values("case").distinct().count()
    both = Debtor.objects.annotate(creditors=Count("cases__creditor", distinct=True)).filter(creditors=2)
    assert both.count() >= 5


def check_records_of_each_cases_history() -> None:
    now = timezone.now()

    # triage by the centre's rules: a result with reasons for every triaged case, colour and track from it
    assert not cases(Stage.RECEIVED).filter(triage_results__isnull=False).exists()
    for case in cases(Stage.TRIAGED, Stage.IN_MEDIATION).prefetch_related("triage_results"):
        (result,) = case.triage_results.all()
        assert result.reasons and (result.colour, result.track) == (case.colour, case.track)
    assert TriageResult.objects.filter(colour=Colour.RED).exists()  # the debtor with four debts

    # people's mediation by the committee's mediator, court mediation by the court's invited mediator
    for case in cases(Stage.TRIAGED, Stage.IN_MEDIATION).select_related("committee"):
        assert case.mediator_id and case.committee.invited_by_court_id is None
    for case in cases(Stage.COURT_MEDIATION).select_related("committee", "mediator"):
        assert case.committee.invited_by_court_id == case.court_id
        assert case.mediator.username in ("courtmediator1", "courtmediator2")

    # contacts in the past in daytime, with mixed outcomes; sessions booked ahead
    assert not cases(Stage.IN_MEDIATION).filter(contact_attempts__isnull=True).exists()
    attempts = list(ContactAttempt.objects.all())
    assert all(8 <= timezone.localtime(a.at).hour < 22 and a.at < now for a in attempts)
    assert len({a.outcome for a in attempts}) >= 5 and all(a.notes for a in attempts)
    sessions = MediationSession.objects.all()
    assert sessions.count() >= 10 and not sessions.filter(scheduled_at__lt=now).exists()

    # every settled case and those after it have an effective, signed settlement whose plan adds up
    settled = [Stage.SETTLED, Stage.CONFIRMATION_REQUESTED, Stage.CONFIRMED, Stage.PERFORMING]
    for case in cases(*settled):
        settlement = case.settlements.get(status=Settlement.Status.EFFECTIVE)
        assert settlement.debtor_accepted_at and settlement.mediator_signed_at
        assert settlement.effective_on == case.settlement_effective_on
        assert settlement.instalments.aggregate(s=Sum("amount"))["s"] == settlement.total

    # court numbers: 民特 for confirmation, 民督 for accepted orders, 民初 for suits, 执 for enforcement
    for case in cases(Stage.CONFIRMATION_REQUESTED, Stage.CONFIRMED):
        assert "民特" in case.filings.get(filing_type="民特").number
    assert not cases(Stage.CONFIRMED).exclude(confirmation_decisions__confirmed=True).exists()
    refused = ConfirmationDecision.objects.filter(confirmed=False)
    assert refused.count() >= 3 and set(refused.values_list("ground", flat=True)) <= set(RefusalGround.values)
    open_orders = [PaymentOrder.Status.APPLIED, PaymentOrder.Status.ACCEPTED, PaymentOrder.Status.ISSUED]
    for case in cases(Stage.PAYMENT_ORDER):
        order = case.payment_orders.get()
        assert order.status in [*open_orders, PaymentOrder.Status.SERVED]
        assert order.status == PaymentOrder.Status.APPLIED or "民督" in order.filing.number
    assert PaymentOrder.objects.filter(status=PaymentOrder.Status.REJECTED, case__stage=Stage.COURT_MEDIATION)
    assert PaymentOrderObjection.objects.filter(valid=True, order__case__stage=Stage.IN_LITIGATION).exists()
    assert PaymentOrderObjection.objects.filter(valid=True, order__case__stage=Stage.WITHDRAWN).exists()
    for case in cases(Stage.IN_LITIGATION):
        suit = case.suits.get()
        assert "民初" in suit.filing.number and suit.hearing_at and suit.judgment_on is None
    for case in cases(Stage.ENFORCEABLE):
        effective = case.payment_orders.filter(status=PaymentOrder.Status.EFFECTIVE).exists()
        assert effective or case.suits.filter(judgment_amount__gt=0).exists()
    for case in cases(Stage.IN_ENFORCEMENT, Stage.ENFORCEMENT_SUSPENDED):
        enforcement = case.enforcements.select_related("filing").get()
        assert "执" in enforcement.filing.number
        assert enforcement.measures.filter(kind=EnforcementMeasure.Kind.ASSET_SEARCH).exists()
    for enforcement in Enforcement.objects.filter(case__stage=Stage.ENFORCEMENT_SUSPENDED):
        assert enforcement.suspended_on and enforcement.applied_on < timezone.localdate() - timedelta(days=90)
    assert Enforcement.objects.filter(dishonest_listed_on__isnull=False).exists()
    assert Breach.objects.filter(case__stage=Stage.IN_ENFORCEMENT).exists()
    assert Suit.objects.filter(judgment_amount__isnull=False).count() >= 10

    # payments: part of the debt on performing cases, all of it once performed; repair and certificates
    for case in cases(Stage.PERFORMING):
        assert case.payments.exists() and case_ledger(case=case).balance > 0
    repaired = Case.objects.filter(stage=Stage.CLOSED, closed_reason="repaired")
    assert repaired.count() >= 8
    for case in [*cases(Stage.PERFORMED, Stage.CREDIT_REPAIR), *repaired]:
        assert case.payments.exists() and case_ledger(case=case).balance == Decimal("0.00"), case.stage
    assert not cases(Stage.CREDIT_REPAIR).exclude(repair__status=RepairRecord.Status.OPEN).exists()
    for record in RepairRecord.objects.filter(case__in=repaired).select_related("certificate"):
        assert record.status == RepairRecord.Status.DONE and record.certificate.sha256
    assert Payment.objects.count() >= 60

    # a handful of letters besides the court documents and certificates: the delivery report has rows
    letters = Notice.objects.filter(kind__in=["mediation_notice", "litigation_risk"])
    assert 3 <= letters.count() <= 12 and not letters.filter(sha256="").exists()
    assert Notice.objects.filter(kind="confirmation_ruling").exists()
    assert Notice.objects.filter(kind="payment_order").exists()
    assert Notice.objects.filter(status__in=["sent", "delivered"]).exists()


LOGINS = {
    "creditor1": ("demo-bank", "creditor_staff"),
    "creditor2": ("demo-consumer-finance", "creditor_staff"),
    "creditor3": ("demo-rural-bank", "creditor_staff"),
    "mediator1": ("qz-committee", "mediator"),
    "mediator2": ("ly-committee", "mediator"),
    "courtmediator1": ("qz-court-committee", "mediator"),
    "courtmediator2": ("ly-court-committee", "mediator"),
    "judge1": ("qz-court", "judge"),
    "clerk1": ("qz-court", "clerk"),
    "judge2": ("ly-court", "judge"),
    "centreadmin": ("quanzhou-centre", "centre_admin"),
}
