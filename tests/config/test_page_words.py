"""Every staff page of the demo speaks the reader's language: no English source string left on a Chinese page,
no raw code (a stage, an event, a reason as stored) on a page in either language.

The demo is seeded once; each staff role starts at the home page and follows the links it is shown (the
navigation, then the lists), a bounded number of pages per role and at most a few pages per kind of URL
(one case page stands for all of them). Each page is read in zh-hans and in en.
"""

import random
import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from demo import scenarios
from mediation.rules_defaults import DEFAULT_RULES
from notices.channels import sms

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ROLES = ("creditor1", "mediator1", "courtmediator1", "judge1", "clerk1", "centreadmin")
PAGES_PER_ROLE = 30
PAGES_PER_KIND = 2
# Links that leave the staff pages, change something, or are files rather than pages.
SKIP = re.compile(
    r"^/(static|media|api|admin|i18n|debtor|logout)/|/logout/|/download|/export|\.(pdf|csv|xlsx|zip|png)$|/file/"
)
# Text that is never read as words: code samples, user data typed into fields, scripts.
SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "svg"}
# Three English words in a row (Chinese pages keep codes, names and numbers, never English sentences).
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,'’-]+[A-Za-z][a-z]+){2,}\b")
# Brand and standard names that stay in Latin letters on a Chinese page.
LATIN_ALLOWED = re.compile(r"SHA-256|PDF|SMS|API|URL|HTTP|Playwright", re.IGNORECASE)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


# Django admin's search icon has a fixed English alt text (admin/search_form.html), out of gettext's reach.
THIRD_PARTY_FIXED = {"Search"}
# The default triage rules' names are the centre's data (it renames them in the rules builder), not msgids.
DATA_WORDS = {rule["name"] for rule in DEFAULT_RULES}


class VisibleText(HTMLParser):
    """The text a reader sees (and hears: titles, labels, placeholders), and the links on the page.
    ``texts`` are (text, in_mono): codes, hashes and rule conditions are set in the monospace class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, bool]] = []
        self.links: list[str] = []
        self._skip = 0
        self._mono: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
        values = dict(attrs)
        if "mono" in (values.get("class") or "").split():
            self._mono.append(tag)
        for name in ("title", "placeholder", "aria-label"):
            if values.get(name):
                self.texts.append((values[name] or "", bool(self._mono)))
        if values.get("alt") and values["alt"] not in THIRD_PARTY_FIXED:
            self.texts.append((values["alt"] or "", bool(self._mono)))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1
        if self._mono and self._mono[-1] == tag:
            self._mono.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append((" ".join(data.split()), bool(self._mono)))


def read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def translated_msgids() -> set[str]:
    """Source strings the catalogue translates: seen verbatim on a Chinese page, the translation was lost."""
    ids, entry = set(), {}
    key = None
    for line in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.get("msgid") and entry.get("msgstr") and entry["msgstr"] != entry["msgid"]:
                ids.add(entry["msgid"])
            entry, key = {}, None
        elif match := re.match(r'^(msgid|msgstr(?:\[0\])?) "(.*)"$', line):
            key = match.group(1).replace("[0]", "")
            entry[key] = match.group(2)
        elif line.startswith('"') and key:
            entry[key] += line[1:-1]
    # Words too short to tell a lost translation from a code, a name or an abbreviation.
    return {i.replace('\\"', '"') for i in ids if len(i) >= 4 and re.search(r"[a-z]{3}", i) and "%" not in i}


def stored_codes() -> set[str]:
    """Every choice value of every model field with an underscore (in_mediation, debtor_came_forward ...)."""
    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    codes.add(value)
    return codes


def kind_of(path: str) -> str:
    """/cases/123/ and /cases/456/ are the same kind of page; so are /cases/?page=2 and /cases/?page=3."""
    parts = urlsplit(path)
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(sorted(re.findall(r"(\w+)=", parts.query))))


def walk(client: Client) -> Iterator[tuple[str, str]]:
    """(url, html) of the pages a user reaches from the home page, breadth first, bounded."""
    queue, seen, per_kind = ["/"], set(), defaultdict(int)
    pages = 0
    while queue and pages < PAGES_PER_ROLE:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = response.content.decode()
        yield url, html
        for href in read(html).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            kind = kind_of(link)
            if link not in seen and per_kind[kind] < PAGES_PER_KIND:
                per_kind[kind] += 1
                queue.append(link)


def findings_on(url: str, html: str, lang: str, msgids: set[str], codes: set[str]) -> list[str]:
    found = []
    label = "zh" if lang == "zh-hans" else lang
    for text, in_mono in read(html).texts:
        for word in SNAKE.findall(text):
            if word in codes:
                found.append(f"{label} {url}: raw code {word!r} in {text[:80]!r}")
        if lang != "zh-hans" or in_mono or text in DATA_WORDS:
            continue
        if text in msgids:
            found.append(f"zh {url}: untranslated {text!r}")
            continue
        latin = LATIN_ALLOWED.sub("", text)
        if phrase := ENGLISH_PHRASE.search(latin):
            found.append(f"zh {url}: English {phrase.group(0)!r} in {text[:80]!r}")
    return found


@pytest.fixture
def demo(db, settings, tmp_path):
    """The demo's tenants, logins and case histories, two cases per stage at the first centre (the whole
    demo takes a minute to seed on a busy machine; every kind of page is there with two)."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    rng = random.Random(scenarios.SEED)
    plans = scenarios.plan_centre(rng, scenarios.QUANZHOU, dict.fromkeys(scenarios.QUANZHOU_STAGES, 2))
    with transaction.atomic():
        scenarios.DemoSeeder(rng, plans, scenarios.tenants_create()).run()
    yield
    sms.outbox.clear()


def test_staff_pages_show_no_untranslated_text_and_no_raw_code(demo):
    msgids, codes = translated_msgids(), stored_codes()
    findings: set[str] = set()
    walked = 0
    for username in ROLES:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        for url, html in walk(client):
            walked += 1
            findings.update(findings_on(url, html, "zh-hans", msgids, codes))
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            english = client.get(url, follow=True).content.decode()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
            findings.update(findings_on(url, english, "en", msgids, codes))
    assert walked >= len(ROLES) * 5, walked
    assert not findings, "\n".join(sorted(findings))


def test_the_reader_flags_lost_translations_english_phrases_and_raw_codes():
    """The walk can fail: what it would report on a page that has each fault, and what it lets pass."""
    html = (
        "<h1>调解</h1><p>Log contact</p><p>Waiting for the creditor</p><td>状态：in_mediation</td>"
        '<dd class="mono">hardship eq True</dd><code>in_mediation</code><p>SHA-256 · PDF</p>'
        '<img alt="Search"><input placeholder="Case code or debtor name">'
    )
    found = findings_on("/x/", html, "zh-hans", {"Log contact"}, {"in_mediation"})
    assert sorted(found) == [
        "zh /x/: English 'Case code or debtor name' in 'Case code or debtor name'",
        "zh /x/: English 'Waiting for the creditor' in 'Waiting for the creditor'",
        "zh /x/: raw code 'in_mediation' in '状态：in_mediation'",
        "zh /x/: untranslated 'Log contact'",
    ]
    english = findings_on("/x/", html, "en", {"Log contact"}, {"in_mediation"})
    assert english == ["en /x/: raw code 'in_mediation' in '状态：in_mediation'"]


def test_the_catalogue_and_the_codes_are_read():
    assert "Log contact" in translated_msgids() and "in_mediation" in stored_codes()
