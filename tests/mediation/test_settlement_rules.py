"""The rules of DOMAIN.md "Mediation and judicial confirmation", each pinned on a fixed clock:
settlement formation (PML 29¶2), the joint confirmation application (CPL 205; Interp. 351), refusal
(PML 17; Online Mediation Rules 25) and extension of the period (Online Mediation Rules 24)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import services as case_services
from cases.deadlines import due_date_for_centre
from cases.errors import TransitionRefused
from cases.models import Case, Deadline, EventAction, Stage
from cases.rules import Period
from cases.selectors import cases_visible_to
from core.actors import SYSTEM
from mediation import services
from mediation.errors import MediationError
from mediation.models import ContactAttempt, MediationSession, Settlement

BEIJING = ZoneInfo("Asia/Shanghai")


class Clock:
    """A fixed clock: timezone.now (and so localdate) returns the set moment."""

    def __init__(self, monkeypatch, start: datetime) -> None:
        self.at = start
        monkeypatch.setattr(timezone, "now", lambda: self.at)

    def set(self, day: date, hour: int = 10) -> None:
        self.at = datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, datetime(2026, 3, 2, 10, tzinfo=BEIJING))


def in_mediation(world) -> Case:
    case = world.case()
    case_services.case_transition(case=case, transition="triage", actor=None)
    case_services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    case.refresh_from_db()
    return case


def offered(world, case: Case, total: str | None = None, **kwargs) -> Settlement:
    s = services.settlement_draft(
        case=case,
        actor=world.mediator1,
        kind="lump_sum",
        total=Decimal(total) if total else case.claimed_total,
        first_due=date(2026, 6, 30),
        **kwargs,
    )
    return services.settlement_offer(settlement=s, actor=world.mediator1)


# --- PML 29¶2: formation ------------------------------------------------------------------------------


def test_pml_29_settlement_takes_effect_on_the_last_of_signatures_and_seal(world, clock):
    case = in_mediation(world)
    s = offered(world, case)
    clock.set(date(2026, 3, 2))
    s = services.settlement_debtor_accept(settlement=s, ip="127.0.0.1", document_sha256=s.document_sha256)
    clock.set(date(2026, 3, 3))
    s = services.settlement_mediator_sign(settlement=s, actor=world.mediator1)  # no seal yet
    clock.set(date(2026, 3, 4))
    s = services.settlement_creditor_sign(
        settlement=s, actor=world.creditor1, document_sha256=s.document_sha256
    )
    case.refresh_from_db()
    # Both parties and the mediator have signed, the seal is missing: not effective, no clock started.
    assert s.status == Settlement.Status.AWAITING_SEAL and s.effective_on is None
    assert case.stage == Stage.IN_MEDIATION and case.settlement_effective_on is None
    assert not case.deadlines.filter(kind=Deadline.Kind.CONFIRMATION_APPLICATION).exists()

    clock.set(date(2026, 3, 6))
    s = services.settlement_seal(settlement=s, actor=world.mediator1)
    case.refresh_from_db()
    assert s.status == Settlement.Status.EFFECTIVE and s.effective_on == date(2026, 3, 6)
    assert s.sealed_by == world.mediator1 and s.sealed_at == clock.at
    assert case.stage == Stage.SETTLED and case.settlement_effective_on == date(2026, 3, 6)
    window = case.deadlines.get(kind=Deadline.Kind.CONFIRMATION_APPLICATION)
    expected = due_date_for_centre(
        centre_id=case.centre_id, kind=Deadline.Kind.CONFIRMATION_APPLICATION, start=date(2026, 3, 6)
    ).due_on
    assert window.starts_on == date(2026, 3, 6) and window.due_on == expected
    assert expected >= date(2026, 3, 6) + timedelta(days=30)
    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    assert actions[-5:] == [
        EventAction.SETTLEMENT_ACCEPTED_BY_DEBTOR,
        EventAction.SETTLEMENT_SIGNED_BY_MEDIATOR,
        EventAction.SETTLEMENT_SIGNED_BY_CREDITOR,
        EventAction.SETTLEMENT_SEALED,
        EventAction.SETTLE,
    ]


def test_pml_29_creditor_signing_last_makes_it_effective_that_day(world, clock):
    case = in_mediation(world)
    s = offered(world, case)
    clock.set(date(2026, 3, 2))
    s = services.settlement_debtor_accept(settlement=s, ip=None, document_sha256=s.document_sha256)
    s = services.settlement_mediator_sign(settlement=s, actor=world.mediator1, seal=True)
    case.refresh_from_db()
    assert s.status == Settlement.Status.AWAITING_CREDITOR and case.stage == Stage.IN_MEDIATION
    clock.set(date(2026, 3, 9))
    s = services.settlement_creditor_sign(
        settlement=s, actor=world.creditor1, document_sha256=s.document_sha256
    )
    case.refresh_from_db()
    assert s.effective_on == date(2026, 3, 9) == case.settlement_effective_on
    settle = case.events.get(action=EventAction.SETTLE)
    assert settle.actor_role == "system"  # the platform records the agreement taking effect


def test_pml_29_only_the_cases_own_creditor_and_committee_sign_and_seal(world, clock):
    case = in_mediation(world)
    s = offered(world, case)
    with pytest.raises(MediationError) as excinfo:
        services.settlement_creditor_sign(
            settlement=s, actor=world.creditor2, document_sha256=s.document_sha256
        )
    assert excinfo.value.code == "not_creditor"
    with pytest.raises(MediationError):  # not the document offered
        services.settlement_creditor_sign(settlement=s, actor=world.creditor1, document_sha256="0" * 64)
    s = services.settlement_debtor_accept(settlement=s, ip=None, document_sha256=s.document_sha256)
    with pytest.raises(MediationError):  # the seal goes with or after the mediator's signature
        services.settlement_seal(settlement=s, actor=world.mediator1)
    s = services.settlement_mediator_sign(settlement=s, actor=world.mediator1)
    with pytest.raises(MediationError) as excinfo:
        services.settlement_seal(settlement=s, actor=world.judge1)
    assert excinfo.value.code == "not_committee"


def test_pml_29_a_waiver_needs_the_creditors_recorded_consent(world, clock):
    below = in_mediation(world)
    s = offered(world, below, total=str(below.claimed_total - Decimal("0.01")))
    s = services.settlement_creditor_sign(
        settlement=s, actor=world.creditor1, document_sha256=s.document_sha256
    )
    assert s.waives and s.waiver_consented_at == clock.at and s.waiver_consented_by == world.creditor1
    assert below.events.filter(action=EventAction.WAIVER_CONSENTED).count() == 1

    full = in_mediation(world)
    s = offered(world, full)  # the whole claim, nothing waived
    s = services.settlement_creditor_sign(
        settlement=s, actor=world.creditor1, document_sha256=s.document_sha256
    )
    assert not s.waives and s.waiver_consented_at is None and s.waiver_consented_by is None
    assert not full.events.filter(action=EventAction.WAIVER_CONSENTED).exists()

    interest = in_mediation(world)
    s = offered(world, interest, waived_interest=Decimal("1.00"))
    s = services.settlement_creditor_sign(
        settlement=s, actor=world.creditor1, document_sha256=s.document_sha256
    )
    assert s.waives and s.waiver_consented_by == world.creditor1


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_pml_29_creditor_signs_by_api_on_its_own_cases_only(world, clock):
    case = in_mediation(world)
    s = offered(world, case)
    url = reverse("api-settlement-creditor-signature", args=[case.code])
    body = {"document_sha256": s.document_sha256, "apply_for_confirmation": True}
    assert api(world.creditor2).post(url, body, format="json").status_code == 404  # another creditor
    assert api(world.mediator1).post(url, body, format="json").status_code == 404
    response = api(world.creditor1).post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Settlement.Status.AWAITING_DEBTOR
    assert response.json()["confirmation_consent_creditor_at"] is not None
    again = api(world.creditor1).post(url, body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "settlement_state"
    schema = api(world.creditor1).get(reverse("api-schema")).content.decode()
    assert "/api/mediation/cases/{code}/settlement/creditor-signature/" in schema


def test_pml_29_creditor_signs_in_the_creditor_pages(client, world, clock):
    case = in_mediation(world)
    s = offered(world, case)
    client.force_login(world.creditor1)
    url = reverse("mediation:creditor-case", args=[case.pk])
    assert s.document_sha256 in client.get(url).content.decode()
    client.post(url, {"action": "sign", "document_sha256": s.document_sha256, "apply_for_confirmation": "on"})
    s.refresh_from_db()
    case.refresh_from_db()
    assert s.creditor_signed_by == world.creditor1 and case.confirmation_consent_creditor_at == clock.at
    client.force_login(world.creditor2)
    assert client.get(url).status_code in (403, 404)


# --- CPL 205 (201); Interp. 351: the joint application ------------------------------------------------


def settled_with(world, clock, *, debtor: bool, creditor: bool) -> Case:
    case = in_mediation(world)
    s = offered(world, case)
    s = services.settlement_debtor_accept(
        settlement=s, ip=None, document_sha256=s.document_sha256, apply_for_confirmation=debtor
    )
    s = services.settlement_creditor_sign(
        settlement=s,
        actor=world.creditor1,
        document_sha256=s.document_sha256,
        apply_for_confirmation=creditor,
    )
    services.settlement_mediator_sign(settlement=s, actor=world.mediator1, seal=True)
    case.refresh_from_db()
    assert case.stage == Stage.SETTLED
    return case


def test_cpl_205_confirmation_is_applied_for_by_both_parties(world, clock):
    only_debtor = settled_with(world, clock, debtor=True, creditor=False)
    with pytest.raises(TransitionRefused) as excinfo:
        case_services.case_transition(case=only_debtor, transition="request_confirmation", actor=world.clerk1)
    assert excinfo.value.code == "condition"
    only_creditor = settled_with(world, clock, debtor=False, creditor=True)
    with pytest.raises(TransitionRefused):
        case_services.case_transition(
            case=only_creditor, transition="request_confirmation", actor=world.clerk1
        )

    # The creditor consents separately afterwards: now both have, and the application goes to the court.
    services.settlement_confirmation_consent(case=only_debtor, party="creditor", actor=world.creditor1)
    case_services.case_transition(case=only_debtor, transition="request_confirmation", actor=world.clerk1)
    only_debtor.refresh_from_db()
    assert only_debtor.stage == Stage.CONFIRMATION_REQUESTED
    with pytest.raises(MediationError):  # another creditor's staff cannot consent for this one
        services.settlement_confirmation_consent(case=only_creditor, party="creditor", actor=world.creditor2)


def test_cpl_205_the_court_console_shows_both_consents(client, world, clock):
    case = settled_with(world, clock, debtor=True, creditor=True)
    client.force_login(world.judge1)
    page = client.get(reverse("court:cases_case_change", args=[case.pk])).content.decode()
    assert 'id="joint-application"' in page
    stamp = timezone.localtime(clock.at).strftime("%Y-%m-%d %H:%M")
    assert page.count(stamp) >= 2
    other = settled_with(world, clock, debtor=True, creditor=False)
    page = client.get(reverse("court:cases_case_change", args=[other.pk])).content.decode()
    assert 'data-party="creditor">' in page


# --- PML 17; Online Mediation Rules 25: refusal -------------------------------------------------------


def test_pml_17_refusal_ends_mediation_and_stops_mediation_contact(world, clock):
    case = in_mediation(world)
    other = in_mediation(world)
    services.mediation_refusal_record(case=case, actor=world.mediator1, how="电话中明确表示拒绝调解")
    case.refresh_from_db()
    assert case.stage == Stage.COURT_MEDIATION  # out of people's mediation, on to the court's route
    assert case.events.filter(action=EventAction.MEDIATION_REFUSED).count() == 1
    escalated = case.events.get(action=EventAction.ESCALATE_TO_COURT)
    assert escalated.reason == services.REFUSAL_REASON
    assert case.mediator_id == world.mediator1.pk  # no court-invited mediator is assigned to mediate again
    kwargs = {
        "actor": world.mediator1,
        "channel": "phone",
        "at": clock.at - timedelta(hours=1),
        "outcome": "reached",
    }
    with pytest.raises(MediationError) as excinfo:
        services.contact_log(case=case, **kwargs)
    assert excinfo.value.code == "refused"
    with pytest.raises(MediationError):
        services.session_schedule(
            case=case, actor=world.mediator1, kind="phone", scheduled_at=clock.at + timedelta(days=1)
        )
    visible = cases_visible_to(world.mediator1)
    assert (
        services.cases_schedule_contact(
            case_ids=[case.pk, other.pk], actor=world.mediator1, due_on=date(2026, 3, 10), visible=visible
        )
        == 1
    )
    # The other side: a case without a refusal is contacted and scheduled as before.
    attempt, _warnings = services.contact_log(case=other, **kwargs)
    assert isinstance(attempt, ContactAttempt)
    session = services.session_schedule(
        case=other, actor=world.mediator1, kind="phone", scheduled_at=clock.at + timedelta(days=1)
    )
    assert isinstance(session, MediationSession)
    # Recording it again changes nothing.
    services.mediation_refusal_record(case=case, actor=world.mediator1, how="again")
    assert case.events.filter(action=EventAction.MEDIATION_REFUSED).count() == 1


def test_pml_17_refusal_needs_a_mediator_of_the_case_and_a_statement(world, clock):
    case = in_mediation(world)
    with pytest.raises(MediationError):
        services.mediation_refusal_record(case=case, actor=world.creditor1, how="x")
    with pytest.raises(MediationError):
        services.mediation_refusal_record(case=case, actor=world.mediator1, how="  ")
    services.mediation_refusal_record(case=case, actor=SYSTEM, how="debtor pages")
    case.refresh_from_db()
    assert case.stage == Stage.COURT_MEDIATION


# --- Online Mediation Rules 24: extension by every party's consent ------------------------------------


def window(case: Case) -> Deadline:
    return case.deadlines.get(kind=Deadline.Kind.MEDIATION_WINDOW, status=Deadline.Status.OPEN)


def test_rules_24_extension_moves_the_window_only_when_every_party_consents(world, clock):
    case = in_mediation(world)
    before = window(case).due_on
    services.mediation_extension_consent(case=case, party="debtor", actor=world.mediator1, days=15)
    assert window(case).due_on == before  # one party only: no extension
    extension = services.mediation_extension_consent(
        case=case, party="creditor", actor=world.creditor1, days=15
    )
    expected = due_date_for_centre(
        centre_id=case.centre_id, start=before, period=Period(15, "days", "agreed extension")
    ).due_on
    assert window(case).due_on == expected == extension.new_due_on
    assert extension.creditor_consented_by == world.creditor1 and extension.applied_at == clock.at
    assert case.events.filter(action=EventAction.MEDIATION_EXTENSION_CONSENT).count() == 2
    assert case.events.filter(action=EventAction.MEDIATION_EXTENDED).count() == 1
    with pytest.raises(MediationError):
        services.mediation_extension_consent(case=case, party="debtor", actor=world.mediator1, days=0)


def test_rules_24_25_window_over_without_agreed_extension_ends_mediation_on_that_ground(world, clock):
    lapsed = in_mediation(world)
    extended = in_mediation(world)
    due = window(lapsed).due_on
    services.mediation_extension_consent(case=extended, party="debtor", actor=world.mediator1, days=10)
    services.mediation_extension_consent(case=extended, party="creditor", actor=world.creditor1, days=10)

    clock.set(due)
    case_services.deadlines_act_on_due(today=due)  # the last day itself: still in time
    lapsed.refresh_from_db()
    assert lapsed.stage == Stage.IN_MEDIATION

    clock.set(due + timedelta(days=1))
    case_services.deadlines_act_on_due(today=due + timedelta(days=1))
    lapsed.refresh_from_db()
    extended.refresh_from_db()
    assert lapsed.stage == Stage.COURT_MEDIATION
    event = lapsed.events.get(action=EventAction.ESCALATE_TO_COURT)
    assert event.reason == case_services.MEDIATION_PERIOD_OVER_REASON
    assert "period over, no agreed extension" in event.reason
    assert extended.stage == Stage.IN_MEDIATION  # its window runs on to the agreed day


def test_the_mediators_panel_records_refusal_extension_and_seal(client, world, clock):
    case = in_mediation(world)
    client.force_login(world.mediator1)
    panel = client.get(reverse("mediation:case", args=[case.pk])).content.decode()
    assert "/refusal/" in panel and "/extension/" in panel
    client.post(reverse("mediation:case-action", args=[case.pk, "extension"]), {"days": "7"})
    assert case.mediation_extensions.get().debtor_consent_recorded_by == world.mediator1

    s = offered(world, case)
    s = services.settlement_debtor_accept(settlement=s, ip=None, document_sha256=s.document_sha256)
    client.post(reverse("mediation:case-action", args=[case.pk, "sign"]), {"settlement": s.pk})  # no seal
    s.refresh_from_db()
    assert s.mediator_signed_at is not None and s.sealed_at is None
    client.post(reverse("mediation:case-action", args=[case.pk, "seal"]), {"settlement": s.pk})
    s.refresh_from_db()
    assert s.sealed_by == world.mediator1 and s.status == Settlement.Status.AWAITING_CREDITOR

    client.post(reverse("mediation:case-action", args=[case.pk, "refusal"]), {"how": "当面拒绝"})
    case.refresh_from_db()
    assert case.mediation_refusal.how == "当面拒绝" and case.stage == Stage.COURT_MEDIATION
    assert 'id="refusal"' in client.get(reverse("mediation:case", args=[case.pk])).content.decode()
