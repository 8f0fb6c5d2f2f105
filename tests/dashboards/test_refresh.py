"""Rebuilding the figures: whole centres periodically, the creditors whose cases moved every minute."""

from cases import services
from dashboards import tasks
from dashboards.models import RefreshState, StageFact
from dashboards.services import facts_refresh, facts_refresh_changed
from oversight import tasks as oversight_tasks


def stage_counts(**where):
    return sorted(StageFact.objects.filter(**where).values_list("creditor_id", "stage", "cases", "reached"))


def test_a_refresh_replaces_the_centres_rows(funnel):
    funnel.refresh()
    first = stage_counts(centre=funnel.world.qz)
    funnel.refresh()
    assert stage_counts(centre=funnel.world.qz) == first  # replaced, not added
    assert RefreshState.objects.get(centre=funnel.world.qz).seconds > 0


def test_the_minute_task_refreshes_only_the_creditors_whose_cases_moved(funnel):
    w = funnel.world
    funnel.refresh()
    cf_rows = set(StageFact.objects.filter(creditor=w.cf).values_list("pk", flat=True))
    assert facts_refresh_changed() == []  # nothing moved
    services.case_transition(case=funnel.b.b5, transition="triage", actor=None)
    [result] = facts_refresh_changed()
    assert result.centre_id == w.qz.pk
    assert ("triaged", 1) in [(s, n) for _c, s, n, _r in stage_counts(creditor=w.bank) if n]
    assert set(StageFact.objects.filter(creditor=w.cf).values_list("pk", flat=True)) == cf_rows  # untouched
    assert facts_refresh_changed() == []


def test_a_centre_never_refreshed_is_refreshed_whole(funnel):
    facts_refresh(centre_id=funnel.world.qz.pk)
    results = facts_refresh_changed()
    assert [r.centre_id for r in results] == [funnel.world.ly.pk]
    assert StageFact.objects.filter(centre=funnel.world.ly).exists()


def test_the_periodic_tasks_run(funnel):
    assert tasks.dashboards_refresh_all() == 2
    assert tasks.dashboards_refresh_changed() == 0
    assert oversight_tasks.suggestions_generate_all() >= 0
    assert oversight_tasks.group_risks_detect_all() >= 0
