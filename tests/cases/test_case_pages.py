"""The staff case pages: lists, queue, detail, transitions and revealing a full number, per role."""

from datetime import date
from decimal import Decimal

import pytest

from cases import services
from cases.models import Case, CaseEvent, Deadline, Hold, Stage
from core.models import PiiAccessLog


def triaged(world, **fields) -> Case:
    case = world.case(**fields)
    services.case_transition(case=case, transition="triage", actor=None, colour="green", track="fast")
    case.refresh_from_db()
    return case


def in_mediation(world, **fields) -> Case:
    case = triaged(world, **fields)
    services.case_transition(case=case, transition="start_mediation", actor=None)
    case.refresh_from_db()
    return case


def test_case_list_shows_masked_numbers_and_amounts_in_chinese(world, login):
    case = world.case()
    page = login("creditor1").get("/cases/").content.decode()
    assert "案件" in page
    assert case.code in page
    assert case.external_ref in page
    assert case.debtor.id_number_masked in page
    assert case.debtor.id_number not in page
    assert "¥10,600.00" in page
    assert "已接收" in page


def test_creditor_lists_only_its_own_cases(world, login):
    own = world.case()
    other = world.case(creditor=world.cf)
    page = login("creditor1").get("/cases/").content.decode()
    assert own.code in page
    assert other.code not in page


def test_case_list_filters_by_stage_and_search(world, login):
    first, second = world.case(), triaged(world)
    client = login("creditor1")
    page = client.get("/cases/", {"stage": "triaged"}).content.decode()
    assert second.code in page and first.code not in page
    page = client.get("/cases/", {"q": first.external_ref}).content.decode()
    assert first.code in page and second.code not in page
    page = client.get("/cases/", {"min_amount": "20000"}).content.decode()
    assert first.code not in page and second.code not in page


def test_a_mistyped_amount_shows_an_error_and_drops_only_that_filter(world, login):
    case = world.case()
    page = login("creditor1").get("/cases/", {"min_amount": "abc"}).content.decode()
    assert "field__error" in page
    assert case.code in page


def test_stage_counts_are_shown_above_the_list(world, login):
    world.case(), world.case(), triaged(world)
    page = login("creditor1").get("/cases/").content.decode()
    assert "已接收 <strong>2</strong>" in page
    assert "已分流 <strong>1</strong>" in page


def test_case_list_is_paginated_by_fifty(world, login):
    for _ in range(51):
        world.case(routed=False)
    client = login("creditor1")
    first = client.get("/cases/")
    assert len(first.context["page"].object_list) == 50
    assert "第 1 / 2 页" in first.content.decode()
    assert len(client.get("/cases/", {"page": 2}).context["page"].object_list) == 1


def test_mediator_queue_lists_own_and_pool_cases_nearest_deadline_first(world, login):
    later = in_mediation(world)
    sooner = in_mediation(world)
    services.deadline_open(case=sooner, kind=Deadline.Kind.PAYMENT_ORDER_ACCEPTANCE, start=date(2026, 1, 5))
    pool = world.case()
    Case.objects.filter(pk=pool.pk).update(mediator=None)
    foreign = world.case(creditor=world.rural)
    response = login("mediator1").get("/cases/queue/")
    codes = [c.code for c in response.context["page"].object_list]
    assert codes.index(sooner.code) < codes.index(later.code)
    assert pool.code in codes
    assert foreign.code not in codes


def test_detail_shows_facts_deadlines_and_history(world, login):
    case = in_mediation(world, product="credit_card")
    page = login("mediator1").get(f"/cases/{case.pk}/").content.decode()
    assert "人民调解中" in page
    assert "¥10,000.00" in page and "¥500.00" in page and "¥100.00" in page
    assert case.debtor.id_number_masked in page and case.phone_masked in page
    assert case.debtor.id_number not in page
    assert "调解期限" in page
    assert "开始调解" in page  # the history names the transition taken
    assert f'href="/mediation/case/{case.pk}/"' in page and f'href="/notices/case/{case.pk}/"' in page


def test_detail_warns_when_a_deadline_was_counted_without_holiday_data(world, login):
    case = in_mediation(world)
    deadline = services.deadline_open(case=case, kind=Deadline.Kind.PAYMENT_ORDER_ACCEPTANCE,
                                      start=date(2026, 12, 30))  # fmt: skip
    assert deadline.calendar_warning
    page = login("mediator1").get(f"/cases/{case.pk}/").content.decode()
    assert "节假日数据缺失：仅按周末计算" in page


@pytest.mark.parametrize(("username", "creditor"), [("creditor2", "bank"), ("judge2", "bank"),
                                                    ("creditor1", "rural")])  # fmt: skip
