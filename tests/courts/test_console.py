"""The court console as judges and clerks use it: queues, the case page's action forms, bulk actions.

Cases are brought to each stage the way the platform does it (through the services), then worked through
the console's pages only. Assertions are what a user notices: status codes, rows, stages, numbers, messages.
"""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from cases import services as case_services
from cases.deadlines import due_date
from cases.errors import MESSAGES
from cases.models import Case, Deadline, Stage
from cases.rules import Period
from core.actors import SYSTEM
from core.models import Role
from core.services import staff_user_create
from core.workdays import WorkingCalendar
from courts import services as court
from courts.models import (
    ConfirmationDecision,
    Enforcement,
    PaymentOrder,
    PaymentOrderObjection,
    RefusalGround,
    Suit,
)
from mediation.models import Settlement
from notices.models import Notice
from tests.courts.factories import ConfirmationDecisionFactory
from tests.factories import valid_id_number
from tests.mediation.factories import SettlementFactory

# --- cases at each court stage, built through the services ------------------------------------------

# Enough for a payment order: an agreed rate (no Interp. 428 flag) and an address to serve.
ORDER_READY = {"annual_rate": Decimal("18.000"), "address": "福建省泉州市鲤城区中山路100号"}


def judge_of(world, case: Case):
    return world.judge1 if case.centre_id == world.qz.pk else world.judge2


def creditor_staff_of(world, case: Case):
    if case.centre_id == world.qz.pk:
        return world.creditor1
    user = get_user_model().objects.filter(username="ly-creditor").first()
    return user or staff_user_create(
        username="ly-creditor", password="x", organisation=world.rural, role=Role.CREDITOR_STAFF
    )


def in_mediation(world, **fields) -> Case:
    case = world.case(**fields)
    case_services.case_transition(case=case, transition="triage", actor=SYSTEM, colour="green", track="fast")
    case_services.case_transition(case=case, transition="start_mediation", actor=SYSTEM)
    case.refresh_from_db()
    return case


def in_court_mediation(world, **fields) -> Case:
    case = in_mediation(world, **fields)
    case_services.case_transition(case=case, transition="escalate_to_court", actor=SYSTEM, reason="调解未果")
    case.refresh_from_db()
    return case


def settled(world, **fields) -> tuple[Case, Settlement]:
    """9,600 yuan in 3 instalments: drafted, accepted by the debtor, signed by the mediator."""
    case = in_mediation(world, **fields)
    mediator = case.mediator
    if mediator is None:  # a Longyan case: a mediator of its own committee
        mediator = staff_user_create(
            username=f"ly-mediator-{case.pk}",
            password="x",
            organisation=world.ly_committee,
            role=Role.MEDIATOR,
        )
        case_services.case_route(case=case, mediator=mediator)
        case.refresh_from_db()
    settlement = SettlementFactory(
        case=case,
        actor=mediator,
        kind=Settlement.Kind.INSTALMENTS,
        total=Decimal("9600.00"),
        waived_interest=Decimal("500.00"),
        waived_fees=Decimal("100.00"),
        first_due=timezone.localdate() + timedelta(days=30),
        count=3,
        signed=True,
    )
    case.refresh_from_db()
    return case, settlement


def confirmation_requested(world, **fields) -> Case:
    """Jointly filed for confirmation (CPL 205): a 民特 number and the 30-day decision limit."""
    case, _settlement = settled(world, **fields)
    court.confirmation_apply(case=case, actor=case.mediator)
    case.refresh_from_db()
    return case


def order_applied(world, **fields) -> PaymentOrder:
    case = in_court_mediation(world, **{**ORDER_READY, **fields})
    return court.payment_order_apply(case=case, actor=creditor_staff_of(world, case))


def order_accepted(world, **fields) -> PaymentOrder:
    order = order_applied(world, **fields)
    return court.payment_order_accept(order=order, actor=judge_of(world, order.case))


def order_issued(world, **fields) -> PaymentOrder:
    order = order_accepted(world, **fields)
    return court.payment_order_issue(order=order, actor=judge_of(world, order.case))


def order_served(world, **fields) -> PaymentOrder:
    order = order_issued(world, **fields)
    return court.payment_order_record_service(
        order=order, actor=judge_of(world, order.case), served_on=timezone.localdate()
    )


def in_litigation(world, **fields) -> Suit:
    fields.setdefault("address", "泉州市鲤城区中山路100号")  # CPL 166: a debtor served by post or online
    case = in_court_mediation(world, **fields)
    return court.suit_file(case=case, actor=judge_of(world, case))


def in_enforcement(world, **fields) -> Enforcement:
    suit = in_litigation(world, **fields)
    judge = judge_of(world, suit.case)
    court.suit_record_judgment(suit=suit, actor=judge, amount=Decimal("10600.00"), performance_days=10)
    return court.enforcement_apply(
        case=Case.objects.get(pk=suit.case_id), actor=judge, amount=Decimal("10600.00")
    )


def performed(world, **fields) -> Case:
    """Paid in full after enforcement: 3 working days to take the debtor off the dishonest list."""
    enforcement = in_enforcement(world, **fields)
    case = enforcement.case
    case_services.case_transition(
        case=case, transition="record_full_performance", actor=judge_of(world, case)
    )
    case.refresh_from_db()
    return case


# --- helpers ------------------------------------------------------------------------------------------

QUEUES = ["confirmation", "payment_orders", "service", "objections", "suits", "enforcement", "record_removal"]


