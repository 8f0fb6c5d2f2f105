"""The court console as one platform with the rest: layout and language, no raw codes, signing from a preview,
actions that follow the state machine and the role, bulk runs scoped to the court.

Cases are brought to their stage through the services; the console is then used through its pages only.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cases import services as case_services
from cases.errors import ActionForbidden
from cases.models import EventAction, Stage, closed_reason_label, event_reason_label
from core.actors import SYSTEM
from courts.bulk import bulk_run_process, bulk_run_start
from courts.models import BulkRun, ConfirmationDecision
from tests.courts.test_console import (
    QUEUES,
    act_url,
    case_url,
    confirmation_requested,
    in_enforcement,
    queue_url,
    run_report,
    stage_of,
)
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def preview_url(case, action="confirm"):
    return reverse("court:cases_case_preview", args=[case.pk, action])


def in_language(client, code: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


# --- visible text ---------------------------------------------------------------------------------------


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def _codes() -> set[str]:
    """Every event code, and every value of a status, stage, kind or other choice of the project's models
    that reads as a code (words joined by underscores)."""
    codes = set(EventAction.values)
    for model in apps.get_models():
        if model.__module__.split(".")[0] not in {"cases", "courts", "mediation", "notices", "credit_repair"}:
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str):
                    codes.add(value)
    return {c for c in codes if re.fullmatch(r"[a-z]+_[a-z_]+", c)}


CODE = re.compile(r"(?<![\w.-])[a-z]+_[a-z_]+(?![\w.-])")


def raw_codes(html: str) -> set[str]:
    return set(CODE.findall(visible_text(html))) & _codes()


def test_the_raw_code_check_catches_a_code_and_ignores_attributes():
    assert raw_codes("<td>contact_logged</td>") == {"contact_logged"}
    assert raw_codes('<td data-stage="confirmation_requested">待确认</td><style>.a_b{}</style>') == set()
    assert raw_codes("<td>Contact logged</td>") == set()


@pytest.fixture
def case_with_every_event(world):
    """A settlement awaiting confirmation whose history holds an event of every kind."""
    case = confirmation_requested(world)
    for action in EventAction.values:
        case_services.case_event_record(case=case, action=action, actor=SYSTEM, reason="")
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_console_or_case_page_shows_an_untranslated_code(client, world, case_with_every_event, language):
    case = case_with_every_event
    other = in_enforcement(world).case
    client.force_login(world.judge1)
    in_language(client, language)
    run = bulk_run_start(
        action=BulkRun.Action.CONFIRM, case_ids=[other.pk], actor=world.judge1, params={}
    )  # skipped: not awaiting confirmation
    pages = {
        "index": client.get(reverse("court:index")),
        "cases": client.get(reverse("court:cases_case_changelist")),
        "deadlines": client.get(reverse("court:cases_deadline_changelist")),
        "case": client.get(case_url(case)),
        "enforcement case": client.get(case_url(other)),
        "preview": client.get(preview_url(case)),
        "run": client.get(reverse("court:bulk_run", args=[run.pk])),
        "bulk": client.post(
            queue_url("confirmation"),
            {"action": "confirm_selected", "_selected_action": [case.pk, other.pk], "index": 0},
        ),
        "platform case page": client.get(reverse("cases:detail", args=[case.pk])),
        **{f"queue {q}": client.get(queue_url(q)) for q in QUEUES},
    }
    found = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert response.headers["Content-Language"] == language, name
        codes = raw_codes(response.content.decode())
        if codes:
            found[name] = sorted(codes)
    assert found == {}
    with translation.override(language):  # the history is there, with every event under its label
        history = visible_text(pages["case"].content.decode())
        assert all(str(label) in history for label in EventAction.labels)


# --- one platform ---------------------------------------------------------------------------------------


def test_the_console_wears_the_platform_bar_and_switches_language(client, world):
    client.force_login(world.judge1)

    zh_page = client.get(reverse("court:index")).content.decode()
    assert 'class="topbar"' in zh_page and 'class="lang-switch' in zh_page
    assert 'lang="zh-hans"' in zh_page and "法院工作台" in zh_page
    assert f'href="{reverse("dashboards:home")}"' in zh_page  # the judge's dashboards, cases, repair pages
    assert f'href="{reverse("cases:list")}"' in zh_page

    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("court:index")}, follow=True
    )
    en_page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("court:index")
    assert 'lang="en"' in en_page and "Court console" in en_page and "法院工作台" not in en_page


def test_view_site_leads_to_the_platform_not_back_to_the_console(client, world):
    client.force_login(world.judge1)
    assert client.get(reverse("court:index")).context["site_url"] == reverse("dashboards:home")


# --- see before you sign -------------------------------------------------------------------------------


def test_a_confirmation_is_signed_from_the_rulings_preview_with_the_file_one_click_away(client, world):
    case = confirmation_requested(world)
    number = case.filings.get().number
    client.force_login(world.judge1)

    page = client.get(case_url(case)).content.decode()
    assert f'action="{preview_url(case)}"' in page  # the case page's form leads to the preview
    assert 'data-kind="settlement_agreement"' in page  # the signed agreement is a document of the case

    preview = client.post(act_url(case, "confirm"), {"confirm-reasons": "协议合法有效"})
    html = preview.content.decode()
    assert preview.status_code == 200 and stage_of(case) == Stage.CONFIRMATION_REQUESTED
    assert 'id="what-happens"' in html and 'id="sign-form"' in html
    assert "民事裁定书" in html and number in html and "协议合法有效" in html  # the ruling as issued
    agreement = reverse("court:cases_case_document", args=[case.pk, "settlement_agreement"])
    assert f'href="{agreement}"' in html and 'id="link-applications"' in html and 'id="link-history"' in html
    assert "调解协议书" in client.get(agreement).content.decode()

    signed = client.post(
        act_url(case, "confirm"), {"confirm-reasons": "协议合法有效", "_previewed": "1"}, follow=True
    )
    assert signed.status_code == 200 and stage_of(case) == Stage.CONFIRMED
    assert ConfirmationDecision.objects.get(case=case).reasons == "协议合法有效"
    ruling = reverse("court:cases_case_document", args=[case.pk, "confirmation_ruling"])
    assert f'href="{ruling}"' in signed.content.decode()


def test_the_clerk_is_neither_offered_nor_allowed_to_confirm(client, world):
    case = confirmation_requested(world)
    client.force_login(world.clerk1)

    page = client.get(case_url(case)).content.decode()
    assert 'id="action-confirm"' not in page
    assert client.get(preview_url(case), follow=True).redirect_chain  # back to the case page
    for data in ({"confirm-reasons": ""}, {"confirm-reasons": "", "_previewed": "1"}):
        client.post(act_url(case, "confirm"), data)
    assert 'value="confirm_selected"' not in client.get(queue_url("confirmation")).content.decode()
    client.post(
        queue_url("confirmation"),
        {"action": "confirm_selected", "_selected_action": [case.pk], "index": 0, "apply": "1"},
    )
    with pytest.raises(ActionForbidden):
        bulk_run_start(action=BulkRun.Action.CONFIRM, case_ids=[case.pk], actor=world.clerk1, params={})
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED
    assert not BulkRun.objects.exists()


def test_another_courts_judge_gets_no_preview_document_or_run(client, world):
    case = confirmation_requested(world)
    run = bulk_run_start(action=BulkRun.Action.CONFIRM, case_ids=[case.pk], actor=world.judge1, params={})
    client.force_login(world.judge2)

    assert client.get(preview_url(case)).status_code == 404
    document = reverse("court:cases_case_document", args=[case.pk, "settlement_agreement"])
    assert client.get(document).status_code == 404
    assert client.get(reverse("court:bulk_run", args=[run.pk])).status_code == 404


def test_a_longyan_judges_bulk_run_never_touches_a_quanzhou_case(client, world):
    case = confirmation_requested(world)
    run = bulk_run_start(action=BulkRun.Action.CONFIRM, case_ids=[case.pk], actor=world.judge2, params={})
    run.refresh_from_db()
    assert run.done_ids == [] and list(run.skipped) == [str(case.pk)]
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED
    client.force_login(world.judge2)
    report = client.get(reverse("court:bulk_run", args=[run.pk])).content.decode()
    assert case.code not in report and f"#{case.pk}" in report  # an id from elsewhere stays a bare number


# --- only valid actions ---------------------------------------------------------------------------------


def test_a_case_awaiting_confirmation_offers_only_the_decision(client, world):
    case = confirmation_requested(world)
    client.force_login(world.judge1)

    page = client.get(case_url(case)).content.decode()
    assert 'value="record_full_performance"' not in page and 'value="close_invalid"' not in page
    assert 'id="action-confirm"' in page and 'id="action-reject"' in page
    for transition in ("record_full_performance", "close_invalid"):
        client.post(
            reverse("court:cases_case_transition", args=[case.pk]),
            {"transition": transition, "reason": "x"},
        )
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED


def test_full_performance_is_offered_in_enforcement(client, world):
    case = in_enforcement(world).case
    client.force_login(world.judge1)
    assert 'value="record_full_performance"' in client.get(case_url(case)).content.decode()


# --- set-based bulk runs with progress -------------------------------------------------------------------


def test_a_bulk_run_works_in_chunks_and_records_its_progress(world, monkeypatch):
    from courts import bulk

    cases = [confirmation_requested(world) for _ in range(3)]
    monkeypatch.setattr(bulk, "RUN_CHUNK", 2)
    calls = []
    real = bulk.court.confirmations_bulk

    def spy(**kwargs):
        calls.append(list(kwargs["case_ids"]))
        return real(**kwargs)

    monkeypatch.setattr(bulk.court, "confirmations_bulk", spy)
    monkeypatch.setattr("courts.tasks.court_bulk_run.delay", lambda pk: None)  # the worker is started below
    run = bulk_run_start(
        action=BulkRun.Action.CONFIRM, case_ids=[c.pk for c in cases], actor=world.judge1, params={}
    )
    assert (run.processed, run.total, run.percent, run.finished_at) == (0, 3, 0, None)

    run = bulk_run_process(run_id=run.pk)

    assert calls == [[cases[0].pk, cases[1].pk], [cases[2].pk]]  # one set-based call per chunk
    assert (run.processed, run.percent) == (3, 100) and run.finished_at is not None
    assert sorted(run.done_ids) == sorted(c.pk for c in cases)


def test_the_report_polls_while_the_run_is_unfinished(client, world, monkeypatch):
    case = confirmation_requested(world)
    monkeypatch.setattr("courts.tasks.court_bulk_run.delay", lambda pk: None)
    run = bulk_run_start(action=BulkRun.Action.CONFIRM, case_ids=[case.pk], actor=world.judge1, params={})
    client.force_login(world.judge1)

    page = client.get(reverse("court:bulk_run", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'data-finished="0"' in page
    bulk_run_process(run_id=run.pk)
    partial = client.get(reverse("court:bulk_run", args=[run.pk]), headers={"HX-Request": "true"})
    assert "hx-trigger" not in partial.content.decode() and "<html" not in partial.content.decode()
    done, skipped = run_report(partial)
    assert done == [case.code] and skipped == {}


def test_words_shared_by_unrelated_things_are_translated_in_their_context():
    from courts.models import PaymentOrder
    from mediation.models import MediationSession, Proposal

    with translation.override("zh-hans"):
        assert str(PaymentOrder.Status.ACCEPTED.label) == "已受理"  # not the batch page's "rows accepted"
        assert str(MediationSession.Kind.PHONE.label) == "电话"  # a session by phone, not a phone number
        assert str(Proposal.Status.ACCEPTED.label) == "已接受"
    with translation.override("en"):
        assert str(PaymentOrder.Status.ACCEPTED.label) == "Accepted"
        assert str(MediationSession.Kind.PHONE.label) == "Phone"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_case_closed_after_repair_says_so_in_words(client, world, language):
    case = in_enforcement(world).case
    for transition in ("record_full_performance", "start_credit_repair", "close"):
        case_services.case_transition(case=case, transition=transition, actor=SYSTEM)
    client.force_login(world.judge1)
    in_language(client, language)

    for url in (case_url(case), reverse("cases:detail", args=[case.pk])):
        text = visible_text(client.get(url).content.decode())
        assert not re.search(r"\brepaired\b", text), url
        with translation.override(language):
            assert str(closed_reason_label("repaired")) in text, url


# --- stepping many cases --------------------------------------------------------------------------------


def test_stepping_many_cases_records_full_performance_and_skips_a_case_awaiting_confirmation(client, world):
    enforcing = [in_enforcement(world).case for _ in range(2)]
    awaiting = confirmation_requested(world)
    ids = [c.pk for c in [*enforcing, awaiting]]
    client.force_login(world.clerk1)
    picked = {"action": "step_selected", "_selected_action": ids, "index": 0}

    first = client.post(queue_url("enforcement"), picked)
    assert first.status_code == 200 and 'name="transition"' in first.content.decode()
    assert 'value="close_invalid"' not in first.content.decode()  # the judge's, not the clerk's
    report = client.post(
        queue_url("enforcement"),
        {**picked, "apply": "1", "transition": "record_full_performance"},
        follow=True,
    )

    assert [stage_of(c) for c in enforcing] == [Stage.PERFORMED, Stage.PERFORMED]
    assert stage_of(awaiting) == Stage.CONFIRMATION_REQUESTED
    done, skipped = run_report(report)
    assert sorted(done) == sorted(c.code for c in enforcing) and list(skipped) == [awaiting.code]


def test_closing_as_invalid_in_bulk_needs_a_reason_and_is_the_judges(client, world):
    case = in_enforcement(world).case
    picked = {"action": "step_selected", "_selected_action": [case.pk], "index": 0, "apply": "1"}
    client.force_login(world.judge1)

    no_reason = client.post(queue_url("enforcement"), {**picked, "transition": "close_invalid"})
    assert no_reason.status_code == 200 and stage_of(case) == Stage.IN_ENFORCEMENT
    client.post(queue_url("enforcement"), {**picked, "transition": "close_invalid", "reason": "债权不成立"})
    assert stage_of(case) == Stage.CLOSED
    with pytest.raises(ActionForbidden):
        bulk_run_start(action=BulkRun.Action.CONFIRM, case_ids=[case.pk], actor=world.clerk1, params={})


def test_a_payment_order_and_a_judgment_are_previewed_before_they_are_signed(client, world):
    from decimal import Decimal

    from courts.models import PaymentOrder, Suit
    from tests.courts.test_console import in_litigation, order_accepted

    order = order_accepted(world)
    suit = in_litigation(world)
    client.force_login(world.judge1)

    preview = client.post(act_url(order.case, "po_issue"), {}).content.decode()
    assert "支付令" in preview and order.filing.number in preview and 'id="sign-form"' in preview
    assert PaymentOrder.objects.get(pk=order.pk).status == PaymentOrder.Status.ACCEPTED

    data = {"suit_judgment-amount": "8800.00", "suit_judgment-performance_days": "10"}
    preview = client.post(act_url(suit.case, "suit_judgment"), data).content.decode()
    assert "民事判决书" in preview and suit.filing.number in preview and "8,800.00" in preview
    assert Suit.objects.get(pk=suit.pk).judgment_on is None

    client.post(act_url(suit.case, "suit_judgment"), {**data, "_previewed": "1"})
    assert Suit.objects.get(pk=suit.pk).judgment_amount == Decimal("8800.00")


def test_the_console_login_page_has_the_language_switch_and_no_navigation(client):
    page = client.get(reverse("court:login")).content.decode()
    assert 'class="lang-switch' in page and 'class="nav"' not in page


def test_bulk_refusal_to_mediation_is_one_set_based_step_and_to_a_suit_files_each(world, monkeypatch):
    from cases.selectors import cases_visible_to
    from courts import services as court

    back = [confirmation_requested(world) for _ in range(2)]
    to_suit = confirmation_requested(world)
    monkeypatch.setattr(court, "confirmation_decide", None)  # never one case at a time on the way back
    result = court.confirmations_reject_bulk(
        case_ids=[c.pk for c in back],
        actor=world.judge1,
        visible=cases_visible_to(world.judge1),
        ground="unclear",
        reasons="还款安排不明确",
    )
    assert sorted(result.done) == sorted(c.pk for c in back)
    assert {stage_of(c) for c in back} == {Stage.COURT_MEDIATION}
    decisions = ConfirmationDecision.objects.filter(case__in=back)
    assert {(d.confirmed, d.ground, d.next_step) for d in decisions} == {(False, "unclear", "mediation")}
    monkeypatch.undo()

    result = court.confirmations_reject_bulk(
        case_ids=[to_suit.pk],
        actor=world.judge1,
        visible=cases_visible_to(world.judge1),
        ground="unclear",
        next_step="suit",
    )
    assert result.done == [to_suit.pk] and stage_of(to_suit) == Stage.IN_LITIGATION
    assert to_suit.suits.get().filing.number


def test_the_debtors_evidence_is_one_click_from_the_case_page_for_its_court_only(
    client, world, settings, tmp_path
):
    from mediation.evidence import CheckedFile, evidence_store
    from tests.debtor_portal.conftest import photo

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    case = confirmation_requested(world)
    [stored] = evidence_store(
        case=case, files=[CheckedFile(upload=photo("收据.png"), content_type="image/png")]
    )
    link = reverse("debtor:evidence", args=[stored.pk])
    client.force_login(world.judge1)

    page = client.get(case_url(case)).content.decode()
    assert f'href="{link}"' in page and "收据.png" in page
    assert "证据材料（1 份）" in client.get(preview_url(case)).content.decode()
    assert client.get(link).status_code == 200
    client.force_login(world.judge2)
    assert client.get(link).status_code == 404


def test_a_refusal_shows_its_ruling_and_an_irreversible_act_names_what_will_happen(client, world):
    case = confirmation_requested(world)
    client.force_login(world.judge1)
    data = {"reject-ground": "not_voluntary", "reject-reasons": "受胁迫", "reject-next_step": "mediation"}

    preview = client.post(act_url(case, "reject"), data).content.decode()
    assert "违反自愿原则" in preview and 'id="sign-form"' in preview  # Interp. 358 (4), in the ruling
    assert stage_of(case) == Stage.CONFIRMATION_REQUESTED

    enforcement = in_enforcement(world)
    page = client.get(case_url(enforcement.case)).content.decode()
    assert f'action="{preview_url(enforcement.case, "enf_dishonest")}"' in page
    step = client.post(act_url(enforcement.case, "enf_dishonest"), {"enf_dishonest-grounds": "拒不履行"})
    html = step.content.decode()
    assert 'id="what-happens"' in html and 'id="document-preview"' not in html
    enforcement.refresh_from_db()
    assert enforcement.dishonest_listed_on is None


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_reasons_the_platform_writes_itself_are_shown_in_words(client, world, language):
    case = confirmation_requested(world)  # the parties consented "at signing" and "with the signature"
    client.force_login(world.judge1)
    in_language(client, language)

    for url in (case_url(case), reverse("cases:detail", args=[case.pk])):
        text = visible_text(client.get(url).content.decode())
        if language == "zh-hans":
            assert "at signing" not in text and "with the signature" not in text, url
        with translation.override(language):
            assert str(event_reason_label("at signing")) in text, url


def test_a_run_that_fails_keeps_what_was_done_and_says_it_stopped(client, world, monkeypatch):
    from courts import bulk

    cases = [confirmation_requested(world) for _ in range(3)]
    monkeypatch.setattr(bulk, "RUN_CHUNK", 2)
    real = bulk.court.confirmations_bulk

    def second_chunk_fails(**kwargs):
        if cases[2].pk in kwargs["case_ids"]:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(bulk.court, "confirmations_bulk", second_chunk_fails)
    with pytest.raises(RuntimeError):
        bulk_run_start(
            action=BulkRun.Action.CONFIRM, case_ids=[c.pk for c in cases], actor=world.judge1, params={}
        )

    run = BulkRun.objects.get()
    assert run.finished_at is not None and "database went away" in run.error and run.processed == 2
    assert [stage_of(c) for c in cases] == [Stage.CONFIRMED, Stage.CONFIRMED, Stage.CONFIRMATION_REQUESTED]
    client.force_login(world.judge1)
    page = client.get(reverse("court:bulk_run", args=[run.pk])).content.decode()
    assert 'id="run-error"' in page and "hx-trigger" not in page
