"""Assignment balance, contact-hour rules, sessions, settlements and escalation."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Deadline, Stage
from cases.selectors import cases_visible_to
from core.models import Organisation, Role
from core.services import organisation_create, staff_user_create
from mediation import services
from mediation.errors import MediationError
from mediation.instalments import instalment_schedule
from mediation.models import Assignment, ContactAttempt, MediationSession, Settlement
from tests.factories import PASSWORD, valid_id_number

SHANGHAI = ZoneInfo("Asia/Shanghai")


def triaged_unassigned(world, n, **fields):
    cases = [world.case(routed=False, **fields) for _ in range(n)]
    for c in cases:
        case_services.case_transition(case=c, transition="triage", actor=None)
    return cases


def in_mediation(world):
    case = world.case()
    case_services.case_transition(case=case, transition="triage", actor=None)
    case_services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    case.refresh_from_db()
    return case


# --- assignment ---


def test_automatic_assignment_balances_workload_and_keeps_history(world):
    m2 = staff_user_create(username="m2", password=PASSWORD, organisation=world.committee, role=Role.MEDIATOR)
    already = world.case()  # mediator1 already carries one open case
    case_services.case_transition(case=already, transition="triage", actor=None)
    cases = triaged_unassigned(world, 9)
    given = services.cases_assign_auto(centre=world.qz)
    assert given == {world.mediator1.pk: 4, m2.pk: 5}  # 1+4 and 0+5: balanced
    assert Assignment.objects.filter(how="auto").count() == 9
    assert not Case.objects.filter(pk__in=[c.pk for c in cases], mediator__isnull=True).exists()


def test_region_goes_to_the_mediator_serving_it(world):
    m2 = staff_user_create(
        username="m2",
        password=PASSWORD,
        organisation=world.committee,
        role=Role.MEDIATOR,
        region_codes="350521",
    )
    local = triaged_unassigned(world, 3, id_number=valid_id_number(region="350521"))
    other = triaged_unassigned(world, 1, id_number=valid_id_number(region="350502"))
    services.cases_assign_auto(centre=world.qz)
    assert set(Case.objects.filter(pk__in=[c.pk for c in local]).values_list("mediator", flat=True)) == {
        m2.pk
    }
    assert Case.objects.get(pk=other[0].pk).mediator_id == world.mediator1.pk


def test_manual_reassignment_keeps_the_previous_mediator(world):
    m2 = staff_user_create(username="m2", password=PASSWORD, organisation=world.committee, role=Role.MEDIATOR)
    case = in_mediation(world)
    result = services.cases_assign(
        case_ids=[case.pk],
        mediator=m2,
        actor=world.admin,
        visible=cases_visible_to(world.admin),
        reason="休假",
    )
    assert result.done == [case.pk]
    last = Assignment.objects.get(case=case)
    assert (last.mediator_id, last.previous_mediator_id, last.how, last.reason) == (
        m2.pk,
        world.mediator1.pk,
        "manual",
        "休假",
    )


def test_creditors_cannot_assign(world):
    case = in_mediation(world)
    result = services.cases_assign(
        case_ids=[case.pk],
        mediator=world.mediator1,
        actor=world.creditor1,
        visible=cases_visible_to(world.creditor1),
    )
    assert result.done == []


def test_escalation_hands_cases_to_the_courts_invited_mediators(world):
    invited = organisation_create(
        centre=world.qz,
        kind=Organisation.Kind.COMMITTEE,
        code="qz-court-invited",
        name="特邀调解",
        invited_by_court=world.court,
    )
    court_mediator = staff_user_create(
        username="cm", password=PASSWORD, organisation=invited, role=Role.MEDIATOR
    )
    cases = [in_mediation(world) for _ in range(2)]
    result = services.cases_escalate(
        case_ids=[c.pk for c in cases],
        actor=world.mediator1,
        reason="拒绝调解",
        visible=cases_visible_to(world.mediator1),
    )
    assert sorted(result.done) == sorted(c.pk for c in cases)
    for c in cases:
        c.refresh_from_db()
        assert (c.stage, c.mediator_id, c.committee_id) == (
            Stage.COURT_MEDIATION,
            court_mediator.pk,
            invited.pk,
        )
        assert c.events.last().reason == "拒绝调解"
    assert Assignment.objects.filter(mediator=court_mediator).count() == 2


def test_escalation_without_a_reason_is_refused(world):
    case = in_mediation(world)
    from cases.errors import TransitionRefused

    with pytest.raises(TransitionRefused):
        services.cases_escalate(
            case_ids=[case.pk], actor=world.mediator1, reason="", visible=cases_visible_to(world.mediator1)
        )


# --- contacts ---


def at_local(hour, minute=0, day=None):
    day = day or timezone.localdate() - timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("hour", "minute"), [(22, 0), (23, 30), (2, 0), (7, 59)])
def test_contact_in_quiet_hours_is_refused_without_consent(world, hour, minute):
    case = in_mediation(world)
    with pytest.raises(MediationError) as excinfo:
        services.contact_log(
            case=case, actor=world.mediator1, channel="phone", at=at_local(hour, minute), outcome="reached"
        )
    assert excinfo.value.code == "quiet_hours"
    assert not ContactAttempt.objects.exists()


@pytest.mark.parametrize(("hour", "minute"), [(8, 0), (12, 0), (21, 59)])
def test_contact_in_the_day_is_logged(world, hour, minute):
    case = in_mediation(world)
    attempt, warnings = services.contact_log(
        case=case, actor=world.mediator1, channel="phone", at=at_local(hour, minute), outcome="reached"
    )
    assert attempt.pk and warnings == []
    assert case.events.filter(action="contact_logged").count() == 1


def test_quiet_hour_contact_is_allowed_with_recorded_consent(world):
    case = in_mediation(world)
    services.late_contact_consent_record(
        case=case, actor=world.mediator1, note="债务人白天上班，要求晚上联系"
    )
    attempt, _ = services.contact_log(
        case=case, actor=world.mediator1, channel="phone", at=at_local(22, 30), outcome="reached"
    )
    assert attempt.pk


def test_more_than_six_unanswered_calls_a_day_to_one_number_warns(world):
    case = in_mediation(world)
    warnings_seen = []
    for minute in range(7):
        _, warnings = services.contact_log(
            case=case, actor=world.mediator1, channel="phone", at=at_local(10, minute), outcome="no_answer"
        )
        warnings_seen.append(bool(warnings))
    assert warnings_seen == [False] * 6 + [True]


def test_unreachable_needs_a_reason(world):
    case = in_mediation(world)
    with pytest.raises(MediationError):
        services.contact_log(
            case=case, actor=world.mediator1, channel="phone", at=at_local(10), outcome="unreachable"
        )
    attempt, _ = services.contact_log(
        case=case,
        actor=world.mediator1,
        channel="phone",
        at=at_local(10),
        outcome="unreachable",
        unreachable_reason="空号",
    )
    assert attempt.unreachable_reason == "空号"


def test_another_mediator_cannot_log_contacts_on_my_case(world):
    other = staff_user_create(
        username="m9", password=PASSWORD, organisation=world.committee, role=Role.MEDIATOR
    )
    with pytest.raises(MediationError):
        services.contact_log(
            case=in_mediation(world), actor=other, channel="phone", at=at_local(10), outcome="reached"
        )


# --- sessions ---


def test_video_session_needs_a_link_and_notifies_parties(world, django_capture_on_commit_callbacks, settings):
    from django.core import mail

    from core.identifiers import mask_phone
    from mediation.tasks import session_notify_parties
    from notices.channels.sms import outbox as sms_outbox

    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    sms_outbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.creditor1.email = "staff@bank.example"
    world.creditor1.save()
    case = in_mediation(world)
    when = timezone.now() + timedelta(days=2)
    with pytest.raises(MediationError):
        services.session_schedule(case=case, actor=world.mediator1, kind="video", scheduled_at=when)
    with django_capture_on_commit_callbacks(execute=True):
        session = services.session_schedule(
            case=case,
            actor=world.mediator1,
            kind="video",
            scheduled_at=when,
            meeting_link="https://meet.example.org/abc",
        )
    session.refresh_from_db()
    assert session.parties_notified_at is not None
    [sms] = [m for m in sms_outbox if m["key"] == f"session-{session.pk}-debtor"]
    assert (
        case.code in sms["text"]
        and "https://meet.example.org/abc" in sms["text"]
        and "/debtor/" in sms["text"]
    )
    assert sms["to"] == mask_phone(case.phone)
    staff_mail = [m for m in mail.outbox if m.to == [world.creditor1.email]]
    assert len(staff_mail) == 1 and case.code in staff_mail[0].subject
    event = case.events.get(action="session_parties_notified")
    assert event.data["debtor"].startswith("sms 1") and "*" in event.data["debtor"]
    # The task again (a redelivery): nothing is sent twice.
    assert session_notify_parties(session.pk) is False
    assert len([m for m in sms_outbox if m["key"] == f"session-{session.pk}-debtor"]) == 1
    services.session_record(session=session, actor=world.mediator1, status="held", record="双方同意分期")
    assert MediationSession.objects.get().status == "held"


def test_a_provider_failing_for_now_retries_only_the_message_that_did_not_go(world, settings, monkeypatch):
    from celery.exceptions import Retry

    from mediation.tasks import session_notify_parties
    from notices import services as notice_services
    from notices.channels.base import TemporaryChannelError
    from notices.channels.sms import outbox as sms_outbox

    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    sms_outbox.clear()
    world.creditor1.email = "staff@bank.example"
    world.creditor1.save()
    real_send_email, failures = notice_services.send_email, []

    def flaky_send_email(**kwargs):
        if not failures:  # the mail server refuses the first time only
            failures.append(kwargs["idempotency_key"])
            raise TemporaryChannelError("SMTP 451")
        return real_send_email(**kwargs)

    monkeypatch.setattr(notice_services, "send_email", flaky_send_email)
    case = in_mediation(world)
    session = services.session_schedule(
        case=case, actor=world.mediator1, kind="phone", scheduled_at=timezone.now() + timedelta(days=1)
    )
    debtor_sms = f"session-{session.pk}-debtor"

    later: dict = {}

    def retry_later(*, kwargs, countdown):  # what a worker would queue for later
        later.update(kwargs)
        return Retry("later", when=countdown)

    monkeypatch.setattr(session_notify_parties, "retry", retry_later)
    session_notify_parties.push_request(retries=0, is_eager=False)  # as a worker runs it
    try:
        with pytest.raises(Retry):
            session_notify_parties.run(session.pk)
    finally:
        session_notify_parties.pop_request()
    assert later["done"] == [debtor_sms]  # the SMS went; the e-mail waits
    session_notify_parties.push_request(retries=1, is_eager=False)
    try:
        assert session_notify_parties.run(**later) is True
    finally:
        session_notify_parties.pop_request()

    assert len([m for m in sms_outbox if m["key"] == debtor_sms]) == 1  # not sent twice
    event = case.events.get(action="session_parties_notified")
    assert event.data["staff " + str(world.creditor1.pk)] == "e-mail" and event.data["debtor"].startswith(
        "sms"
    )


def test_a_session_cancelled_before_the_task_runs_is_not_announced(world):
    from mediation.tasks import session_notify_parties

    case = in_mediation(world)
    session = services.session_schedule(
        case=case, actor=world.mediator1, kind="phone", scheduled_at=timezone.now() + timedelta(days=1)
    )
    services.session_record(session=session, actor=world.mediator1, status="cancelled", record="债务人改期")
    assert session_notify_parties(session.pk) is False
    assert not case.events.filter(action="session_parties_notified").exists()


# --- settlements ---


@pytest.mark.parametrize(
    ("total", "count", "frequency"),
    [
        ("10000.00", 3, "monthly"),
        ("999.99", 7, "weekly"),
        ("0.05", 5, "biweekly"),
        ("123456.78", 36, "monthly"),
    ],
)
def test_instalment_schedule_sums_to_the_total_to_the_fen(total, count, frequency):
    plan = instalment_schedule(
        total=Decimal(total), first_due=date(2026, 1, 31), frequency=frequency, count=count
    )
    assert sum(p.amount for p in plan) == Decimal(total)
    assert len(plan) == count and all(p.amount > 0 for p in plan)
    assert [p.seq for p in plan] == list(range(1, count + 1))


def test_monthly_schedule_keeps_the_day_or_the_month_end():
    plan = instalment_schedule(
        total=Decimal("300"), first_due=date(2026, 1, 31), frequency="monthly", count=3
    )
    assert [p.due_on for p in plan] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]


def test_settlement_takes_effect_on_the_last_signature_and_opens_the_confirmation_window(world):
    case = in_mediation(world)
    s = services.settlement_draft(
        case=case,
        actor=world.mediator1,
        kind="instalments",
        total=Decimal("9000.00"),
        waived_interest=Decimal("500.00"),
        waived_fees=Decimal("100.00"),
        first_due=date(2026, 12, 1),
        count=3,
    )
    assert [i.amount for i in s.instalments.all()] == [Decimal("3000.00")] * 3
    with pytest.raises(MediationError):  # the debtor cannot accept a draft that was not offered
        services.settlement_debtor_accept(settlement=s, ip="127.0.0.1", document_sha256="x")
    s = services.settlement_offer(settlement=s, actor=world.mediator1)
    with pytest.raises(MediationError):  # a different document than the one offered
        services.settlement_debtor_accept(settlement=s, ip="127.0.0.1", document_sha256="0" * 64)
    s = services.settlement_debtor_accept(settlement=s, ip="127.0.0.1", document_sha256=s.document_sha256)
    # PML 29¶2: the creditor signs too (its consent to the waivers recorded), then the mediator with the seal.
    s = services.settlement_creditor_sign(
        settlement=s, actor=world.creditor1, document_sha256=s.document_sha256
    )
    s = services.settlement_mediator_sign(settlement=s, actor=world.mediator1, seal=True)
    case.refresh_from_db()
    assert s.status == Settlement.Status.EFFECTIVE and s.effective_on == timezone.localdate()
    assert case.stage == Stage.SETTLED and case.settlement_effective_on == s.effective_on
    window = case.deadlines.get(kind=Deadline.Kind.CONFIRMATION_APPLICATION)
    assert window.status == "open" and (window.due_on - s.effective_on).days >= 30
    actions = list(case.events.values_list("action", flat=True))
    assert (
        actions[-4:] == ["settlement_offered", "settlement_accepted_by_debtor", "settle"][-3:]
        or "settle" in actions
    )


def test_edited_schedule_must_add_up(world):
    case = in_mediation(world)
    s = services.settlement_draft(
        case=case, actor=world.mediator1, kind="instalments", total=Decimal("1000.00"), count=2
    )
    with pytest.raises(MediationError) as excinfo:
        services.settlement_schedule_edit(
            settlement=s,
            actor=world.mediator1,
            rows=[(date(2027, 1, 1), Decimal("600")), (date(2027, 2, 1), Decimal("300"))],
        )
    assert excinfo.value.code == "schedule_sum"
    services.settlement_schedule_edit(
        settlement=s,
        actor=world.mediator1,
        rows=[(date(2027, 1, 1), Decimal("600")), (date(2027, 2, 1), Decimal("400"))],
    )
    assert [i.amount for i in s.instalments.all()] == [Decimal("600.00"), Decimal("400.00")]


# --- failure paths ---


def test_expired_peoples_mediation_window_escalates_and_court_window_only_expires(world):
    people = in_mediation(world)
    court = in_mediation(world)
    case_services.case_transition(
        case=court, transition="escalate_to_court", actor=world.mediator1, reason="拒绝"
    )
    Deadline.objects.filter(case__in=[people, court], status="open").update(
        due_on=timezone.localdate() - timedelta(days=1), calendar_warning=False
    )
    counts = case_services.deadlines_act_on_due()
    people.refresh_from_db()
    court.refresh_from_db()
    assert people.stage == Stage.COURT_MEDIATION and counts["escalate_to_court"] == 1
    assert court.stage == Stage.COURT_MEDIATION
    assert people.events.filter(action="escalate_to_court", actor_role="system").exists()


def test_mark_unreachable_in_bulk(world):
    cases = [in_mediation(world) for _ in range(3)]
    n = services.cases_mark_unreachable(
        case_ids=[c.pk for c in cases],
        actor=world.mediator1,
        reason="多次无人接听",
        visible=cases_visible_to(world.mediator1),
    )
    assert n == 3
    assert ContactAttempt.objects.filter(outcome="unreachable").count() == 3


def test_debtor_coming_forward_goes_straight_to_a_mediator(world):
    case = world.case(routed=False)
    case = services.mediation_request_from_debtor(case=case, note="哥哥重病，我代为协商还款")
    assert case.stage == Stage.IN_MEDIATION and case.mediator_id == world.mediator1.pk
    assert case.events.filter(action="debtor_came_forward", reason__contains="哥哥重病").exists()