def queue_url(name: str) -> str:
    return reverse(f"court:queue_{name}")


def case_url(case: Case) -> str:
    return reverse("court:cases_case_change", args=[case.pk])


def act_url(case: Case, action: str) -> str:
    return reverse("court:cases_case_act", args=[case.pk, action])


def rows(response) -> list[str]:
    """The case codes listed on a queue page, in order."""
    return re.findall(r'<td class="field-case_link"><a href="[^"]+">(\w+)</a>', response.content.decode())


def message_texts(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m.message)) for m in response.context["messages"]]


def bulk(client, queue: str, action: str, case_ids, **extra):
    """A bulk action as the queue page runs it: the selection shown with the count (step 1), then applied
    (step 2), following to the run's report. Returns (step 1 page, report page)."""
    picked = {"action": action, "_selected_action": list(case_ids), "index": 0, **extra}
    first = client.post(queue_url(queue), picked)
    report = client.post(queue_url(queue), {**picked, "apply": "1"}, follow=True)
    return first, report


def run_report(response) -> tuple[list[str], dict[str, str]]:
    """The codes of the cases done, and each case skipped with its reason, as the run's report lists them."""
    html = response.content.decode()
    done = re.findall(r'<a href="[^"]+" data-case="(\w+)">', html)
    skipped = dict(
        re.findall(r'<tr class="court-skipped" data-case="(\w*)">.*?<td class="why">(.*?)</td>', html, re.S)
    )
    return done, {k: v.strip() for k, v in skipped.items()}


def act(client, case: Case, action: str, data: dict | None = None):
    """Submit one action's form as the case page does (signed from its preview where it issues a document),
    following the redirect back to the page."""
    return client.post(act_url(case, action), {"_previewed": "1", **(data or {})}, follow=True)


def done(response) -> bool:
    """Carried out: redirected back to the case page with a success or a warning."""
    levels = [level for level, _t in message_texts(response)]
    return bool(response.redirect_chain) and levels[-1:] in (["success"], ["warning"])


def refused(response) -> str:
    """Refused: the page again (200, no redirect) with one error message; returns its text."""
    assert response.status_code == 200 and not response.redirect_chain
    [(level, text)] = message_texts(response)
    assert level == "error"
    return text


def zh(text) -> str:
    """A message as a Chinese user reads it (an English msgid or a lazy text)."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def stage_of(case: Case) -> str:
    return Case.objects.get(pk=case.pk).stage


@pytest.fixture
def judge(client, world):
    client.force_login(world.judge1)
    return client


@pytest.fixture
def everything(world) -> dict[str, Case]:
    """One Quanzhou case in each queue, and the same for Longyan's court."""
    built = {}
    for centre, creditor in (("qz", world.bank), ("ly", world.rural)):
        built[f"{centre}_confirmation"] = confirmation_requested(world, creditor=creditor)
        built[f"{centre}_payment_orders"] = order_applied(world, creditor=creditor).case
        built[f"{centre}_service"] = order_issued(world, creditor=creditor).case
        built[f"{centre}_objections"] = order_served(world, creditor=creditor).case
        built[f"{centre}_suits"] = in_litigation(world, creditor=creditor).case
        built[f"{centre}_enforcement"] = in_enforcement(world, creditor=creditor).case
        built[f"{centre}_record_removal"] = performed(world, creditor=creditor)
    return built


# --- queues -------------------------------------------------------------------------------------------


def test_each_queue_lists_its_cases_and_only_the_courts(client, world, everything):
    client.force_login(world.judge1)

    for queue in QUEUES:
        response = client.get(queue_url(queue))

        assert response.status_code == 200
        assert rows(response) == [everything[f"qz_{queue}"].code], queue
        content = response.content.decode()
        assert not [
            name for name, case in everything.items() if name.startswith("ly_") and case.code in content
        ]


def test_judge2_sees_only_longyans_cases_in_every_queue(client, world, everything):
    client.force_login(world.judge2)

    for queue in QUEUES:
        response = client.get(queue_url(queue))

        assert response.status_code == 200
        assert rows(response) == [everything[f"ly_{queue}"].code], queue
        content = response.content.decode()
        assert not [
            name for name, case in everything.items() if name.startswith("qz_") and case.code in content
        ]
        assert world.bank.name not in content and world.court.name not in content


def test_index_shows_every_queue_with_its_count(client, world, everything):
    confirmation_requested(world)  # a second one for quanzhou
    client.force_login(world.judge1)

    response = client.get(reverse("court:index"))

    assert response.status_code == 200
    content = response.content.decode()
    counts = dict(re.findall(r'id="queue-([\w-]+)".*?data-count="(\d+)"', content, re.S))
    assert counts == {
        "confirmation": "2",
        "payment-orders": "1",
        "service": "1",
        "objections": "1",
        "suits": "1",
        "enforcement": "1",
        "record-removal": "1",
    }
    assert world.court.name in content and world.ly_court.name not in content


def test_confirmation_queue_counts_the_days_left_of_30(judge, world):
    case = confirmation_requested(world)
    limit = case.deadlines.get(kind=Deadline.Kind.CONFIRMATION_DECISION, status="open")
    Deadline.objects.filter(pk=limit.pk).update(due_on=timezone.localdate() + timedelta(days=12))

    content = judge.get(queue_url("confirmation")).content.decode()

    assert 'class="field-days_left_of_30">12</td>' in content
    assert case.filings.get().number in content  # its 民特 number


