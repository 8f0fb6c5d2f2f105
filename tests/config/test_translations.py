"""The Chinese catalogue is complete: every msgid has a translation, nothing is fuzzy, the .mo is current."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
ENTRY_KEY = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$')


def po_entries() -> list[dict[str, str]]:
    """Each entry of the .po as {keyword: joined text, "flags": ...}, with continued lines joined."""
    entries = []
    for block in PO.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif match := ENTRY_KEY.match(line):
                key = match.group(1)
                entry[key] = match.group(2)
            elif line.startswith('"') and key:
                entry[key] += line[1:-1]
        entries.append(entry)
    return entries


def test_catalogue_has_entries_and_a_header():
    entries = po_entries()
    assert entries[0]["msgid"] == ""
    assert "Plural-Forms: nplurals=1; plural=0;" in entries[0]["msgstr"]
    assert len(entries) > 100


def test_no_entry_is_fuzzy():
    assert not re.search(r"^#,.*\bfuzzy\b", PO.read_text(encoding="utf-8"), re.MULTILINE)
    assert [e["msgid"] for e in po_entries() if "fuzzy" in e["flags"]] == []


def test_every_entry_is_translated():
    untranslated = [
        e["msgid"] for e in po_entries()[1:] if e["msgid"] and not (e.get("msgstr") or e.get("msgstr[0]"))
    ]
    assert untranslated == []


def test_translations_keep_their_placeholders():
    placeholder = re.compile(r"%\(\w+\)[sdr]|\{\w+\}")
    wrong = [
        e["msgid"]
        for e in po_entries()[1:]
        if sorted(placeholder.findall(e["msgid"]))
        != sorted(placeholder.findall(e.get("msgstr") or e["msgstr[0]"]))
    ]
    assert wrong == []


def test_compiled_catalogue_is_present_and_used():
    assert MO.exists() and MO.stat().st_size > 0
    with translation.override("zh-hans"):
        assert translation.gettext("In people's mediation") == "人民调解中"
        assert (
            translation.gettext("Holiday data missing: only weekends counted")
            == "节假日数据缺失：仅按周末计算"
        )
    with translation.override("en"):
        assert translation.gettext("In people's mediation") == "In people's mediation"


def test_stage_and_role_names_use_the_agreed_terms():
    from cases.models import Stage
    from core.models import Role

    expected_stages = {
        "received": "已接收", "triaged": "已分流", "in_mediation": "人民调解中",
        "court_mediation": "诉前调解中", "settled": "已达成调解", "confirmation_requested": "已申请司法确认",
        "confirmed": "已司法确认", "payment_order": "支付令", "in_litigation": "诉讼中",
        "enforceable": "可申请执行", "performing": "履行中", "in_enforcement": "执行中",
        "enforcement_suspended": "终结本次执行", "performed": "已履行", "credit_repair": "信用修复中",
        "closed": "已结案", "withdrawn": "已撤回",
    }  # fmt: skip
    expected_roles = {"creditor_staff": "债权人", "mediator": "调解员", "judge": "法官", "clerk": "书记员",
                      "centre_admin": "中心管理员"}  # fmt: skip
    with translation.override("zh-hans"):
        assert {s.value: str(s.label) for s in Stage} == expected_stages
        assert {r.value: str(r.label) for r in Role} == expected_roles
