"""Deadlines in a year whose official schedule is not imported wait in the court console for a person."""

from datetime import date

import pytest
from django.urls import reverse

from cases import services
from cases.deadlines import deadline_confirm_by_person
from cases.errors import ActionForbidden
from cases.models import Case, Deadline, Stage

K = Deadline.Kind
URL = reverse("court:cases_deadline_changelist")


def waiting(world) -> Case:
    case = world.case()
    services.case_transition(case=case, transition="triage", actor=None)
    services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    Deadline.objects.filter(case=case, kind=K.MEDIATION_WINDOW).update(
        due_on=date(2027, 1, 4), calendar_warning=True
    )
    services.deadlines_act_on_due(today=date(2027, 1, 5))
    case.refresh_from_db()
    return case


def test_the_console_lists_what_waits_for_a_person_and_why(world, client):
    case = waiting(world)
    client.force_login(world.judge1)
    page = client.get(URL, {"needs_review__exact": "1"}).content.decode()
    assert case.code in page
    assert "尚未确认" in page  # the reason, in Chinese


def test_a_judge_confirms_and_the_consequence_follows_on_the_next_run(world, client):
    case = waiting(world)
    row = case.deadlines.get(kind=K.MEDIATION_WINDOW)
    client.force_login(world.judge1)
    response = client.post(URL, {"action": "confirm_selected", "_selected_action": [row.pk]}, follow=True)
    assert response.status_code == 200 and "已确认 1 个期限" in response.content.decode()
    row.refresh_from_db()
    assert not row.needs_review
    services.deadlines_act_on_due(today=date(2027, 1, 6))
    assert Case.objects.get(pk=case.pk).stage == Stage.COURT_MEDIATION


def test_a_creditor_or_another_centre_cannot_confirm(world):
    case = waiting(world)
    row = case.deadlines.get(kind=K.MEDIATION_WINDOW)
    for actor in (world.creditor1, world.judge2):
        with pytest.raises(ActionForbidden):
            deadline_confirm_by_person(deadline=row, actor=actor)
    row.refresh_from_db()
    assert row.needs_review