def test_payment_order_queue_shows_what_is_due_and_the_flags(judge, world):
    applied = order_applied(world)
    accepted = order_accepted(world)
    flagged = court.payment_order_apply(
        case=in_court_mediation(world, address="泉州市丰泽区"), actor=world.creditor1, accept_flags=True
    )
    response = judge.get(queue_url("payment_orders"))

    content = response.content.decode()
    assert sorted(rows(response)) == sorted([applied.case.code, accepted.case.code, flagged.case.code])
    accepted.refresh_from_db()
    assert accepted.filing.number in content  # the 民督 number once accepted
    assert "⚠ 1" in content  # the unagreed-interest flag of the principal-only order
    assert "¥10,000.00" in content  # ... which claims the principal only


def test_record_removal_queue_flags_overdue_cases_red(judge, world):
    late = performed(world)
    on_time = performed(world)
    Deadline.objects.filter(case=late, kind=Deadline.Kind.RECORD_REMOVAL).update(
        due_on=timezone.localdate() - timedelta(days=2)
    )

    response = judge.get(queue_url("record_removal"))

    assert rows(response) == [late.code, on_time.code]  # the most urgent first
    overdue = re.findall(r'<span class="court-overdue">([^<]+)</span>', response.content.decode())
    assert len(overdue) == 2  # the due date and the days column of the late case only
    assert any("2" in text for text in overdue)


def test_enforcement_queue_shows_the_figures(judge, world):
    enforcement = in_enforcement(world)
    court.enforcement_measure_log(
        enforcement=enforcement, actor=world.judge1, kind="deduction", amount_received=Decimal("4000.00")
    )
    Enforcement.objects.filter(pk=enforcement.pk).update(
        performance_due_on=timezone.localdate() - timedelta(days=100)
    )
    court.enforcement_list_dishonest(enforcement=enforcement, actor=world.judge1, grounds="拒不履行")

    content = judge.get(queue_url("enforcement")).content.decode()

    assert "¥10,600.00" in content and "¥4,000.00" in content and "¥6,600.00" in content
    # CPL 264 per unpaid part: the 4,000 collected today was late 100 days too: 10,600 x 0.0175% x 100.
    assert "¥185.50" in content
    assert timezone.localdate().isoformat() in content  # listed on today


def test_queue_filters_stage_creditor_amount_and_due(judge, world):
    bank = in_enforcement(world).case
    cf = in_enforcement(world, creditor=world.cf, principal=Decimal("3000.00")).case
    court.enforcement_measure_log(
        enforcement=cf.enforcements.get(), actor=world.judge1, kind="asset_search", note="无财产"
    )
    Enforcement.objects.filter(case=cf).update(applied_on=timezone.localdate() - timedelta(days=120))
    court.enforcement_suspend(enforcement=cf.enforcements.get(), actor=world.judge1, reason="无可供执行财产")
    Deadline.objects.filter(case=bank, kind=Deadline.Kind.ENFORCEMENT_COMPLETION).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    url = queue_url("enforcement")

    assert rows(judge.get(url, {"stage": Stage.ENFORCEMENT_SUSPENDED})) == [cf.code]
    assert rows(judge.get(url, {"creditor": world.bank.pk})) == [bank.code]
    assert rows(judge.get(url, {"amount_max": "¥5,000"})) == [cf.code]
    assert rows(judge.get(url, {"amount_min": "5000元", "amount_max": "20000"})) == [bank.code]
    assert rows(judge.get(url, {"due": "overdue"})) == [bank.code]
    assert rows(judge.get(url, {"due": "later"})) == [cf.code]
    assert rows(judge.get(url, {"due": "week"})) == []
    page = judge.get(url, {"q": "张三", "stage": Stage.IN_ENFORCEMENT}).content.decode()
    assert world.cf.name in page and world.rural.name not in page  # the centre's creditors only
    # A new amount range keeps the search and the other filters.
    assert '<input type="hidden" name="q" value="张三">' in page
    assert f'<input type="hidden" name="stage" value="{Stage.IN_ENFORCEMENT}">' in page


def test_queue_search_by_code_contract_name_and_exact_id_number(judge, world):
    id_number = valid_id_number(612, "19800301")
    wang = confirmation_requested(world, debtor_name="王丽华", id_number=id_number)
    other = confirmation_requested(world, debtor_name="陈建国")
    ly = confirmation_requested(
        world, creditor=world.rural, debtor_name="王丽华", id_number=valid_id_number(613)
    )
    url = queue_url("confirmation")

    for term in (wang.code, wang.external_ref, "王丽华", id_number, f" {id_number.lower()} "):
        assert rows(judge.get(url, {"q": term})) == [wang.code], term
    assert rows(judge.get(url, {"q": valid_id_number(613)})) == []
    assert other.code and ly.code not in judge.get(url, {"q": "王丽华"}).content.decode()


