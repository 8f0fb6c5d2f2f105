"""Court rules: numbers, confirmation, payment orders with their windows, suits, enforcement."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Deadline, Stage
from cases.selectors import cases_visible_to
from courts import services
from courts.errors import CourtError
from courts.models import CaseNumberSequence, Filing, PaymentOrder, RefusalGround, Suit


@pytest.fixture(autouse=True)
def english():
    """The refusal reasons are read in English here; their Chinese is shown on the pages."""
    from django.utils import translation

    with translation.override("en"):
        yield


def at(world, stage, **fields):
    case = world.case(**fields)
    Case.objects.filter(pk=case.pk).update(
        stage=stage,
        settlement_effective_on=timezone.localdate() - timedelta(days=2),
        # CPL 205: both parties have consented to the joint application.
        confirmation_consent_debtor_at=timezone.now(),
        confirmation_consent_creditor_at=timezone.now(),
    )
    case.refresh_from_db()
    return case


def test_case_numbers_follow_the_court_format_and_count_per_year_and_type(world):
    first = services.filing_create(case=world.case(), filing_type="民督")
    second = services.filing_create(case=world.case(), filing_type="民督")
    other_type = services.filing_create(case=world.case(), filing_type="民特")
    year = timezone.localdate().year
    assert first.number == f"({year})闽0502民督1号"
    assert second.number == f"({year})闽0502民督2号"
    assert other_type.number == f"({year})闽0502民特1号"


@pytest.mark.django_db(transaction=True)
def test_two_transactions_at_once_get_different_numbers():
    from tests.factories import World

    world = World()
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def take() -> None:
        try:
            barrier.wait(timeout=10)
            results.extend(
                services.court_case_numbers_reserve(court=world.court, filing_type="执", year=2026, count=3)
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if (
        connection.vendor == "sqlite"
    ):  # SQLite serialises writers: no true concurrency, but no duplicates either
        assert not errors or all("locked" in str(e) for e in errors)
    else:
        assert not errors
    assert len(results) == len(set(results))
    assert sorted(results) == list(range(1, len(results) + 1))
    assert CaseNumberSequence.objects.get(court=world.court, filing_type="执").last == len(results)


def test_confirmation_apply_numbers_and_decide_both_ways(world):
    case = at(world, Stage.SETTLED)
    filing = services.confirmation_apply(case=case, actor=world.mediator1)
    assert "民特" in filing.number
    decision = services.confirmation_decide(case=case, actor=world.judge1, confirmed=True, reasons="自愿合法")
    case.refresh_from_db()
    assert case.stage == Stage.CONFIRMED and decision.filing == filing
    other = at(world, Stage.CONFIRMATION_REQUESTED)
    with pytest.raises(CourtError):
        services.confirmation_decide(case=other, actor=world.judge1, confirmed=False)
    services.confirmation_decide(
        case=other,
        actor=world.judge1,
        confirmed=False,
        ground=RefusalGround.NOT_VOLUNTARY,
        reasons="债务人称受胁迫",
    )
    other.refresh_from_db()
    assert other.stage == Stage.COURT_MEDIATION
    assert "Not the parties' free will" in other.events.last().reason or "自愿" in other.events.last().reason


def test_rejected_confirmation_can_go_on_to_suit(world):
    case = at(world, Stage.CONFIRMATION_REQUESTED)
    services.confirmation_decide(
        case=case, actor=world.judge1, confirmed=False, ground=RefusalGround.UNCLEAR, next_step="suit"
    )
    case.refresh_from_db()
    assert case.stage == Stage.IN_LITIGATION and case.suits.count() == 1


def test_bulk_confirmation_reports_skipped_cases(world):
    ready = [at(world, Stage.CONFIRMATION_REQUESTED) for _ in range(3)]
    held = ready[2]
    case_services.hold_place(case=held, kind="objection", actor=world.judge1, reason="异议")
    wrong = at(world, Stage.IN_MEDIATION)
    result = services.confirmations_bulk(
        case_ids=[c.pk for c in [*ready, wrong]], actor=world.judge1, visible=cases_visible_to(world.judge1)
    )
    assert sorted(result.done) == sorted([ready[0].pk, ready[1].pk])
    assert set(result.skipped) == {held.pk, wrong.pk}
    assert Filing.objects.filter(case__in=ready[:2], filing_type="民特").count() == 2


def test_bulk_refusal_decides_each_case_and_reports_the_rest(world):
    ready = [at(world, Stage.CONFIRMATION_REQUESTED) for _ in range(2)]
    wrong = at(world, Stage.IN_MEDIATION)
    other_court = at(world, Stage.CONFIRMATION_REQUESTED, creditor=world.rural)
    result = services.confirmations_reject_bulk(
        case_ids=[c.pk for c in [*ready, wrong, other_court]],
        actor=world.judge1,
        visible=cases_visible_to(world.judge1),
        ground=RefusalGround.UNCLEAR,
        reasons="约定不明",
    )
    assert result.done == [ready[0].pk, ready[1].pk]
    assert set(result.skipped) == {wrong.pk, other_court.pk}
    assert result.skipped[other_court.pk] == "not found"
    for case in ready:
        case.refresh_from_db()
        assert case.confirmation_decisions.get().ground == RefusalGround.UNCLEAR
    with pytest.raises(CourtError):
        services.confirmations_reject_bulk(
            case_ids=[ready[0].pk], actor=world.judge1, visible=cases_visible_to(world.judge1), ground="nope"
        )


def test_bulk_acceptance_numbers_each_order_and_reports_the_rest(world):
    cases = [at(world, Stage.COURT_MEDIATION, annual_rate=Decimal("18"), address="泉州市") for _ in range(3)]
    orders = [services.payment_order_apply(case=c, actor=world.creditor1) for c in cases]
    case_services.hold_place(case=cases[2], kind="objection", actor=world.judge1, reason="异议")
    no_order = at(world, Stage.PAYMENT_ORDER)
    result = services.payment_orders_accept_bulk(
        case_ids=[c.pk for c in [*cases, no_order]],
        actor=world.clerk1,
        visible=cases_visible_to(world.clerk1),
    )
    assert result.done == [cases[0].pk, cases[1].pk]
    assert set(result.skipped) == {cases[2].pk, no_order.pk}
    assert result.skipped[no_order.pk] == "No payment order has been applied for."
    statuses = [PaymentOrder.objects.get(pk=o.pk).status for o in orders]
    assert statuses == ["accepted", "accepted", "applied"]
    numbers = Filing.objects.filter(case__in=cases[:2], filing_type="民督").values_list("number", flat=True)
    assert len(set(numbers)) == 2
    again = services.payment_orders_issue_bulk(
        case_ids=[c.pk for c in cases], actor=world.judge1, visible=cases_visible_to(world.judge1)
    )
    assert again.done == [cases[0].pk, cases[1].pk] and set(again.skipped) == {cases[2].pk}
    assert PaymentOrder.objects.get(pk=orders[0].pk).status == "issued"


def test_payment_order_eligibility_flags(world):
    assert (
        services.payment_order_eligibility(world.case(annual_rate=Decimal("18"), address="泉州市鲤城区"))
        == []
    )
    flags = services.payment_order_eligibility(world.case(address=""))
    assert "unagreed_interest" in flags and "cannot_be_served" in flags
    case = at(world, Stage.COURT_MEDIATION, address="")
    with pytest.raises(CourtError):
        services.payment_order_apply(case=case, actor=world.creditor1)


def served_order(world, days_ago=0):
    case = at(world, Stage.COURT_MEDIATION, annual_rate=Decimal("18"), address="泉州市")
    order = services.payment_order_apply(case=case, actor=world.creditor1)
    order = services.payment_order_accept(order=order, actor=world.clerk1)
    order = services.payment_order_issue(order=order, actor=world.judge1)
    served = timezone.localdate() - timedelta(days=days_ago)
    Deadline.objects.filter(case=case, kind="payment_order_service").update(starts_on=served)
    PaymentOrder.objects.filter(pk=order.pk).update(issued_on=served)
    order.refresh_from_db()
    return services.payment_order_record_service(order=order, actor=world.clerk1, served_on=served)


def test_payment_order_steps_open_each_window(world):
    order = served_order(world)
    case = order.case
    kinds = dict(case.deadlines.values_list("kind", "status"))
    assert kinds["payment_order_acceptance"] == "met" and kinds["payment_order_issuance"] == "met"
    assert kinds["payment_order_service"] == "met" and kinds["payment_order_objection"] == "open"
    window = case.deadlines.get(kind="payment_order_objection")
    assert window.due_on >= order.served_on + timedelta(days=15)
    assert "民督" in order.filing.number


def test_written_objection_in_the_window_ends_the_order_and_turns_into_a_suit(world):
    order = served_order(world, days_ago=3)
    objection = services.payment_order_object(
        order=order, form="written", filed_on=timezone.localdate(), statement="借款已还清"
    )
    order.refresh_from_db()
    assert objection.valid and order.status == PaymentOrder.Status.OBJECTED
    # CPL 228; Interp. 438: the creditor's 7 days run from receiving the termination ruling.
    assert not order.case.deadlines.filter(kind="suit_decline").exists()
    services.payment_order_termination_ruling_received(
        order=order, actor=world.clerk1, received_on=timezone.localdate()
    )
    decline = order.case.deadlines.get(kind="suit_decline")
    Deadline.objects.filter(pk=decline.pk).update(
        due_on=timezone.localdate() - timedelta(days=1), calendar_warning=False
    )
    counts = case_services.deadlines_act_on_due()
    order.case.refresh_from_db()
    assert counts["file_suit"] == 1 and order.case.stage == Stage.IN_LITIGATION
    suit = Suit.objects.get(case=order.case)
    assert "民初" in suit.filing.number and suit.procedure == "small_claims"


def test_creditor_may_decline_the_suit_within_7_days(world):
    order = served_order(world)
    services.payment_order_object(
        order=order, form="written", filed_on=timezone.localdate(), statement="金额有误"
    )
    services.payment_order_termination_ruling_received(
        order=order, actor=world.clerk1, received_on=timezone.localdate()
    )
    services.payment_order_decline_suit(case=order.case, actor=world.creditor1, reason="不再起诉")
    order.case.refresh_from_db()
    assert order.case.stage == Stage.WITHDRAWN


@pytest.mark.parametrize(
    ("form", "late", "ability_only", "why"),
    [
        ("oral", False, False, "oral"),
        ("written", True, False, "after"),
        ("written", False, True, "ability"),
    ],
)
def test_objections_that_do_not_count(world, form, late, ability_only, why):
    order = served_order(world, days_ago=20 if late else 1)
    objection = services.payment_order_object(
        order=order,
        form=form,
        filed_on=timezone.localdate(),
        statement="无力偿还",
        only_ability_to_pay=ability_only,
    )
    order.refresh_from_db()
    assert not objection.valid and why in objection.invalid_reason
    assert order.status == PaymentOrder.Status.SERVED


def test_no_objection_in_15_days_makes_the_order_effective(world):
    order = served_order(world, days_ago=16)
    Deadline.objects.filter(case=order.case, kind="payment_order_objection").update(
        due_on=timezone.localdate() - timedelta(days=1), calendar_warning=False
    )
    case_services.deadlines_act_on_due()
    order.refresh_from_db()
    order.case.refresh_from_db()
    assert order.status == PaymentOrder.Status.EFFECTIVE and order.case.stage == Stage.ENFORCEABLE


def test_order_not_served_in_30_days_lapses(world):
    case = at(world, Stage.COURT_MEDIATION, annual_rate=Decimal("18"), address="泉州市")
    order = services.payment_order_apply(case=case, actor=world.creditor1)
    order = services.payment_order_issue(
        order=services.payment_order_accept(order=order, actor=world.clerk1), actor=world.judge1
    )
    Deadline.objects.filter(case=case, kind="payment_order_service").update(
        due_on=timezone.localdate() - timedelta(days=1), calendar_warning=False
    )
    case_services.deadlines_act_on_due()
    order.refresh_from_db()
    case.refresh_from_db()
    assert order.status == PaymentOrder.Status.LAPSED and case.stage == Stage.COURT_MEDIATION


def test_objection_window_paused_by_a_hold_is_extended(world):
    order = served_order(world, days_ago=14)
    hold = case_services.hold_place(case=order.case, kind="objection", actor=world.clerk1, reason="审查身份")
    Deadline.objects.filter(case=order.case, kind="payment_order_objection").update(
        paused_since=timezone.now() - timedelta(days=5)
    )
    case_services.hold_lift(hold=hold, actor=world.clerk1)
    window = order.case.deadlines.get(kind="payment_order_objection")
    objection = services.payment_order_object(
        order=order, form="written", filed_on=window.due_on - timedelta(days=1), statement="非本人借款"
    )
    assert objection.valid


def test_suit_procedure_follows_the_centres_threshold(world, monkeypatch):
    # CPL 166: small claims only for a debtor who can be served other than by publication (an address here).
    small = world.case(principal=Decimal("30000"), interest=Decimal("0"), fees=Decimal("0"), address="泉州市")
    large = world.case(principal=Decimal("60000"), interest=Decimal("0"), fees=Decimal("0"), address="泉州市")
    assert services.suit_procedure_for(small) == "small_claims"
    assert services.suit_procedure_for(large) == "summary"
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: date(2026, 6, 1))
    suit = services.suit_file(case=at(world, Stage.COURT_MEDIATION, address="泉州市"), actor=world.creditor1)
    # CPL 168: 2 months from filing; 2026-08-01 is a Saturday, so the limit ends on Monday (CPL 85¶3).
    assert (suit.filed_on, suit.decide_by) == (date(2026, 6, 1), date(2026, 8, 3))


def test_judgment_then_enforcement_with_late_interest_and_dishonest_list(world):
    case = at(world, Stage.IN_LITIGATION)
    suit = services.suit_file(case=case, actor=world.judge1)
    services.suit_record_judgment(
        suit=suit, actor=world.judge1, amount=Decimal("10000.00"), performance_days=10
    )
    case.refresh_from_db()
    assert case.stage == Stage.ENFORCEABLE and case.performance_due_on == timezone.localdate() + timedelta(
        days=10
    )
    enforcement = services.enforcement_apply(case=case, actor=world.creditor1, amount=Decimal("10000.00"))
    assert "执" in enforcement.filing.number
    services.enforcement_measure_log(
        enforcement=enforcement, actor=world.judge1, kind="deduction", amount_received=Decimal("4000.00")
    )
    figures = services.enforcement_figures(enforcement, today=case.performance_due_on + timedelta(days=100))
    assert figures.unpaid == Decimal("6000.00") and figures.days_late == 100
    assert figures.late_interest == Decimal("105.00")  # 6000 x 0.0175% x 100
    services.enforcement_list_dishonest(
        enforcement=enforcement, actor=world.judge1, grounds="有能力履行而拒不履行"
    )
    enforcement.refresh_from_db()
    assert enforcement.dishonest_listed_on == timezone.localdate()


def test_late_interest_rule():
    # CPL 264 per unpaid part and day; the worked example and both-sides pins are in
    # test_enforcement_figures.py. The flat "unpaid x days" formula it replaces ignored when parts were paid.
    due = date(2026, 3, 2)
    dues = [(due, Decimal("10000"))]
    assert services.late_performance_interest(dues=dues, payments=[], on=due + timedelta(days=1)) == Decimal(
        "1.75"
    )
    assert services.late_performance_interest(dues=dues, payments=[], on=due) == Decimal("0.00")


def test_termination_of_the_round_needs_a_search_and_three_months(world):
    case = at(world, Stage.IN_LITIGATION)
    suit = services.suit_file(case=case, actor=world.judge1)
    services.suit_record_judgment(suit=suit, actor=world.judge1, amount=Decimal("10000.00"))
    case.refresh_from_db()
    enforcement = services.enforcement_apply(case=case, actor=world.creditor1)
    with pytest.raises(CourtError):
        services.enforcement_suspend(enforcement=enforcement, actor=world.judge1, reason="无财产")
    services.enforcement_measure_log(
        enforcement=enforcement, actor=world.judge1, kind="asset_search", note="无财产"
    )
    with pytest.raises(CourtError):
        services.enforcement_suspend(enforcement=enforcement, actor=world.judge1, reason="无财产")
    type(enforcement).objects.filter(pk=enforcement.pk).update(
        applied_on=timezone.localdate() - timedelta(days=95)
    )
    enforcement.refresh_from_db()
    services.enforcement_suspend(enforcement=enforcement, actor=world.judge1, reason="无财产")
    case.refresh_from_db()
    assert case.stage == Stage.ENFORCEMENT_SUSPENDED
    recheck = case.deadlines.get(kind="enforcement_recheck", status="open")
    Deadline.objects.filter(pk=recheck.pk).update(
        due_on=timezone.localdate() - timedelta(days=1), calendar_warning=False
    )
    case_services.deadlines_act_on_due()
    assert case.deadlines.filter(kind="enforcement_recheck", status="open").count() == 1
    services.enforcement_resume(enforcement=enforcement, actor=world.creditor1, reason="发现财产")
    case.refresh_from_db()
    assert case.stage == Stage.IN_ENFORCEMENT


def test_generic_buttons_go_through_the_court_services_or_are_refused(world):
    from cases.errors import TransitionRefused

    case = at(world, Stage.COURT_MEDIATION, annual_rate=Decimal("18"), address="泉州市")
    case_services.case_transition_generic(case=case, transition="apply_payment_order", actor=world.creditor1)
    assert PaymentOrder.objects.filter(case=case, status="applied").count() == 1
    case.refresh_from_db()
    case_services.case_transition_generic(case=case, transition="file_suit", actor=world.creditor1)
    assert Suit.objects.get(case=case).filing.number.endswith("号")
    settled = at(world, Stage.IN_MEDIATION)
    with pytest.raises(TransitionRefused) as excinfo:
        case_services.case_transition_generic(case=settled, transition="settle", actor=world.mediator1)
    assert excinfo.value.code == "dedicated"
    names = {
        t["name"]
        for t in case_services.case_available_transitions(case=settled, actor=world.mediator1, generic=True)
    }
    assert "settle" not in names and "escalate_to_court" in names