def test_case_out_of_reach_is_404_on_detail_transition_and_reveal(world, login, username, creditor):
    case = world.case(creditor=getattr(world, creditor))
    client = login(username)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert (
        client.post(f"/cases/{case.pk}/transition/", {"name": "withdraw", "reason": "x"}).status_code == 404
    )
    assert client.post(f"/cases/{case.pk}/reveal/", {"field": "phone", "purpose": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.stage == Stage.RECEIVED
    assert not PiiAccessLog.objects.exists()


def test_mediator_sees_buttons_only_for_the_actions_it_may_take(world, login):
    case = triaged(world)
    client = login("mediator1")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'value="start_mediation"' in page
    for name in ("withdraw", "triage", "close_invalid", "record_full_performance", "escalate_to_court"):
        assert f'value="{name}"' not in page
    services.case_transition(case=case, transition="start_mediation", actor=None)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'value="escalate_to_court"' in page
    # A settlement is signed on the mediation page, not by a bare button.
    assert 'value="settle"' not in page and f'href="/mediation/case/{case.pk}/"' in page
    assert 'id="reason-escalate_to_court" name="reason" type="text" required' in page


def test_creditor_sees_withdraw_with_a_required_reason(world, login):
    case = world.case()
    page = login("creditor1").get(f"/cases/{case.pk}/").content.decode()
    assert 'value="withdraw"' in page
    assert 'id="reason-withdraw" name="reason" type="text" required' in page


def test_posting_a_transition_moves_the_case_and_writes_an_event(world, login):
    case = triaged(world)
    client = login("mediator1")
    response = client.post(f"/cases/{case.pk}/transition/", {"name": "start_mediation"}, follow=True)
    case.refresh_from_db()
    assert case.stage == Stage.IN_MEDIATION
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (event.action, event.actor, event.actor_role) == ("start_mediation", world.mediator1, "mediator")
    assert "已完成：开始调解" in response.content.decode()


def test_a_refused_transition_shows_the_error_and_changes_nothing(world, login):
    case = triaged(world)
    services.hold_place(case=case, kind=Hold.Kind.OBJECTION, actor=world.admin, reason="异议")
    events_before = CaseEvent.objects.filter(case=case).count()
    client = login("mediator1")
    response = client.post(f"/cases/{case.pk}/transition/", {"name": "start_mediation"}, follow=True)
    page = response.content.decode()
    assert "案件处于暂停状态" in page
    assert "异议审查中" in page  # the active hold is listed
    case.refresh_from_db()
    assert case.stage == Stage.TRIAGED
    assert CaseEvent.objects.filter(case=case).count() == events_before


def test_a_transition_that_needs_a_reason_is_refused_without_one(world, login):
    case = world.case()
    response = login("creditor1").post(f"/cases/{case.pk}/transition/", {"name": "withdraw"}, follow=True)
    assert "请说明" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.RECEIVED


def test_a_forbidden_transition_is_refused(world, login):
    case = triaged(world)
    response = login("creditor1").post(
        f"/cases/{case.pk}/transition/", {"name": "start_mediation"}, follow=True
    )
    assert "您的角色无权" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.TRIAGED


def test_reveal_shows_the_full_id_number_once_and_logs_it(world, login):
    case = world.case()
    client = login("mediator1")
    response = client.post(
        f"/cases/{case.pk}/reveal/",
        {"field": "id_number", "purpose": "other", "purpose_other": "调解前核实身份"},
    )
    assert response.status_code == 200
    assert case.debtor.id_number in response.content.decode()
    log = PiiAccessLog.objects.get()
    assert (log.user, log.field, log.purpose) == (world.mediator1, "id_number", "调解前核实身份")
    assert case.debtor.id_number not in client.get(f"/cases/{case.pk}/").content.decode()


def test_reveal_of_the_phone_number(world, login):
    case = world.case()
    response = login("centreadmin").post(
        f"/cases/{case.pk}/reveal/", {"field": "phone", "purpose": "call_debtor"}
    )
    assert Case.objects.get(pk=case.pk).phone in response.content.decode()
    log = PiiAccessLog.objects.get()
    assert (log.field, log.purpose) == ("phone", "联系债务人")


@pytest.mark.parametrize(
    "data",
    [
        {"purpose": "x"},  # not a listed purpose
        {"purpose": "other", "purpose_other": "x"},
        {"purpose": "other", "purpose_other": "核实身份号"},  # 5 characters: not yet a sentence
        {"purpose": "other", "purpose_other": ""},
    ],
)
def test_reveal_refuses_a_purpose_that_says_nothing(world, login, data):
    case = world.case()
    response = login("mediator1").post(f"/cases/{case.pk}/reveal/", {"field": "id_number", **data})
    assert response.status_code == 400
    assert case.debtor.id_number not in response.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_reveal_accepts_a_written_purpose_of_six_characters(world, login):
    case = world.case()
    data = {"field": "id_number", "purpose": "other", "purpose_other": "核实身份号码"}
    assert login("mediator1").post(f"/cases/{case.pk}/reveal/", data).status_code == 200
    assert PiiAccessLog.objects.get().purpose == "核实身份号码"


def test_reveal_needs_a_purpose(world, login):
    case = world.case()
    response = login("mediator1").post(f"/cases/{case.pk}/reveal/", {"field": "id_number", "purpose": ""})
    assert response.status_code == 400
    assert case.debtor.id_number not in response.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_creditor_staff_may_not_reveal(world, login):
    case = world.case()
    client = login("creditor1")
    assert "查看完整号码" not in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.post(f"/cases/{case.pk}/reveal/", {"field": "id_number", "purpose": "核实"})
    assert response.status_code == 403
    assert case.debtor.id_number not in response.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_centre_overview_counts_cases_per_stage_and_colour(world, login):
    triaged(world), triaged(world, principal=Decimal("900.00")), world.case(creditor=world.cf)
    world.case(creditor=world.rural)  # another centre: not counted
    response = login("centreadmin").get("/centre/")
    page = response.content.decode()
    assert response.context["table"]["total"] == 3
    assert '<a href="/cases/?stage=triaged&amp;colour=green">2</a>' in page
    assert "示范消费金融" in page and "示范农商银行" not in page


def test_english_switch(world, login):
    world.case()
    client = login("creditor1")
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    assert response.status_code == 302
    page = client.get("/cases/").content.decode()
    assert "Our cases" in page and "Contract number" in page
    assert "Received" in page and "Log out" in page
    assert "案件编号" not in page and "已接收" not in page


def test_creditor_list_offers_export_and_withdraw_with_the_current_filters(world, login):
    world.case()
    page = login("creditor1").get("/cases/?stage=received").content.decode()
    assert 'href="/portal/batches/cases/export.xlsx?stage=received"' in page
    assert 'href="/portal/batches/cases/withdraw/?stage=received"' in page


def _codes(response) -> list[str]:
    return [c.code for c in response.context["page"].object_list]


def test_case_list_sorts_by_a_column_both_ways_and_keeps_the_filters(world, login):
    small = world.case(principal=Decimal("2000.00"))
    large = world.case(principal=Decimal("50000.00"))
    middle = world.case(principal=Decimal("9000.00"))
    client = login("creditor1")
    ascending = client.get("/cases/", {"sort": "claimed_total", "stage": "received"})
    assert _codes(ascending) == [small.code, middle.code, large.code]
    page = ascending.content.decode()
    # the head of the sorted column now offers the other way, with the filters kept and back to page 1
    assert 'aria-sort="ascending"' in page
    assert 'href="?sort=-claimed_total&amp;stage=received&amp;page=1"' in page
    assert 'name="sort" value="claimed_total"' in page  # the filter form keeps the order
    descending = client.get("/cases/", {"sort": "-claimed_total"})
    assert _codes(descending) == [large.code, middle.code, small.code]
    assert 'aria-sort="descending"' in descending.content.decode()


def test_an_unknown_sort_is_ignored(world, login):
    world.case(), world.case()
    response = login("creditor1").get("/cases/", {"sort": "debtor__id_number"})
    assert response.status_code == 200 and len(_codes(response)) == 2
    assert 'aria-sort="ascending"' not in response.content.decode()


def test_sorting_on_equal_values_pages_through_every_case_once(world, login):
    cases = [world.case(routed=False) for _ in range(53)]  # all the same amount: the id decides
    client = login("creditor1")
    first = _codes(client.get("/cases/", {"sort": "claimed_total"}))
    second = _codes(client.get("/cases/", {"sort": "claimed_total", "page": 2}))
    assert len(first) == 50 and len(second) == 3
    assert first + second == [c.code for c in sorted(cases, key=lambda c: c.pk)]


def test_stage_sorts_in_funnel_order_not_alphabetically(world, login):
    received, mediating, triaged_case = world.case(), in_mediation(world), triaged(world)
    codes = _codes(login("centreadmin").get("/cases/", {"sort": "stage"}))
    assert codes == [received.code, triaged_case.code, mediating.code]


def test_the_creditor_column_shows_only_to_those_who_see_several_creditors(world, login):
    world.case(), world.case(creditor=world.cf)
    own = login("creditor1").get("/cases/").content.decode()
    assert 'data-sort="creditor"' not in own and world.bank.name not in own.split("<tbody>")[1]
    # a creditor may not sort by it either (the whitelist is the role's)
    assert login("creditor1").get("/cases/", {"sort": "creditor"}).context["sort"] == ""
    centre = login("centreadmin").get("/cases/", {"sort": "-creditor"})
    page = centre.content.decode()
    assert 'data-sort="creditor"' in page and world.cf.name in page and world.bank.name in page
    names = [c.creditor.name for c in centre.context["page"].object_list]
    assert names == sorted(names, reverse=True)


def test_the_export_follows_the_order_on_screen(world, login):
    import csv
    import io

    small, large = world.case(principal=Decimal("2000.00")), world.case(principal=Decimal("50000.00"))
    response = login("creditor1").get("/portal/batches/cases/export.csv", {"sort": "-claimed_total"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [large.code, small.code]