# --- who gets in ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["creditor1", "mediator1"])
def test_creditors_and_mediators_cannot_open_the_console(client, world, everything, username):
    client.force_login(get_user_model().objects.get(username=username))
    case = everything["qz_confirmation"]

    urls = [reverse("court:index"), case_url(case), *(queue_url(q) for q in QUEUES)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("court:login"))
        assert case.code not in response.content.decode()
    response = client.post(act_url(case, "confirm"), {"confirm-reasons": "x"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("court:login"))
    response = client.post(
        queue_url("confirmation"), {"action": "confirm_selected", "_selected_action": [case.pk], "index": 0}
    )
    assert response.status_code == 302
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED


def test_judge2_gets_nothing_of_quanzhou_in_pages_actions_or_bulk(client, world, everything):
    client.force_login(world.judge2)
    case = everything["qz_confirmation"]
    order_case = everything["qz_payment_orders"]

    assert client.get(case_url(case)).status_code == 404
    assert client.post(act_url(case, "confirm"), {"confirm-reasons": "x"}).status_code == 404
    assert client.post(act_url(order_case, "po_accept"), {}).status_code == 404
    assert (
        client.post(
            reverse("court:cases_case_transition", args=[case.pk]), {"transition": "confirm"}
        ).status_code
        == 404
    )
    response = client.post(
        queue_url("confirmation"),
        {"action": "confirm_selected", "_selected_action": [case.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200 and case.code not in response.content.decode()
    response = client.post(
        queue_url("payment_orders"),
        {"action": "accept_selected", "_selected_action": [order_case.pk], "index": 0},
        follow=True,
    )
    assert order_case.code not in response.content.decode()
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED
    assert PaymentOrder.objects.get(case=order_case).status == PaymentOrder.Status.APPLIED
    content = client.get(reverse("court:cases_case_changelist"), {"q": case.code}).content.decode()
    assert f">{case.code}</a>" not in content  # the term stays in the search box; no row has it


# --- judicial confirmation ------------------------------------------------------------------------------


def test_case_page_shows_the_settlement_terms_the_number_and_the_limit(judge, world):
    case = confirmation_requested(world)

    response = judge.get(case_url(case))

    content = response.content.decode()
    assert response.status_code == 200
    assert case.filings.get().number in content
    assert "¥9,600.00" in content and "¥3,200.00" in content  # agreed total, instalments
    assert 'id="action-confirm"' in content and 'id="action-reject"' in content
    for ground in RefusalGround:
        assert f'value="{ground.value}"' in content
    limit = case.deadlines.get(kind=Deadline.Kind.CONFIRMATION_DECISION)
    assert limit.due_on.isoformat() in content


def test_judge_confirms_through_the_form(judge, world, django_capture_on_commit_callbacks):
    case = confirmation_requested(world)
    number = case.filings.get().number

    preview = judge.post(act_url(case, "confirm"), {"confirm-reasons": "协议系双方真实意思表示"})
    assert preview.status_code == 200 and stage_of(case) == Stage.CONFIRMATION_REQUESTED  # not signed yet
    assert 'id="document-preview"' in preview.content.decode() and number in preview.content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        response = judge.post(
            act_url(case, "confirm"), {"confirm-reasons": "协议系双方真实意思表示", "_previewed": "1"}
        )

    assert response.status_code == 302 and response["Location"].startswith(case_url(case))
    assert stage_of(case) == Stage.CONFIRMED
    decision = ConfirmationDecision.objects.get(case=case)
    assert decision.confirmed and decision.filing.number == number and decision.decided_by == world.judge1
    assert len(callbacks) >= 1  # the ruling is rendered once the decision is committed
    page = judge.get(case_url(case))
    assert [level for level, _t in message_texts(page)] == ["success"]
    assert "协议系双方真实意思表示" in page.content.decode()


def test_judge_refuses_with_a_ground_and_the_case_goes_back_to_mediation(judge, world):
    case = confirmation_requested(world)

    response = judge.post(
        act_url(case, "reject"),
        {
            "reject-ground": "not_voluntary",
            "reject-reasons": "债务人称受胁迫",
            "reject-next_step": "mediation",
            "_previewed": "1",
        },
    )

    assert response.status_code == 302
    assert stage_of(case) == Stage.COURT_MEDIATION
    decision = ConfirmationDecision.objects.get(case=case)
    assert (decision.confirmed, decision.ground, decision.next_step) == (False, "not_voluntary", "mediation")


def test_refusal_on_to_suit_files_the_suit(judge, world):
    case = confirmation_requested(world)

    judge.post(
        act_url(case, "reject"),
        {
            "reject-ground": "unclear",
            "reject-reasons": "还款期限约定不明",
            "reject-next_step": "suit",
            "_previewed": "1",
        },
    )

    assert stage_of(case) == Stage.IN_LITIGATION
    assert "民初" in Suit.objects.get(case=case).filing.number


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"reject-reasons": "理由", "reject-next_step": "mediation"},
            "Choose the ground for refusing confirmation.",
        ),
        ({"reject-ground": "unclear", "reject-next_step": "mediation"}, MESSAGES["reason_required"]),
        ({"reject-ground": "no_such", "reject-reasons": "理由", "reject-next_step": "mediation"}, None),
    ],
)
def test_refusal_without_ground_or_reasons_is_refused_with_a_message(judge, world, data, expected):
    case = confirmation_requested(world)

    response = judge.post(act_url(case, "reject"), data)

    assert response.status_code == 200  # the page again, with the form as filled in
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED
    assert not ConfirmationDecision.objects.filter(case=case).exists()
    [(level, text)] = message_texts(response)
    assert level == "error"
    if expected is not None:
        assert zh(expected) in text
    assert 'class="court-field errors"' in response.content.decode()


