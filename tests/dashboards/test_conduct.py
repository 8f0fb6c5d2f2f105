"""Creditor conduct (issue #20): the share of cases with legality findings, findings and objections upheld,
and notices not delivered, per creditor and for the centre; a creditor sees only its own row."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from cases.legality import finding_decide, legality_screen
from cases.models import Case, Finding
from dashboards import selectors
from dashboards.selectors import Context, Filters
from mediation.models import Objection
from notices.models import Notice


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def conduct(user):
    [figure] = selectors.dashboard_figures(Context(user=user, filters=Filters()), keys=["conduct"])
    return {row[0]: row[1:] for row in figure.rows}


def notice(case, status):
    return Notice.objects.create(case=case, kind="debt_collection", channel="post", status=status)


@pytest.fixture
def conduct_world(world):
    expired = [world.case(world.bank, overdue_since=date(2020, 1, 1)) for _ in range(2)]
    fine = [world.case(world.bank, overdue_since=date(2025, 1, 1)) for _ in range(2)]
    other = world.case(world.cf, overdue_since=date(2025, 1, 1))
    world.case(world.rural, overdue_since=date(2020, 1, 1))  # another centre
    legality_screen(cases=Case.objects.all(), on=date(2026, 1, 1), centre_id=world.qz.pk)
    finding_decide(
        finding=Finding.objects.get(case=expired[0]), actor=world.judge1, upheld=True, note="时效已过"
    )
    Objection.objects.create(
        case=fine[0], debtor=fine[0].debtor, ground="amount_wrong", statement="…", status="upheld"
    )
    notice(fine[1], Notice.Status.FAILED)
    notice(fine[0], Notice.Status.DELIVERED)
    notice(other, Notice.Status.DELIVERED)
    return world


def test_the_centre_sees_each_creditor_and_its_total(conduct_world):
    w = conduct_world
    rows = conduct(w.admin)
    # cases, with findings, share, findings upheld, objections upheld, filed, notices sent, failed, share
    assert rows["示范银行"] == [4, 2, Decimal("50.0"), 1, 1, 1, 2, 1, Decimal("50.0")]
    assert rows["示范消费金融"] == [1, 0, Decimal("0.0"), 0, 0, 0, 1, 0, Decimal("0.0")]
    assert rows["All creditors"] == [5, 2, Decimal("40.0"), 1, 1, 1, 3, 1, Decimal("33.3")]


def test_a_creditor_sees_only_its_own_conduct(conduct_world):
    w = conduct_world
    assert list(conduct(w.creditor2)) == ["示范消费金融"]
    assert list(conduct(w.creditor1)) == ["示范银行"]
