"""Group risk: clusters of one creditor's open cases found, listed for the centre admin, and marked red."""

from datetime import date

import pytest

from cases.events import verify_chains
from cases.models import Case
from oversight.models import GroupRiskFlag
from oversight.services import (
    group_risk_flag_apply,
    group_risk_flag_dismiss,
    group_risks_detect,
    rule_settings,
)
from tests.factories import PASSWORD, valid_id_number


@pytest.fixture
def thresholds(world):
    settings = rule_settings(world.qz)
    settings.district_debtors, settings.launch_cases = 3, 100
    settings.save()
    return settings


def in_district(world, region, n, creditor=None, **fields):
    return [world.case(creditor, id_number=valid_id_number(region=region), **fields) for _ in range(n)]


def test_many_debtors_of_one_creditor_in_one_district(world, thresholds):
    cluster = in_district(world, "350503", 3, overdue_since=date(2025, 1, 10))
    in_district(world, "350504", 2, overdue_since=date(2025, 2, 10))  # too few
    in_district(world, "350503", 2, world.cf, overdue_since=date(2025, 3, 10))  # another creditor
    [flag] = group_risks_detect(centre=world.qz)
    assert (flag.kind, flag.key, flag.creditor) == ("district", "350503", world.bank)
    assert (flag.case_count, flag.debtor_count) == (3, 3)
    assert sorted(flag.cases.values_list("pk", flat=True)) == sorted(c.pk for c in cluster)


def test_one_product_overdue_in_the_same_month(world, thresholds):
    thresholds.district_debtors, thresholds.launch_cases = 100, 3
    thresholds.save()
    launch = [world.case(product="microloan", overdue_since=date(2025, 5, d)) for d in (3, 17, 30)]
    world.case(product="microloan", overdue_since=date(2025, 6, 1))
    world.case(product="credit_card", overdue_since=date(2025, 5, 9))
    [flag] = group_risks_detect(centre=world.qz)
    assert (flag.kind, flag.key, flag.case_count) == ("product_launch", "microloan:2025-05", 3)
    assert sorted(flag.cases.values_list("pk", flat=True)) == sorted(c.pk for c in launch)


def test_closed_cases_do_not_make_a_cluster(world, thresholds):
    from cases.services import case_transition

    cases = in_district(world, "350503", 3)
    case_transition(case=cases[0], transition="withdraw", actor=world.creditor1, reason="已结清")
    assert group_risks_detect(centre=world.qz) == []  # two open cases left in the district: below 3


def test_marking_a_cluster_red_colours_its_cases_with_an_event_each(world, thresholds):
    cases = in_district(world, "350503", 3, overdue_since=date(2025, 1, 10))
    [flag] = group_risks_detect(centre=world.qz)
    assert group_risk_flag_apply(flag=flag, actor=world.admin) == 3
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("colour", flat=True)) == {"red"}
    events = [c.events.order_by("-seq").first() for c in cases]
    assert {(e.action, e.actor_role) for e in events} == {("group_risk_flagged", "centre_admin")}
    assert list(verify_chains([c.pk for c in cases])) == []
    flag.refresh_from_db()
    assert flag.status == GroupRiskFlag.Status.APPLIED
    assert group_risk_flag_apply(flag=flag, actor=world.admin) == 0  # nothing left to colour
    # Triage by the rules, and re-triage after new rules: the cluster stays red, and says why.
    from mediation.models import TriageResult
    from mediation.services import cases_retriage, cases_triage

    ids = [c.pk for c in cases]
    cases_triage(case_ids=ids, centre=world.qz)
    cases_retriage(centre=world.qz, actor=world.admin)
    assert set(Case.objects.filter(pk__in=ids).values_list("colour", flat=True)) == {"red"}
    assert TriageResult.objects.filter(case=cases[0]).latest("pk").reasons[-1]["rule"] == "group_risk"


def test_a_new_case_reopens_an_applied_cluster_and_a_dismissed_one_stays_dismissed(world, thresholds):
    from mediation.services import cases_triage

    coloured = in_district(world, "350503", 3, overdue_since=date(2025, 1, 10))
    [flag] = group_risks_detect(centre=world.qz)
    group_risk_flag_apply(flag=flag, actor=world.admin)
    [newcomer] = in_district(world, "350503", 1, overdue_since=date(2025, 2, 10))
    [again] = group_risks_detect(centre=world.qz)
    assert (again.pk, again.status, again.case_count) == (flag.pk, "open", 4)
    # Re-opened for review: the cases the centre coloured stay red; the newcomer waits for its decision.
    cases_triage(case_ids=[c.pk for c in [*coloured, newcomer]], centre=world.qz)
    colours = dict(
        Case.objects.filter(pk__in=[c.pk for c in [*coloured, newcomer]]).values_list("pk", "colour")
    )
    assert [colours[c.pk] for c in coloured] == ["red"] * 3 and colours[newcomer.pk] == "green"
    group_risk_flag_dismiss(flag=again, actor=world.admin)
    group_risks_detect(centre=world.qz)
    again.refresh_from_db()
    assert again.status == "dismissed"


def test_the_centre_admin_reviews_flags_on_the_pages(client, world, thresholds):
    in_district(world, "350503", 3, overdue_since=date(2025, 1, 10))
    assert client.login(username="centreadmin", password=PASSWORD)
    response = client.post("/dashboards/risks/", follow=True)
    page = response.content.decode()
    assert "发现 1 处集中情形" in page and "350503" in page
    flag = GroupRiskFlag.objects.get()
    assert "同一区县债务人集中" in client.get("/dashboards/").content.decode()
    detail = client.get(f"/dashboards/risks/{flag.pk}/").content.decode()
    assert detail.count('class="case-link"') == 3
    response = client.post(f"/dashboards/risks/{flag.pk}/", {"action": "apply"}, follow=True)
    assert "已将 3 件案件标为红色" in response.content.decode()


def test_other_roles_and_centres_cannot_reach_a_flag(client, world, thresholds):
    in_district(world, "350503", 3)
    [flag] = group_risks_detect(centre=world.qz)
    assert client.login(username="judge1", password=PASSWORD)
    assert client.get(f"/dashboards/risks/{flag.pk}/").status_code == 404
    assert client.post(f"/dashboards/risks/{flag.pk}/", {"action": "apply"}).status_code == 404