def test_clerk_may_file_but_not_decide(client, world):
    case, _settlement = settled(world)
    client.force_login(world.clerk1)

    page = client.get(case_url(case)).content.decode()
    assert 'id="action-confirmation_apply"' in page
    response = client.post(act_url(case, "confirmation_apply"), {})
    assert response.status_code == 302
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED
    assert "民特" in case.filings.get().number

    page = client.get(case_url(case)).content.decode()
    assert 'id="action-confirm"' not in page
    response = client.post(act_url(case, "confirm"), {"confirm-reasons": ""})
    assert [(m.level_tag, str(m.message)) for m in response.context["messages"]] == [
        ("error", zh(MESSAGES["forbidden"]))
    ]
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED


def test_a_case_on_hold_offers_no_decision_and_refuses_one(judge, world):
    case = confirmation_requested(world)
    case_services.hold_place(case=case, kind="objection", actor=world.judge1, reason="异议审查中")

    page = judge.get(case_url(case)).content.decode()
    assert 'id="action-confirm"' not in page and "异议审查中" in page
    response = judge.post(act_url(case, "confirm"), {"confirm-reasons": ""})
    assert message_texts(response) == [("error", zh(MESSAGES["on_hold"]))]
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED


# --- bulk confirmation ----------------------------------------------------------------------------------


def test_bulk_confirm_shows_the_cases_then_reports_the_skipped_and_why(judge, world):
    ready = [confirmation_requested(world) for _ in range(2)]
    held = confirmation_requested(world)
    case_services.hold_place(case=held, kind="hardship", actor=world.judge1, reason="住院")
    elsewhere = in_court_mediation(world)  # not in the queue: ticked on an old page
    ids = [c.pk for c in [*ready, held, elsewhere]]

    first, report = bulk(judge, "confirmation", "confirm_selected", ids)

    page = first.content.decode()
    assert first.status_code == 200 and 'id="what-happens"' in page
    assert 'data-ready="2"' in page and 'data-skip="2"' in page
    assert all(f'data-case="{c.code}"' in page for c in [*ready, held, elsewhere])
    assert report.status_code == 200 and report.redirect_chain[-1][0].startswith("/court/runs/")
    assert [stage_of(c) for c in ready] == [Stage.CONFIRMED, Stage.CONFIRMED]
    assert stage_of(held) == Stage.CONFIRMATION_REQUESTED and stage_of(elsewhere) == Stage.COURT_MEDIATION
    assert ConfirmationDecision.objects.filter(case__in=ready, confirmed=True).count() == 2
    done_codes, skipped = run_report(report)
    assert sorted(done_codes) == sorted(c.code for c in ready)
    assert set(skipped) == {held.code, elsewhere.code}
    assert zh("the case is on hold") in skipped[held.code]
    assert zh(MESSAGES["wrong_stage"]) in skipped[elsewhere.code]
    assert rows(judge.get(queue_url("confirmation"))) == [held.code]  # the queue keeps what is left


def test_bulk_confirm_is_the_judges(client, world):
    case = confirmation_requested(world)
    client.force_login(world.clerk1)

    page = client.get(queue_url("confirmation")).content.decode()
    assert 'value="confirm_selected"' not in page
    client.post(
        queue_url("confirmation"), {"action": "confirm_selected", "_selected_action": [case.pk], "index": 0}
    )
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED


def test_bulk_refusal_asks_for_the_ground_then_decides_each_case(judge, world):
    cases = [confirmation_requested(world) for _ in range(2)]
    held = confirmation_requested(world)
    case_services.hold_place(case=held, kind="hardship", actor=world.judge1, reason="住院")
    picked = {"action": "reject_selected", "_selected_action": [c.pk for c in [*cases, held]]}

    first = judge.post(queue_url("confirmation"), {**picked, "index": 0})
    assert first.status_code == 200 and 'name="ground"' in first.content.decode()
    assert 'data-ready="2"' in first.content.decode()
    assert all(stage_of(c) == Stage.CONFIRMATION_REQUESTED for c in cases)

    no_ground = judge.post(
        queue_url("confirmation"), {**picked, "apply": "1", "reasons": "内容不明", "next_step": "mediation"}
    )
    assert (
        no_ground.status_code == 200
        and zh("Choose the ground for refusing confirmation.") in no_ground.content.decode()
    )
    assert all(stage_of(c) == Stage.CONFIRMATION_REQUESTED for c in cases)

    done = judge.post(
        queue_url("confirmation"),
        {**picked, "apply": "1", "ground": "unclear", "reasons": "还款安排不明确", "next_step": "mediation"},
        follow=True,
    )
    assert [stage_of(c) for c in cases] == [Stage.COURT_MEDIATION, Stage.COURT_MEDIATION]
    assert stage_of(held) == Stage.CONFIRMATION_REQUESTED
    assert ConfirmationDecision.objects.filter(case__in=cases, ground="unclear").count() == 2
    done_codes, skipped = run_report(done)
    assert sorted(done_codes) == sorted(c.code for c in cases) and list(skipped) == [held.code]


# --- payment orders -------------------------------------------------------------------------------------


def test_payment_order_eligibility_is_shown_and_an_ineligible_application_refused(judge, world):
    case = in_court_mediation(world, address="")

    page = judge.get(case_url(case)).content.decode()
    assert 'data-flag="unagreed_interest"' in page and 'data-flag="cannot_be_served"' in page
    assert 'name="po_apply-accept_flags"' in page  # the principal-only choice, for the unagreed interest

    response = judge.post(act_url(case, "po_apply"), {"po_apply-accept_flags": "on"})
    assert response.status_code == 200
    [(level, text)] = message_texts(response)
    assert level == "error" and zh(court.ELIGIBILITY_MESSAGES["cannot_be_served"]) in text
    assert stage_of(case) == Stage.COURT_MEDIATION and not PaymentOrder.objects.filter(case=case).exists()


