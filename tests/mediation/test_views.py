"""The mediator's pages: queue, bulk actions, the case panel's forms; and who may not see them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Stage
from mediation.models import ContactAttempt, NextContact, Settlement


@pytest.fixture
def mediating(world, client):
    cases = []
    for _ in range(3):
        case = world.case()
        case_services.case_transition(case=case, transition="triage", actor=None)
        case_services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
        cases.append(case)
    client.force_login(world.mediator1)
    return cases


def test_queue_lists_my_cases_with_counts_in_chinese(world, client, mediating):
    response = client.get("/mediation/queue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "调解" in html
    for case in mediating:
        assert case.code in html
    assert case.debtor.id_number_masked in html
    assert case.debtor.id_number not in html


def test_queue_filters_and_sorts(world, client, mediating):
    big = mediating[0]
    from cases.models import Case

    Case.objects.filter(pk=big.pk).update(principal=Decimal("90000"))
    html = client.get("/mediation/queue/?min_amount=50000").content.decode()
    assert big.code in html and mediating[1].code not in html
    html = client.get("/mediation/queue/?sort=-amount").content.decode()
    assert html.index(big.code) < html.index(mediating[1].code)


def test_bulk_schedule_and_unreachable(world, client, mediating):
    ids = [str(c.pk) for c in mediating[:2]]
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post(
        "/mediation/queue/bulk/", {"action": "schedule", "case_ids": ids, "due_on": due}, follow=True
    )
    assert response.status_code == 200
    assert NextContact.objects.filter(case_id__in=ids).count() == 2
    client.post("/mediation/queue/bulk/", {"action": "unreachable", "case_ids": ids, "reason": "空号"})
    assert ContactAttempt.objects.filter(outcome="unreachable").count() == 2


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_bulk_actions_never_redirect_off_the_site(world, client, mediating, target):
    ids = [str(mediating[0].pk)]
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    ok = client.post(
        "/mediation/queue/bulk/", {"action": "schedule", "case_ids": ids, "due_on": due, "next": target}
    )
    failed = client.post("/mediation/queue/bulk/", {"action": "schedule", "case_ids": [], "next": target})
    for response in (ok, failed):
        assert response.status_code == 302
        assert response["Location"] == "/mediation/queue/"


def test_bulk_actions_go_back_to_the_filtered_queue(world, client, mediating):
    ids = [str(mediating[0].pk)]
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    data = {"action": "schedule", "case_ids": ids, "due_on": due, "next": "/mediation/queue/?colour=red"}
    assert client.post("/mediation/queue/bulk/", data)["Location"] == "/mediation/queue/?colour=red"


def test_bulk_escalate_needs_a_reason_and_then_works(world, client, mediating):
    ids = [str(mediating[0].pk)]
    client.post("/mediation/queue/bulk/", {"action": "escalate", "case_ids": ids, "reason": ""})
    mediating[0].refresh_from_db()
    assert mediating[0].stage == Stage.IN_MEDIATION
    client.post("/mediation/queue/bulk/", {"action": "escalate", "case_ids": ids, "reason": "拒绝调解"})
    mediating[0].refresh_from_db()
    assert mediating[0].stage == Stage.COURT_MEDIATION


def test_panel_logs_a_call_schedules_a_session_and_drafts_a_settlement(world, client, mediating):
    case = mediating[0]
    base = f"/mediation/case/{case.pk}/"
    assert client.get(base).status_code == 200
    noon = timezone.localtime().replace(hour=12, minute=0) - timedelta(days=1)
    r = client.post(
        base + "contact/",
        {
            "channel": "phone",
            "at": noon.strftime("%Y-%m-%dT%H:%M"),
            "outcome": "reached",
            "notes": "同意分期",
        },
        follow=True,
    )
    assert ContactAttempt.objects.filter(case=case).count() == 1
    assert r.status_code == 200
    night = noon.replace(hour=23)
    r = client.post(
        base + "contact/",
        {"channel": "phone", "at": night.strftime("%Y-%m-%dT%H:%M"), "outcome": "reached"},
        follow=True,
    )
    assert ContactAttempt.objects.filter(case=case).count() == 1
    assert "22:00" in r.content.decode()
    when = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        base + "session/",
        {"kind": "video", "scheduled_at": when, "meeting_link": "https://meet.example.org/x"},
    )
    assert case.mediation_sessions.count() == 1
    first = (timezone.localdate() + timedelta(days=30)).isoformat()
    client.post(
        base + "settlement/",
        {
            "kind": "instalments",
            "total": "9000",
            "waived_interest": "500",
            "waived_fees": "100",
            "first_due": first,
            "frequency": "monthly",
            "count": "3",
        },
    )
    settlement = Settlement.objects.get(case=case)
    assert [str(i.amount) for i in settlement.instalments.all()] == ["3000.00"] * 3
    client.post(base + "offer/", {"settlement": settlement.pk})
    settlement.refresh_from_db()
    assert settlement.status == "awaiting_debtor" and len(settlement.document_sha256) == 64


def test_other_users_cannot_reach_the_panel(world, client, mediating):
    case = mediating[0]
    client.force_login(world.creditor2)
    assert client.get(f"/mediation/case/{case.pk}/").status_code == 403
    client.force_login(world.judge2)
    assert client.get("/mediation/queue/").status_code == 403
    from core.models import Role
    from core.services import staff_user_create
    from tests.factories import PASSWORD

    ly_mediator = staff_user_create(
        username="lym", password=PASSWORD, organisation=world.ly_committee, role=Role.MEDIATOR
    )
    client.force_login(ly_mediator)
    assert client.get(f"/mediation/case/{case.pk}/").status_code == 404
    assert case.code not in client.get("/mediation/queue/").content.decode()
    r = client.post(
        f"/mediation/case/{case.pk}/contact/",
        {"channel": "phone", "at": "2026-01-01T10:00", "outcome": "reached"},
    )
    assert r.status_code == 404


def test_an_invalid_form_is_shown_again_with_its_errors(world, client, mediating):
    case = mediating[0]
    response = client.post(
        f"/mediation/case/{case.pk}/session/", {"kind": "video", "scheduled_at": "not a date"}
    )
    assert response.status_code == 400
    assert "field__error" in response.content.decode()
    assert not case.mediation_sessions.exists()


def test_centre_admin_publishes_a_new_rule_version_and_retriages(world, client):
    import json

    case = world.case()
    case_services.case_transition(case=case, transition="triage", actor=None, colour="green", track="fast")
    client.force_login(world.admin)
    page = client.get("/mediation/rules/")
    assert page.status_code == 200 and "Repeat debtor" in page.content.decode()
    rules = [
        {
            "name": "Everything red",
            "conditions": [{"field": "amount", "op": "gt", "value": "1"}],
            "colour": "red",
            "staff_reason": "test",
            "debtor_reason": "test",
        }
    ]
    bad = client.post(
        "/mediation/rules/",
        {"rules": json.dumps([{**rules[0], "conditions": [{"field": "salary", "op": "gt", "value": 1}]}])},
    )
    assert bad.status_code == 400
    client.post("/mediation/rules/", {"rules": json.dumps(rules), "note": "all red"})
    assert world.qz.triage_rulesets.get(is_active=True).version == 2
    client.post("/mediation/rules/", {"action": "retriage"})
    case.refresh_from_db()
    assert case.colour == "red"
    client.force_login(world.mediator1)
    assert client.get("/mediation/rules/").status_code == 403


def _tiles(html: str) -> dict[str, int]:
    """The count tiles at the top of the queue, by where each links."""
    import re

    tiles = re.findall(r'class="count-tile[^"]*" href="([^"]*)"><strong>(\d+)', html)
    return {href: int(n) for href, n in tiles}


def test_queue_tiles_count_my_cases_the_pool_and_what_is_due(world, client, mediating):
    from cases.models import Case, Deadline

    mine, other, third = mediating
    Case.objects.filter(pk=mine.pk).update(colour="red")
    Case.objects.filter(pk=other.pk).update(colour="green")
    Case.objects.filter(pk=third.pk).update(colour="green")
    today = timezone.localdate()
    Deadline.objects.filter(case=mine, kind="mediation_window").update(due_on=today + timedelta(days=3))
    NextContact.objects.create(case=other, due_on=today, set_by=world.mediator1)
    unassigned = world.case()
    case_services.case_transition(case=unassigned, transition="triage", actor=None)
    Case.objects.filter(pk=unassigned.pk).update(mediator=None)
    world.case(creditor=world.rural)  # another centre's case counts nowhere

    tiles = _tiles(client.get("/mediation/queue/").content.decode())

    assert tiles["/mediation/queue/"] == 3  # my cases; the pool case is not mine
    assert tiles["?days_left=5"] == 1
    assert tiles["?contact=due&amp;sort=contact"] == 1
    assert tiles["?pool=1"] == 1
    assert tiles["?colour=red"] == 1 and tiles["?colour=green"] == 2
    client.force_login(world.admin)
    admin_tiles = _tiles(client.get("/mediation/queue/").content.decode())
    assert admin_tiles["/mediation/queue/"] == 4 and admin_tiles["?pool=1"] == 1


def test_queue_rows_show_days_left_next_contact_and_masked_debtor(world, client, mediating):
    from cases.models import Deadline

    case = mediating[0]
    today = timezone.localdate()
    Deadline.objects.filter(case=case, kind="mediation_window").update(due_on=today - timedelta(days=2))
    NextContact.objects.create(case=case, due_on=today + timedelta(days=1), set_by=world.mediator1)

    html = client.get("/mediation/queue/").content.decode()
    row = html[html.index(f'value="{case.pk}"') :].split("</tr>", 1)[0]

    assert f'href="/mediation/case/{case.pk}/"' in row
    assert '<span class="overdue">-2</span>' in row
    assert (today + timedelta(days=1)).isoformat() in row
    assert case.debtor.id_number_masked in row and case.debtor.id_number not in row
    assert "¥10,600.00" in row


def test_reassign_list_escapes_names_and_keeps_the_choice(world, client, mediating):
    from core.models import Role
    from core.services import staff_user_create
    from tests.factories import PASSWORD

    odd = staff_user_create(
        username="m<script>", password=PASSWORD, organisation=world.committee, role=Role.MEDIATOR
    )
    html = client.get("/mediation/queue/").content.decode()
    assert "m&lt;script&gt;" in html and "m<script>" not in html
    select = html[html.index('<select name="mediator"') :].split("</select>", 1)[0]
    assert 'id="id_mediator"' in select and f'<option value="{odd.pk}">' in select
    html = client.get("/mediation/queue/?sort=-amount&stage=in_mediation").content.decode()
    assert '<option value="-amount" selected>' in html and '<option value="in_mediation" selected>' in html


@pytest.mark.parametrize(
    ("starts", "due", "left", "beyond"),
    [
        # CPL 85: accepted Mon 2026-11-02, the 30 days run from 11-03: last day Wed 12-02, a working day.
        ("2026-11-02", "2026-12-02", "0", None),
        # accepted today, Wed 12-02: 30 days left, as the header says
        ("2026-12-02", "2027-01-01", "30", None),
        # the 30th day is New Year's Day: the last day moves to Mon 2027-01-04, three days beyond the 30
        ("2026-12-02", "2027-01-04", "33", "3"),
    ],
)
def test_queue_header_and_rows_count_the_window_alike(
    world, client, mediating, monkeypatch, starts, due, left, beyond
):
    from datetime import date

    from cases.models import Deadline

    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: date(2026, 12, 2))
    case = mediating[0]
    Deadline.objects.filter(case=case, kind="mediation_window").update(
        starts_on=date.fromisoformat(starts), due_on=date.fromisoformat(due)
    )
    html = client.get("/mediation/queue/").content.decode()
    assert "调解期限自受理次日起算 30 日" in html
    row = html[html.index(f'value="{case.pk}"') :].split("</tr>", 1)[0]
    cell = row.split('data-label="剩余天数">', 1)[1].split("</td>", 1)[0]
    assert f">{left}</span>" in cell
    if beyond:
        assert f'data-days-beyond="{beyond}"' in cell and "30 + 3 日" in cell
    else:
        assert "data-days-beyond" not in cell


# What a queue page may ask the database, whatever the number of cases on it: the session, the user, their
# membership and organisation, the tiles, the page's ids, its count (when filtered), its rows and the
# debtors' requests waiting (the reassign list is kept per centre). A query per row would add 50.
QUEUE_PAGE_QUERIES = 9


@pytest.mark.parametrize(
    ("path", "listed"),
    [
        ("/mediation/queue/", 50),
        ("/mediation/queue/?page=2", 10),
        ("/mediation/queue/?sort=-amount", 50),
        ("/mediation/queue/?colour=red&contact=due", 10),
        ("/mediation/queue/?days_left=5", 18),
    ],
)
def test_queue_pages_ask_the_same_few_queries_for_a_full_page(
    world, client, monkeypatch, django_assert_max_num_queries, path, listed
):
    from datetime import date

    from cases.models import Case, Deadline

    today = date(2026, 12, 2)
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: today)
    cases = [
        world.case(stage=Stage.IN_MEDIATION, colour="red" if i % 3 == 0 else "green", on_hold=i % 7 == 0)
        for i in range(60)
    ]
    # Windows closing in 0 to 29 days (18 of them within 5 days: 0-5 days left, three cases each),
    # one in ten past its 30 days; a next contact due for every other case.
    Deadline.objects.bulk_create(
        Deadline(
            case=case,
            kind=Deadline.Kind.MEDIATION_WINDOW,
            status=Deadline.Status.OPEN,
            starts_on=today - timedelta(days=30 - i % 20),
            due_on=today + timedelta(days=i % 20 + (3 if i % 10 == 9 else 0)),
        )
        for i, case in enumerate(cases)
    )
    NextContact.objects.bulk_create(
        NextContact(case=case, due_on=today - timedelta(days=1), set_by=world.mediator1)
        for case in cases[::2]
    )
    assert Case.objects.filter(mediator=world.mediator1).count() == 60
    client.force_login(world.mediator1)
    # The idle timeout notes the visit (a session write once a minute); the reassign list is kept.
    client.get("/mediation/queue/")

    with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
        response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('name="case_ids"') == listed


def test_reassign_list_is_kept_but_redrawn_when_a_mediator_joins_or_leaves(world, client, mediating):
    from core.models import Role
    from core.services import staff_user_create
    from tests.factories import PASSWORD

    def listed() -> str:
        html = client.get("/mediation/queue/").content.decode()
        return html[html.index('<select name="mediator"') :].split("</select>", 1)[0]

    assert f'<option value="{world.mediator1.pk}">' in listed()
    newcomer = staff_user_create(
        username="newcomer", password=PASSWORD, organisation=world.committee, role=Role.MEDIATOR
    )
    assert f'<option value="{newcomer.pk}">' in listed()
    newcomer.is_active = False
    newcomer.save()
    assert f'<option value="{newcomer.pk}">' not in listed()
    newcomer.membership.delete()
    assert f'<option value="{world.mediator1.pk}">' in listed()
