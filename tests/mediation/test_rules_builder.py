"""The triage rules builder: rules as forms, a preview whose count is what a re-triage then changes, JSON
as export and import, texts in the reader's language."""

import json
from decimal import Decimal

import pytest

from cases import services as case_services
from cases.models import Case
from mediation import services
from mediation.triage import RuleError, condition_q


def _triaged(world, principal: str) -> Case:
    case = world.case(principal=Decimal(principal))
    case_services.case_transition(case=case, transition="triage", actor=None, colour="green", track="fast")
    return case


def _builder_post(page, **changes) -> dict[str, str]:
    """The builder form as the page rendered it (every rule as it is), with some fields changed."""
    builder = page.context["builder"]
    data = {"csrfmiddlewaretoken": "x"}
    for key, value in builder.management_form.initial.items():
        data[f"rule-{key}"] = str(value)
    for form in builder.forms:
        for name in form.fields:
            value = form.initial.get(name, "")
            if name == "DELETE":
                continue
            data[f"{form.prefix}-{name}"] = "" if value is None else str(value)
    data.update(changes)
    return data


@pytest.fixture
def admin(world, client):
    client.force_login(world.admin)
    return client


def test_the_builder_shows_each_rule_as_a_form_in_chinese(world, admin):
    page = admin.get("/mediation/rules/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="rules-builder"' in html
    assert len(page.context["builder"].forms) == 5 + 1  # the default rules and a blank new one
    # rule names in the reader's language; the English one only in its own box
    active = html.split('data-testid="active-rules"')[1].split("</table>")[0]
    assert "多笔债务的债务人" in active and "Repeat debtor" not in active
    assert 'value="多笔债务的债务人"' in html and 'name="rule-0-name_en" value="Repeat debtor"' in html
    assert "债务人在本中心的其他案件数 ≥ 3" in active  # conditions in words, not field keys
    english = admin.get("/mediation/rules/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Repeat debtor" in english


def test_preview_counts_per_rule_and_the_changes_equal_what_the_retriage_then_changes(world, admin):
    small = [_triaged(world, "2000.00") for _ in range(2)]
    large = [_triaged(world, "150000.00") for _ in range(3)]
    page = admin.get("/mediation/rules/")
    # "Large claim" (rule 4: amount > 100000, yellow, slow) now starts at 1,000 yuan and turns red
    data = _builder_post(page, **{"rule-3-cond_0_value": "1000", "rule-3-colour": "red", "action": "preview"})
    preview = admin.post("/mediation/rules/", data)
    assert preview.status_code == 200
    matches = {f.cleaned_data.get("name_en"): n for f, n in preview.context["rule_forms"] if n is not None}
    assert matches["Large claim"] == 5
    changes = preview.context["preview"].changes
    assert changes == 5 and f'data-changes="{changes}"' in preview.content.decode()
    assert world.qz.triage_rulesets.get(is_active=True).version == 1  # a preview publishes nothing

    data["action"] = "publish"
    assert admin.post("/mediation/rules/", data).status_code == 302
    assert world.qz.triage_rulesets.get(is_active=True).version == 2
    retriaged = admin.post("/mediation/rules/", {"action": "retriage"}, follow=True)
    assert f"{changes} 个案件" in retriaged.content.decode() or str(changes) in retriaged.content.decode()
    assert services.cases_retriage(centre=world.qz, actor=world.admin) == 0  # nothing left to change
    assert {c.colour for c in Case.objects.filter(pk__in=[c.pk for c in small + large])} == {"red"}


def test_a_new_rule_in_both_languages_and_a_removed_one(world, admin):
    page = admin.get("/mediation/rules/")
    data = _builder_post(
        page,
        **{
            "rule-0-DELETE": "on",
            "rule-5-name": "小额快速",
            "rule-5-name_en": "Small and quick",
            "rule-5-colour": "green",
            "rule-5-track": "fast",
            "rule-5-cond_0_field": "amount",
            "rule-5-cond_0_op": "lte",
            "rule-5-cond_0_value": "5,000",
            "rule-5-cond_1_field": "product",
            "rule-5-cond_1_op": "in",
            "rule-5-cond_1_value": "信用卡，microloan",
            "rule-5-staff_reason": "小额案件，走快速通道",
            "rule-5-staff_reason_en": "Small claim: fast track",
            "rule-5-debtor_reason": "您的案件金额较小，可快速调解。",
            "rule-5-debtor_reason_en": "Your claim is small and can be settled quickly.",
            "action": "publish",
        },
    )
    assert admin.post("/mediation/rules/", data).status_code == 302
    rules = list(world.qz.triage_rulesets.get(is_active=True).rules.all())
    assert [r.name for r in rules][-1] == "小额快速" and "Repeat debtor" not in [r.name for r in rules]
    new = rules[-1]
    assert new.conditions == [
        {"field": "amount", "op": "lte", "value": "5000"},
        {"field": "product", "op": "in", "value": ["credit_card", "microloan"]},
    ]
    english = admin.get("/mediation/rules/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Small and quick" in english and "Small claim: fast track" in english
    assert "小额快速" in admin.get("/mediation/rules/").content.decode()


def test_a_wrong_condition_is_refused_in_chinese_with_no_english_inside(world, admin):
    page = admin.get("/mediation/rules/")
    data = _builder_post(
        page, **{"rule-0-cond_0_field": "amount", "rule-0-cond_0_op": "in", "action": "preview"}
    )
    response = admin.post("/mediation/rules/", data)
    assert response.status_code == 400
    error = response.context["builder"].forms[0].errors["cond_0_value"][0]
    assert "不适用" in error and not any("a" <= ch.lower() <= "z" for ch in error)
    words = response.context["builder"].forms[0].errors
    data = _builder_post(page, **{"rule-2-cond_0_value": "两年", "action": "preview"})
    error = admin.post("/mediation/rules/", data).context["builder"].forms[2].errors["cond_0_value"][0]
    assert "不是数字" in error and "not a number" not in error
    assert words


def test_rule_errors_are_translated():
    from django.utils import translation

    with pytest.raises(RuleError) as exc:
        condition_q({"field": "salary", "op": "gt", "value": 1}, today=None)
    with translation.override("zh-hans"):
        assert str(exc.value) == "没有可供判断的字段“salary”。"
    with translation.override("en"):
        assert str(exc.value) == "There is no field “salary” to test."


def test_the_json_stays_as_export_and_import(world, admin):
    exported = admin.get("/mediation/rules/", {"format": "json"})
    assert exported["Content-Disposition"].startswith("attachment")
    rules = json.loads(exported.content)
    assert rules[0]["name"] == "Repeat debtor" and "name_en" in rules[0]
    rules[0]["colour"] = "yellow"
    assert (
        admin.post("/mediation/rules/", {"action": "import", "rules": json.dumps(rules)}).status_code == 302
    )
    active = world.qz.triage_rulesets.get(is_active=True)
    assert active.version == 2 and active.rules.first().colour == "yellow"


def test_only_the_centre_admin_builds_rules(world, client):
    client.force_login(world.mediator1)
    assert client.get("/mediation/rules/").status_code == 403
    assert client.post("/mediation/rules/", {"action": "preview"}).status_code == 403


def test_an_import_error_is_all_chinese(world, admin):
    response = admin.post("/mediation/rules/", {"action": "import", "rules": '[{"name": "x",}]'})
    assert response.status_code == 400
    [error] = response.context["form"].errors["rules"]
    assert error == "不是有效的 JSON：请检查第 1 行第 15 列。"
    typed = admin.post("/mediation/rules/", {"action": "import", "rules": '[{"name": "x", "colour": "red", '
                                              '"conditions": "amount"}]'})  # fmt: skip
    [error] = typed.context["form"].errors["rules"]
    assert not any("a" <= ch.lower() <= "z" for ch in error), error