def test_payment_order_from_application_to_objection_through_the_console(judge, world):
    case = in_court_mediation(world, **ORDER_READY)
    page = judge.get(case_url(case)).content.decode()
    assert 'id="eligibility"' in page and "data-flag=" not in page
    assert 'name="po_apply-accept_flags"' not in page  # nothing to leave out

    assert done(act(judge, case, "po_apply"))
    order = PaymentOrder.objects.get(case=case)
    assert order.status == PaymentOrder.Status.APPLIED and order.amount == Decimal("10600.00")

    assert done(act(judge, case, "po_accept"))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.ACCEPTED and "民督" in order.filing.number

    assert done(act(judge, case, "po_issue"))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.ISSUED

    tomorrow = timezone.localdate() + timedelta(days=1)
    assert refused(act(judge, case, "po_service", {"po_service-served_on": tomorrow.isoformat()}))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.ISSUED

    today = timezone.localdate().isoformat()
    assert done(act(judge, case, "po_service", {"po_service-served_on": today}))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.SERVED and order.served_on == timezone.localdate()

    oral = {
        "po_objection-form": "oral",
        "po_objection-filed_on": today,
        "po_objection-statement": "电话称不欠款",
    }
    response = act(judge, case, "po_objection", oral)
    assert done(response)
    [(level, text)] = message_texts(response)
    assert level == "warning"  # recorded, but it does not count
    assert zh("oral objections do not count; it must be in writing") in text
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.SERVED

    written = {**oral, "po_objection-form": "written", "po_objection-statement": "借款已还清"}
    response = act(judge, case, "po_objection", written)
    assert done(response) and message_texts(response)[0][0] == "success"
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OBJECTED
    assert PaymentOrderObjection.objects.filter(order=order, valid=True).count() == 1
    # CPL 228; Interp. 438: the 7 days run from the creditor's receipt of the termination ruling.
    assert not case.deadlines.filter(kind=Deadline.Kind.SUIT_DECLINE).exists()
    response = act(judge, case, "po_ruling_received", {"po_ruling_received-received_on": today})
    assert done(response)
    assert case.deadlines.filter(kind=Deadline.Kind.SUIT_DECLINE, status="open").exists()
    # Declining the suit is the creditor's declaration (withdraw): the judge has no form for it.
    assert 'id="action-po_decline"' not in response.content.decode()
    assert refused(act(judge, case, "po_decline", {"po_decline-reason": "不起诉"}))
    assert stage_of(case) == Stage.PAYMENT_ORDER


def test_payment_order_rejection_needs_a_reason_and_issuing_is_the_judges(client, world):
    order = order_accepted(world)
    case = order.case
    client.force_login(world.clerk1)
    assert 'id="action-po_issue"' not in client.get(case_url(case)).content.decode()
    assert refused(act(client, case, "po_issue")) == zh(MESSAGES["forbidden"])

    client.force_login(world.judge1)
    assert refused(act(client, case, "po_reject", {"po_reject-reason": " "})) == zh(
        MESSAGES["reason_required"]
    )
    assert done(act(client, case, "po_reject", {"po_reject-reason": "债权债务关系不明确"}))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.REJECTED and stage_of(case) == Stage.COURT_MEDIATION


def test_bulk_accept_reviews_each_case_and_reports_the_skipped(judge, world):
    ok = order_applied(world)
    no_address = order_applied(world)
    Case.objects.filter(pk=no_address.case_id).update(address="")  # the address turned out to be wrong
    held = order_applied(world)
    case_services.hold_place(case=held.case, kind="identity_theft", actor=world.judge1, reason="疑似冒用身份")
    already = order_accepted(world)

    _first, response = bulk(
        judge, "payment_orders", "accept_selected", [o.case_id for o in (ok, no_address, held, already)]
    )

    statuses = {o.pk: PaymentOrder.objects.get(pk=o.pk).status for o in (ok, no_address, held)}
    assert statuses == {ok.pk: "accepted", no_address.pk: "applied", held.pk: "applied"}
    done_codes, skipped = run_report(response)
    assert done_codes == [ok.case.code] and len(skipped) == 3
    assert zh(court.ELIGIBILITY_MESSAGES["cannot_be_served"]) in skipped[no_address.case.code]
    assert zh(MESSAGES["on_hold"]) in skipped[held.case.code]
    assert zh(PaymentOrder.Status.ACCEPTED.label) in skipped[already.case.code]


def test_bulk_issue(judge, world, django_capture_on_commit_callbacks):
    orders = [order_accepted(world) for _ in range(2)]
    applied = order_applied(world)

    with django_capture_on_commit_callbacks() as callbacks:
        _first, response = bulk(
            judge, "payment_orders", "issue_selected", [o.case_id for o in (*orders, applied)]
        )

    assert [PaymentOrder.objects.get(pk=o.pk).status for o in orders] == ["issued", "issued"]
    assert PaymentOrder.objects.get(pk=applied.pk).status == "applied"
    assert len(callbacks) >= 2  # one payment-order document each
    done_codes, skipped = run_report(response)
    assert len(done_codes) == 2 and list(skipped) == [applied.case.code]
    assert rows(judge.get(queue_url("payment_orders"))) == [applied.case.code]


