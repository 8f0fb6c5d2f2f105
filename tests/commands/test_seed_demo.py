"""seed_demo: every stage populated through the services, logins that work, deterministic, idempotent."""

import random
from collections import Counter
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from cases.events import verify_chains
from cases.models import Case, CaseEvent, Debtor, Hold, Stage
from core.identifiers import normalize_id_number, normalize_phone
from core.management.commands import seed_demo
from core.models import Centre, Organisation


def plans() -> list[seed_demo.CasePlan]:
    rng = random.Random(seed_demo.SEED)
    return seed_demo.plan_centre(rng, seed_demo.QUANZHOU, seed_demo.QUANZHOU_STAGES) + seed_demo.plan_centre(
        rng, seed_demo.LONGYAN, seed_demo.LONGYAN_STAGES
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


def test_seed_fills_every_stage_through_the_services_and_runs_once(db):
    out = StringIO()
    call_command("seed_demo", stdout=out)

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
    summary = out.getvalue()
    assert "enforcement_suspended" in summary and "creditor3" in summary

    # tenants and logins
    assert set(Centre.objects.values_list("code", "region_code")) == {
        ("quanzhou", "350500"),
        ("longyan", "350800"),
    }
    courts = dict(
        Organisation.objects.filter(kind="court").values_list("centre__code", "court_number_prefix")
    )
    assert courts == {"quanzhou": "闽0502", "longyan": "闽0802"}
    users = get_user_model().objects.select_related("membership__organisation")
    for username, (org, role) in LOGINS.items():
        user = users.get(username=username)
        assert user.check_password("demo-pass-2026")
        assert (user.membership.organisation.code, user.membership.role) == (org, role)
        assert user.first_name

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

    # holds of every kind, one lifted; some debtors owe both quanzhou creditors
    active = Hold.objects.filter(lifted_at__isnull=True)
    assert set(active.values_list("kind", flat=True)) == set(Hold.Kind)
    assert Hold.objects.filter(lifted_at__isnull=False).exists()
    assert Case.objects.filter(on_hold=True).count() == active.values("case").distinct().count()
    both = Debtor.objects.annotate(creditors=Count("cases__creditor", distinct=True)).filter(creditors=2)
    assert both.count() >= 5

    # a second run finds the demo data and changes nothing
    before = (Case.objects.count(), CaseEvent.objects.count(), get_user_model().objects.count())
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert again.getvalue() == "demo data already present\n"
    assert (Case.objects.count(), CaseEvent.objects.count(), get_user_model().objects.count()) == before


LOGINS = {
    "creditor1": ("demo-bank", "creditor_staff"),
    "creditor2": ("demo-consumer-finance", "creditor_staff"),
    "creditor3": ("demo-rural-bank", "creditor_staff"),
    "mediator1": ("qz-committee", "mediator"),
    "mediator2": ("ly-committee", "mediator"),
    "judge1": ("qz-court", "judge"),
    "clerk1": ("qz-court", "clerk"),
    "judge2": ("ly-court", "judge"),
    "centreadmin": ("quanzhou-centre", "centre_admin"),
}
