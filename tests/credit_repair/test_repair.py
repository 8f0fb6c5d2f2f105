"""Credit repair after full performance: steps with their limits (removal from the dishonest list within 3
working days, across National Day 2026), overdue steps flagged, each party's step, certificate and close."""

from datetime import date

import pytest

from cases.models import Deadline, Stage
from cases.services import case_transition
from courts import services as court_services
from courts.models import Enforcement
from credit_repair import selectors, services
from credit_repair.models import RepairRecord, RepairStep
from notices.models import Notice

from .conftest import actions, freeze_today, pdf_text, performing

NATIONAL_DAY_EVE = date(2026, 9, 30)
K = RepairStep.Kind


@pytest.fixture
def listed_case(world, monkeypatch):
    """Paid in full on Sep 30 2026 while enforced, on the dishonest list and restricted in consumption."""
    freeze_today(monkeypatch, NATIONAL_DAY_EVE)
    case = performing(world, total="3000.00", count=1, first_due=date(2026, 9, 1))
    enforcement = court_services.enforcement_apply(case=case, actor=world.creditor1)
    court_services.enforcement_list_dishonest(enforcement=enforcement, actor=world.judge1, grounds="拒不履行")
    court_services.enforcement_measure_log(
        enforcement=enforcement, actor=world.judge1, kind="consumption_ban"
    )
    services.payment_record(
        case=case, paid_on=NATIONAL_DAY_EVE, amount="3000.00", reference="FULL", actor=world.creditor1
    )
    case.refresh_from_db()
    return case


def steps(case):
    return {s.kind: s for s in RepairStep.objects.filter(case=case)}


def test_removal_is_due_3_working_days_after_performance_across_national_day(listed_case):
    case = listed_case
    assert case.stage == Stage.CREDIT_REPAIR and case.performed_on == NATIONAL_DAY_EVE
    removal_limit = case.deadlines.get(kind=Deadline.Kind.RECORD_REMOVAL)
    # Oct 1-7 are holidays: Oct 8, Oct 9 and the adjusted working Saturday Oct 10 are the 3 working days.
    assert removal_limit.due_on == date(2026, 10, 10) and removal_limit.status == Deadline.Status.OPEN
    s = steps(case)
    assert (s[K.LIST_REMOVAL].status, s[K.LIST_REMOVAL].due_on) == ("pending", date(2026, 10, 10))
    assert s[K.LIST_REMOVAL].deadline == removal_limit and s[K.LIST_REMOVAL].party == "court"
    assert (s[K.RESTRICTION_LIFT].status, s[K.RESTRICTION_LIFT].due_on) == ("pending", date(2026, 10, 10))
    assert (s[K.CREDIT_REPORT_CORRECTION].party, s[K.CREDIT_REPORT_CORRECTION].due_on) == (
        "creditor",
        date(2026, 10, 30),
    )
    assert s[K.CERTIFICATE].status == "pending"


