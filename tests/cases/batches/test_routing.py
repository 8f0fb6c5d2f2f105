"""After a batch is in: the centre's own triage rules (a result with version and reasons for every case),
then the committees' mediators, unless the centre keeps new cases in the pool."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.batches.services import batch_create
from cases.batches.tasks import batch_import_task
from cases.models import Case, CaseEvent
from mediation import services
from mediation.models import TriageResult
from tests.cases.batches.files import good_row, write_csv
from tests.factories import PASSWORD

RULES = [
    {
        "name": "Big",
        "conditions": [{"field": "amount", "op": "gt", "value": "50000"}],
        "colour": "red",
        "staff_reason": "大额：组长复核",
        "debtor_reason": "金额较大，由资深调解员处理。",
    }
]


@pytest.fixture
def rules(world):
    return services.triage_ruleset_publish(centre=world.qz, rules=RULES, actor=world.admin)


def upload(world, tmp_path, django_capture_on_commit_callbacks):
    rows = [good_row(2, principal="60,000.00"), good_row(3, principal="1,000.00")]
    batch = batch_create(creditor=world.bank, filename="b.csv", path=write_csv(tmp_path / "b.csv", rows))
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_import_task(batch.pk) == "done"
    big, small = (Case.objects.get(batch=batch, external_ref=ref) for ref in ("HT00000002", "HT00000003"))
    return batch, big, small


def test_a_new_batch_gets_the_centres_rules_and_its_mediators(
    world, rules, tmp_path, django_capture_on_commit_callbacks
):
    _batch, big, small = upload(world, tmp_path, django_capture_on_commit_callbacks)

    assert (big.colour, small.colour) == ("red", "green")
    big_result = TriageResult.objects.get(case=big)
    assert big_result.version == rules.version and big_result.reasons[0]["staff"] == "大额：组长复核"
    assert TriageResult.objects.get(case=small).version == rules.version  # "no risk found" is a reason too
    assert big.mediator == world.mediator1 and small.mediator == world.mediator1
    # The history names the rules that decided (the triage event as the case is written, or a `retriaged`
    # event when the routing task recoloured it); nothing was recoloured twice.
    assert CaseEvent.objects.filter(case=big, reason=f"rules v{rules.version}").count() == 1
    assert not CaseEvent.objects.filter(case=small, action="retriaged").exists()


def test_the_creditor_sees_why_a_case_has_its_colour(
    world, rules, tmp_path, client, django_capture_on_commit_callbacks
):
    _batch, big, _small = upload(world, tmp_path, django_capture_on_commit_callbacks)
    client.login(username="creditor1", password=PASSWORD)

    page = client.get(reverse("cases:detail", args=[big.pk])).content.decode()
    why = page[page.index('data-testid="triage-reasons"') :].split("</section>", 1)[0]

    assert "大额：组长复核" in why and f"{rules.version}" in why


def test_routing_again_changes_nothing(world, rules, tmp_path, django_capture_on_commit_callbacks):
    batch, _big, _small = upload(world, tmp_path, django_capture_on_commit_callbacks)
    results, events = TriageResult.objects.count(), CaseEvent.objects.count()

    assert services.imported_cases_route(batch=batch) == {"changed": 0, "assigned": 0}
    assert (TriageResult.objects.count(), CaseEvent.objects.count()) == (results, events)


def test_a_centre_can_keep_new_cases_in_the_pool_and_assign_them_later(
    world, rules, tmp_path, client, django_capture_on_commit_callbacks
):
    client.login(username="centreadmin", password=PASSWORD)
    client.post(reverse("mediation:rules"), {"action": "auto_assign"})  # box unticked
    world.qz.refresh_from_db()
    assert world.qz.auto_assign is False

    _batch, big, small = upload(world, tmp_path, django_capture_on_commit_callbacks)
    assert big.colour == "red" and big.mediator is None and small.mediator is None
    page = client.get(reverse("mediation:rules")).content.decode()
    assert 'data-pool="2"' in page

    client.post(reverse("mediation:rules"), {"action": "assign_pool"}, follow=True)
    assert set(Case.objects.filter(pk__in=[big.pk, small.pk]).values_list("mediator", flat=True)) == {
        world.mediator1.pk
    }


def test_the_command_routes_like_an_upload_unless_told_not_to(
    world, rules, tmp_path, run_import, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert run_import(write_csv(tmp_path / "c.csv", [good_row(2, principal="60,000.00")])).ok
    routed = Case.objects.get(external_ref="HT00000002")
    assert routed.colour == "red" and routed.mediator == world.mediator1

    call_command(
        "import_batch",
        "--creditor",
        "demo-bank",
        str(write_csv(tmp_path / "d.csv", [good_row(4)])),
        "--no-route",
        stdout=StringIO(),
    )
    waiting = Case.objects.get(external_ref="HT00000004")
    assert waiting.mediator is None and not TriageResult.objects.filter(case=waiting).exists()