# --- suits ----------------------------------------------------------------------------------------------


def test_suit_filing_hearing_and_judgment_through_the_console(judge, world):
    case = in_court_mediation(world, address="泉州市鲤城区中山路100号")  # CPL 166: servable, so small claims

    assert done(act(judge, case, "suit_file", {"suit_file-procedure": ""}))
    suit = Suit.objects.get(case=case)
    assert suit.procedure == "small_claims" and "民初" in suit.filing.number

    def hearing(day):
        return {"suit_hearing-hearing_on": day.isoformat(), "suit_hearing-hearing_time": "09:30"}

    assert refused(act(judge, case, "suit_hearing", hearing(timezone.localdate() - timedelta(days=1))))
    next_week = timezone.localdate() + timedelta(days=7)
    assert done(act(judge, case, "suit_hearing", hearing(next_week)))
    suit.refresh_from_db()
    assert timezone.localtime(suit.hearing_at).strftime("%Y-%m-%d %H:%M") == f"{next_week.isoformat()} 09:30"

    queue = judge.get(queue_url("suits")).content.decode()
    assert suit.filing.number in queue and f"{next_week.isoformat()} 09:30" in queue
    assert suit.decide_by.isoformat() in queue

    judgment = {"suit_judgment-amount": "abc", "suit_judgment-performance_days": "10"}
    assert refused(act(judge, case, "suit_judgment", judgment))
    assert stage_of(case) == Stage.IN_LITIGATION
    judgment = {"suit_judgment-amount": "¥10,600.00", "suit_judgment-performance_days": "15"}
    # A judgment is not dated before its hearing (next week): refused, the case stays in litigation.
    assert refused(act(judge, case, "suit_judgment", judgment))
    assert stage_of(case) == Stage.IN_LITIGATION
    Suit.objects.filter(pk=suit.pk).update(hearing_at=timezone.now() - timedelta(hours=1))  # held today
    assert done(act(judge, case, "suit_judgment", judgment))
    suit.refresh_from_db()
    assert suit.judgment_amount == Decimal("10600.00")
    # 15 days from today, by the one due-date function (a last day off work rolls forward, CPL 85).
    expected = due_date(
        period=Period(15, "days", "CPL 85"),
        start=timezone.localdate(),
        work_calendar=WorkingCalendar.for_centre(case.centre_id),
    ).due_on
    assert suit.performance_due_on == expected
    assert stage_of(case) == Stage.ENFORCEABLE


def test_enforcement_through_the_console(judge, world):
    suit = in_litigation(world)
    court.suit_record_judgment(suit=suit, actor=world.judge1, amount=Decimal("8000.00"), performance_days=10)
    case = suit.case

    page = judge.get(case_url(case)).content.decode()
    assert 'value="8000.00"' in page  # the amount awarded is what is enforced
    assert done(act(judge, case, "enf_apply", {"enf_apply-amount": "8000"}))
    enforcement = Enforcement.objects.get(case=case)
    assert stage_of(case) == Stage.IN_ENFORCEMENT and "执" in enforcement.filing.number

    # The service refuses to end the round without an asset search: said on the page, never a 500.
    text = refused(act(judge, case, "enf_suspend", {"enf_suspend-reason": "无财产"}))
    assert text == zh("Search for assets before terminating the current round (Interp. 517).")
    assert stage_of(case) == Stage.IN_ENFORCEMENT

    today = timezone.localdate().isoformat()
    measure = {
        "enf_measure-kind": "deduction",
        "enf_measure-note": "扣划存款",
        "enf_measure-amount_received": "3,000",
        "enf_measure-taken_on": today,
    }
    assert done(act(judge, case, "enf_measure", measure))
    search = {**measure, "enf_measure-kind": "asset_search", "enf_measure-amount_received": ""}
    assert done(act(judge, case, "enf_measure", search))
    assert list(enforcement.measures.values_list("kind", "amount_received")) == [
        ("deduction", Decimal("3000.00")),
        ("asset_search", Decimal("0.00")),
    ]
    assert "¥5,000.00" in judge.get(case_url(case)).content.decode()  # unpaid

    assert refused(act(judge, case, "enf_dishonest", {"enf_dishonest-grounds": " "}))
    assert done(act(judge, case, "enf_dishonest", {"enf_dishonest-grounds": "有履行能力而拒不履行"}))
    enforcement.refresh_from_db()
    assert enforcement.dishonest_listed_on == timezone.localdate()

    Enforcement.objects.filter(pk=enforcement.pk).update(
        applied_on=timezone.localdate() - timedelta(days=100)
    )
    assert done(act(judge, case, "enf_suspend", {"enf_suspend-reason": "无可供执行财产"}))
    assert stage_of(case) == Stage.ENFORCEMENT_SUSPENDED
    assert case.deadlines.filter(kind=Deadline.Kind.ENFORCEMENT_RECHECK, status="open").exists()

    assert done(act(judge, case, "enf_resume", {"enf_resume-reason": "发现新财产"}))
    assert stage_of(case) == Stage.IN_ENFORCEMENT


def test_an_unknown_action_is_not_found_and_get_is_not_allowed(judge, world):
    case = confirmation_requested(world)

    assert judge.post(act_url(case, "no_such_action"), {}).status_code == 404
    assert judge.get(act_url(case, "confirm")).status_code == 405


# --- rulings and orders as documents --------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext extracts it, without the spaces and line breaks of the layout."""
    assert data.startswith(b"%PDF")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return "".join(out.stdout.decode("utf-8").split())