def test_overdue_steps_are_flagged_for_those_who_see_the_case_only(world, listed_case, monkeypatch, login):
    case = listed_case
    assert list(selectors.repairs_overdue(world.judge1, today=date(2026, 10, 10))) == []
    overdue = selectors.repairs_overdue(world.judge1, today=date(2026, 10, 12))
    assert {s.kind for s in overdue} == {K.LIST_REMOVAL, K.RESTRICTION_LIFT}
    assert selectors.repairs_overdue(world.admin, today=date(2026, 10, 12)).count() == 2
    assert selectors.repairs_overdue(world.creditor1, today=date(2026, 10, 12)).count() == 2
    assert selectors.repairs_overdue(world.creditor2, today=date(2026, 10, 12)).count() == 0
    assert selectors.repairs_overdue(world.judge2, today=date(2026, 10, 12)).count() == 0
    freeze_today(monkeypatch, date(2026, 10, 12))
    page = login("judge1").get(f"/repair/cases/{case.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="overdue"' in html and "Overdue" in html
    assert 'data-testid="step-form-list_removal"' in html
    assert 'data-testid="step-form-credit_report_correction"' not in html  # the creditor's step
    dashboard = login("judge1").get("/repair/")
    assert 'data-testid="overdue-count">2<' in dashboard.content.decode()


def test_each_party_records_its_own_step_then_the_certificate_is_issued_and_the_case_closed(
    world, listed_case, monkeypatch, login, django_capture_on_commit_callbacks
):
    case = listed_case
    freeze_today(monkeypatch, date(2026, 10, 9))
    creditor = login("creditor1")
    creditor.post(f"/repair/cases/{case.code}/steps/list_removal/", {"list_removal-done_on": "2026-10-09"})
    assert steps(case)[K.LIST_REMOVAL].status == "pending"  # not the creditor's step
    judge = login("judge1")
    response = judge.post(
        f"/repair/cases/{case.code}/steps/list_removal/",
        {"list_removal-done_on": "2026-10-09", "list_removal-reference": "（2026）闽0502执1号之一"},
    )
    assert response.status_code == 302
    enforcement = Enforcement.objects.get(case=case)
    assert enforcement.dishonest_removed_on == date(2026, 10, 9)
    assert case.deadlines.get(kind=Deadline.Kind.RECORD_REMOVAL).status == Deadline.Status.MET
    services.repair_step_complete(case=case, kind=K.RESTRICTION_LIFT, actor=world.clerk1)
    enforcement.refresh_from_db()
    assert enforcement.consumption_restricted is False
    creditor = login("creditor1")
    creditor.post(
        f"/repair/cases/{case.code}/steps/credit_report_correction/",
        {"credit_report_correction-done_on": "2026-10-09"},
    )
    assert steps(case)[K.CREDIT_REPORT_CORRECTION].status == "pending"  # a reference is required
    with django_capture_on_commit_callbacks(execute=True):
        creditor.post(
            f"/repair/cases/{case.code}/steps/credit_report_correction/",
            {
                "credit_report_correction-done_on": "2026-10-09",
                "credit_report_correction-reference": "ZX-2026-000123",
            },
        )
    case.refresh_from_db()
    record = RepairRecord.objects.get(case=case)
    assert case.stage == Stage.CLOSED and record.status == RepairRecord.Status.DONE
    assert record.certificate.kind == "credit_repair_certificate" and record.certificate.sha256
    with record.certificate.pdf.open("rb") as f:
        text = pdf_text(f.read())
    assert "已于2026年10月9日将其从失信被执行人名单中删除" in text and "解除对其采取的限制消费措施" in text
    assert "ZX-2026-000123" in text and "2031年9月30日" in text
    assert actions(case)[-6:] == [
        "dishonest_list_removed",
        "consumption_restriction_lifted",
        "credit_report_corrected",
        "notice_queued",
        "credit_repair_certificate_issued",
        "close",
    ]


def test_a_debtor_never_listed_needs_no_removal_and_the_limit_is_met(world):
    case = performing(world, total="3000.00", count=1)
    services.payment_record(
        case=case, paid_on=date(2026, 9, 1), amount="3000.00", reference="R", actor=world.creditor1
    )
    s = steps(case)
    assert s[K.LIST_REMOVAL].status == "not_needed" and s[K.RESTRICTION_LIFT].status == "not_needed"
    assert case.deadlines.get(kind=Deadline.Kind.RECORD_REMOVAL).status == Deadline.Status.MET
    assert [x.kind for x in selectors.repairs_pending_for(world.creditor1)] == [K.CREDIT_REPORT_CORRECTION]
    assert list(selectors.repairs_pending_for(world.judge1)) == []


def test_an_unanswered_objection_holds_back_the_certificate(world):
    case = performing(world, total="3000.00", count=1)
    services.payment_record(
        case=case, paid_on=date(2026, 9, 1), amount="3000.00", reference="R", actor=world.creditor1
    )
    objection = services.credit_objection_file(case=case, statement="逾期记录有误", evidence=[])
    services.repair_step_complete(
        case=case, kind=K.CREDIT_REPORT_CORRECTION, actor=world.creditor1, reference="ZX-1"
    )
    case.refresh_from_db()
    assert case.stage == Stage.CREDIT_REPAIR and not Notice.objects.filter(case=case).exists()
    services.credit_objection_answer(
        objection=objection, actor=world.creditor1, answer="已核实并更正。", record_corrected=True
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert Notice.objects.filter(case=case, kind="credit_repair_certificate").count() == 1


def test_the_sweep_opens_repair_for_cases_performed_in_the_court_console(world):
    case = performing(world, total="3000.00", count=1)
    case_transition(case=case, transition="record_full_performance", actor=world.judge1)
    assert not RepairRecord.objects.filter(case=case).exists()
    counts = services.repairs_advance_pending()
    case.refresh_from_db()
    assert counts["opened"] == 1 and case.stage == Stage.CREDIT_REPAIR
    assert services.repairs_advance_pending()["opened"] == 0