@pytest.fixture
def documents(settings, tmp_path, django_capture_on_commit_callbacks):
    """Rendered PDFs in a temporary folder; what a request queues on commit runs (eagerly) after it."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"

    def run(client, case: Case, action: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            response = act(client, case, action, data)
        assert done(response)
        return response

    return run


def document_of(client, case: Case, kind: str) -> tuple[str, str]:
    """The document's PDF link on the case page, and its text as the judge downloads it."""
    notice = Notice.objects.get(case=case, kind=kind)
    url = reverse("notices:pdf", args=[notice.pk])
    assert f'href="{url}"' in client.get(case_url(case)).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return url, pdf_text(b"".join(response.streaming_content))


def test_issued_payment_order_is_a_pdf_with_its_number_amount_and_objection_notice(client, world, documents):
    order = order_accepted(world)
    client.force_login(world.judge1)

    documents(client, order.case, "po_issue")

    url, text = document_of(client, order.case, "payment_order")
    assert world.court.name in text and "支付令" in text
    assert order.filing.number in text
    assert "¥10,600.00" in text and "人民币壹万零陆佰元整" in text
    assert "收到本支付令之日起15日内" in text and "书面" in text
    client.force_login(world.judge2)
    assert client.get(url).status_code == 404


def test_refusal_ruling_states_the_number_the_ground_and_the_agreement(client, world, documents):
    case = confirmation_requested(world)
    number = case.filings.get().number
    client.force_login(world.judge1)

    documents(
        client,
        case,
        "reject",
        {
            "reject-ground": "public_order",
            "reject-reasons": "约定以人身自由担保还款",
            "reject-next_step": "mediation",
        },
    )

    _url, text = document_of(client, case, "confirmation_ruling")
    assert world.court.name in text and number in text
    assert "驳回" in text and "违背公序良俗" in text and "第三百五十八条第（三）项" in text
    assert "约定以人身自由担保还款" in text
    assert "¥9,600.00" in text and "¥3,200.00" in text  # the agreement's terms as recited
    assert "调解协议有效" not in text


def test_each_decision_is_its_own_ruling_a_refusal_does_not_stand_in_for_a_later_one(
    world, settings, tmp_path
):
    """Refused, then (after mediation resumed) confirmed: the second ruling is a new document."""
    from courts.tasks import court_document_render

    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    case = confirmation_requested(world)
    filing = case.filings.get()
    refused = ConfirmationDecisionFactory(
        case=case, filing=filing, confirmed=False, ground="public_order", decided_by=world.judge1
    )
    first = court_document_render("confirmation_ruling", refused.pk)
    assert (
        court_document_render("confirmation_ruling", refused.pk) == first
    )  # a retried task: no second letter
    confirmed = ConfirmationDecisionFactory(case=case, filing=filing, confirmed=True, decided_by=world.judge1)
    second = court_document_render("confirmation_ruling", confirmed.pk)

    assert second != first
    assert list(
        Notice.objects.filter(case=case, kind="confirmation_ruling")
        .order_by("pk")
        .values_list("subject", flat=True)
    ) == [f"confirmation_ruling:{refused.pk}", f"confirmation_ruling:{confirmed.pk}"]
    # Each ruling states its own decision, even when rendered after a later one.
    from notices.documents import kind_context as court_context

    first_subject, second_subject = f"confirmation_ruling:{refused.pk}", f"confirmation_ruling:{confirmed.pk}"
    assert court_context(case, "confirmation_ruling", first_subject)["ruling"]["confirmed"] is False
    assert court_context(case, "confirmation_ruling", second_subject)["ruling"]["confirmed"] is True


def test_a_recorded_judgment_is_a_pdf_with_its_number_amount_and_period(client, world, documents):
    suit = in_litigation(world)
    client.force_login(world.judge1)

    documents(
        client,
        suit.case,
        "suit_judgment",
        {"suit_judgment-amount": "¥8,000.00", "suit_judgment-performance_days": "10"},
    )

    suit.refresh_from_db()
    _url, text = document_of(client, suit.case, "judgment")
    assert "民事判决书" in text and world.court.name in text and suit.filing.number in text
    assert "¥8,000.00" in text and "人民币捌仟元整" in text
    assert (
        f"{suit.performance_due_on.year}年{suit.performance_due_on.month}月{suit.performance_due_on.day}日"
        in text
    )
    assert "终审判决" in text  # small-claims procedure: no appeal


def test_a_judge_sending_a_ruling_by_hand_serves_the_one_rendered_not_a_copy(world, settings, tmp_path):
    from courts.tasks import court_document_render
    from notices.services import NoticeError, notice_send

    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    case = confirmation_requested(world)
    with pytest.raises(NoticeError):  # nothing decided yet: no blank ruling
        notice_send(case=case, kind="confirmation_ruling", actor=world.judge1)
    with pytest.raises(NoticeError):
        notice_send(case=case, kind="judgment", actor=world.judge1)
    decision = ConfirmationDecisionFactory(case=case, filing=case.filings.get(), confirmed=True,
                                           decided_by=world.judge1)  # fmt: skip
    rendered = court_document_render("confirmation_ruling", decision.pk)

    assert notice_send(case=case, kind="confirmation_ruling", actor=world.judge1).pk == rendered
    assert Notice.objects.filter(case=case, kind="confirmation_ruling").count() == 1
