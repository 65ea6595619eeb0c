"""No English left in the Arabic or French interface.

Every page a user meets is rendered with ?lang=ar and ?lang=fr and its interface text (text
nodes and the attributes people read or hear: title, aria-label, placeholder, confirmation
messages) is scanned. User data is left out where the templates mark it as such: text in
another language (`lang`), bidi-isolated user text (`<bdi>`), left-to-right codes and
addresses (`dir="ltr"`), code, what users typed (textarea).

- Arabic: any Latin word is a leftover unless the Arabic catalog itself or a vocabulary label
  uses it on purpose (CSV, API, DCAT-AP, CKAN_CA_BUNDLE...).
- French: a word is a leftover when it occurs in the English source strings and in no French
  translation or label ("the", "entry", "draft"...).
"""
import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from inventory import checklist
from inventory import vocabularies as vocab
from inventory.extensions import db
from inventory.models import Campaign
from tests.conftest import ROOT, restricted_fields
from tests.htmlform import filled
from tests.unit.test_translations import SAME_IN_FRENCH

WORD = re.compile(r"[A-Za-z]{2,}")
SKIPPED_TAGS = {"script", "style", "code", "bdi", "abbr", "output", "time", "textarea"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-confirm",
                   "data-unsaved-warning", "data-none")
# Organization codes of the test data (in page titles, options) and names of file formats.
DATA_WORDS = {"MESRS", "MEF", "PDF", "CSV", "XLSX", "Markdown"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
             "source", "track", "wbr"}


class _InterfaceText(HTMLParser):
    """Collects the interface text of a page (see the module docstring for what is skipped)."""

    def __init__(self, lang):
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack = []  # one bool per open element: does it (or a parent) hide its text?
        self.texts = []

    def _hidden(self):
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        marked_as_data = tag != "html" and (
            a.get("lang", self.lang) != self.lang or a.get("dir") == "ltr"
            or "url" in (a.get("class") or "").split())
        hidden = self._hidden() or tag in SKIPPED_TAGS or marked_as_data
        if not hidden:
            self.texts += [a[name] for name in READ_ATTRIBUTES if a.get(name)]
        if tag not in VOID_TAGS:
            self.stack.append(hidden)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID_TAGS and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.texts.append(data.strip())


EMAIL = re.compile(r"\S+@\S+")


def interface_words(html, lang):
    """{word: text it was found in} of the interface text (e-mail addresses are data)."""
    reader = _InterfaceText(lang)
    reader.feed(html)
    return {word: text for text in reader.texts for word in WORD.findall(EMAIL.sub(" ", text))}


def _words(texts, lower=True):
    """Words of `texts` (lowercased unless told), placeholders such as %(count)s left out."""
    return {w.lower() if lower else w for text in texts
            for w in WORD.findall(re.sub(r"%\(\w+\)\w", " ", str(text)))}


def _catalog(lang):
    path = ROOT / "inventory" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as fh:
        return read_po(fh, locale=lang)


def _strings(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _vocabulary_labels(lang):
    """Labels that are package data, not catalog messages: vocabularies, checklist items."""
    terms = (vocab.themes(), vocab.frequencies(), vocab.access_rights(),
             vocab.restriction_grounds(), vocab.hvd_categories(), vocab.languages(),
             vocab.availabilities(), vocab.governorates(), vocab.licences(), vocab.formats())
    return [t.labels.get(lang, "") for group in terms for t in group.values()] + \
        [item.texts.get(lang, "") for item in checklist.items().values()]


@pytest.fixture(scope="module")
def allowed_words(app):
    """Per language, the Latin words the interface may show (for Arabic with their case:
    "BY" of a licence name does not allow an English "by"); and the English source words."""
    with app.app_context():
        labels = {lang: _vocabulary_labels(lang) for lang in ("ar", "fr")}
    allowed = {}
    for lang in ("ar", "fr"):
        # a French msgstr equal to its msgid allows its words only if it is a known cognate
        texts = [s for m in _catalog(lang) if m.id and (
                     lang == "ar" or m.string != m.id or m.id in SAME_IN_FRENCH)
                 for s in _strings(m)] + labels[lang]
        allowed[lang] = _words(texts, lower=lang != "ar")
    english = _words([i for m in _catalog("en") if m.id
                      for i in (m.id if isinstance(m.id, tuple) else (m.id,))])
    return allowed, english


def leftovers(html, lang, allowed_words, data_words=()):
    allowed, english = allowed_words
    found = {}
    for word, text in interface_words(html, lang).items():
        if word in data_words:
            continue
        if lang == "ar" and word not in allowed["ar"]:
            found[word] = text
        elif lang != "ar" and word.lower() in english - allowed[lang]:
            found[word] = text
    return found


# --------------------------------------------------------------------------- the pages

@pytest.fixture
def pages(client, make, login):
    """(name, path) of the pages to scan, with data in every state worth showing."""
    org = make.org("MESRS", name_ar="وزارة التعليم العالي والبحث العلمي",
                   name_fr="Ministère de l'Enseignement supérieur")
    make.org("MEF", name_ar="وزارة الاقتصاد والتخطيط", name_fr="Ministère de l'Économie")
    admin = make.user("admin", [org], name="مشرف البوابة")
    # the account the factory moves entries through the workflow with (named in histories)
    make.user("admin", email="factory-admin@x.org", name="مشرف المراجعة")
    officer = make.user("officer", [org], name="المسؤول عن البيانات")
    blank = make.dataset(org, officer, complete=False, title_ar="بطاقة غير مكتملة")
    changes = make.dataset(org, officer, status="changes_requested")
    published = make.dataset(org, officer, status="published")
    restricted = make.dataset(org, officer, **restricted_fields(
        restriction_review_date=date.today() + timedelta(days=30)))
    submitted = make.dataset(org, officer, status="submitted")
    campaign = Campaign(name_ar="حملة 2026 للقطاعات ذات الأولوية", name_fr="Campagne 2026",
                        sectors=["EDUC"], deadline=date.today() + timedelta(days=20),
                        organizations=[org])
    db.session.add(campaign)
    db.session.flush()
    submitted.campaign_id = blank.campaign_id = campaign.id
    db.session.commit()
    login(admin)
    result = [("list", "/datasets"), ("empty list", "/datasets?q=zzzz"),
              ("new", "/datasets/new"), ("review queue", "/review"),
              ("dashboard", "/dashboard"), ("admin", "/admin/"),
              ("publications", "/publications"), ("profile", "/profile"),
              ("API documentation", "/api/v1/docs"),
              ("checklists", "/checklist"), ("checklist", "/organizations/MESRS/checklist"),
              ("ministry tick", "/organizations/MESRS/checklist/M01"),
              ("registers", "/register"), ("register", "/organizations/MESRS/register"),
              ("campaign dashboard", f"/dashboard/campaigns/{campaign.id}"),
              ("organization dashboard", "/dashboard/organizations/MESRS"),
              ("review", f"/review/{submitted.uuid}"),
              ("priority override", f"/review/{submitted.uuid}/priority"),
              ("campaigns", "/admin/campaigns"), ("campaign", f"/admin/campaigns/{campaign.id}"),
              ("new campaign", "/admin/campaigns/new"),
              ("organizations", "/admin/organizations"),
              ("organization", f"/admin/organizations/{org.id}"),
              ("new organization", "/admin/organizations/new"),
              ("merge", f"/admin/organizations/{org.id}/merge"),
              ("priority weights", "/admin/priority"), ("users", "/admin/users"),
              ("user", f"/admin/users/{officer.id}"), ("new user", "/admin/users/new"),
              ("vocabularies", "/admin/vocabularies"),
              ("statuses", "/admin/vocabularies/statuses"),
              ("tiers", "/admin/vocabularies/tiers"),
              ("not found", "/datasets/00000000-0000-0000-0000-000000000000")]
    for name, ds in (("draft", blank), ("changes requested", changes),
                     ("published", published), ("restricted", restricted),
                     ("submitted", submitted)):
        result.append((f"entry {name}", f"/datasets/{ds.uuid}"))
    for step in ("identification", "legal", "access", "coverage", "distributions", "priority",
                 "summary"):
        result.append((f"wizard {step}", f"/datasets/{blank.uuid}/edit?step={step}"))
        result.append((f"wizard {step} (restricted)",
                       f"/datasets/{restricted.uuid}/edit?step={step}"))
    result.append(("wizard after review", f"/datasets/{changes.uuid}/edit?step=access"))
    result.append(("entry tick", f"/datasets/{published.uuid}/checklist/D20"))
    return result, {"admin": admin, "blank": blank}


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_pages_have_no_english_left(app, client, pages, allowed_words, lang):
    paths, _ = pages
    problems = []
    anonymous = app.test_client()
    for name, path, browser in [("sign-in", "/login", anonymous),
                                *((name, path, client) for name, path in paths)]:
        sep = "&" if "?" in path else "?"
        response = browser.get(f"{path}{sep}lang={lang}")
        assert response.status_code in (200, 404), (name, response.status_code)
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}"' in html, name
        found = leftovers(html, lang, allowed_words, DATA_WORDS)
        problems += [f"{name}: {word!r} in {text!r}" for word, text in found.items()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_error_messages_have_no_english_left(app, client, pages, allowed_words, lang):
    """Field errors, the error summary and flash messages of a wizard step sent with bad
    input, of a submission with everything missing, of an empty sign-in form (WTForms'
    own messages), and the problems of a register import."""
    _, data = pages
    blank = data["blank"]
    url = f"/datasets/{blank.uuid}/edit?step=access&lang={lang}"
    form = filled(client.get(url).data, contact_email="not an address",
                  landing_page="www.example", nav="save")
    response = client.post(url, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="error-summary"' in html
    summary_url = f"/datasets/{blank.uuid}/edit?step=summary&lang={lang}"
    submitted = client.post(summary_url, data=filled(client.get(summary_url).data, nav="submit"))
    assert submitted.status_code == 422
    signed_out = app.test_client()
    refused = signed_out.post(f"/login?lang={lang}", data={"email": "", "password": ""})
    assert refused.status_code == 400 and "field__errors" in refused.get_data(as_text=True)
    # A register import checked (dry run) with bad cells: the report lists the problems.
    sheet = ("Reference,Title in Arabic,Start of the period covered,Update frequency,Colour\n"
             ",عدد المؤسسات,31/02/2024,كل يوم,أحمر\nMESRS-9999,عنوان,,,\n").encode()
    report = client.post(f"/organizations/MESRS/register/import?lang={lang}",
                         data={"file": (io.BytesIO(sheet), "register.csv"), "dry_run": "y"},
                         content_type="multipart/form-data")
    report_html = report.get_data(as_text=True)
    assert report.status_code == 200 and "import-problems" in report_html
    # the report lists the accepted codes of a vocabulary (CONT, DAILY...): codes, not English
    codes = set(WORD.findall(" ".join(vocab.frequencies())))
    problems = {}
    for page in (html, submitted.get_data(as_text=True), refused.get_data(as_text=True),
                 report_html):
        problems.update(leftovers(page, lang, allowed_words, DATA_WORDS | codes))
    assert not problems, problems


def test_the_scan_finds_english(allowed_words):
    """The detector itself: English interface text is reported, user data is not."""
    html = ('<html lang="ar" dir="rtl"><body><p>الجرد</p><button>Save draft</button>'
            '<p title="Withdraw this entry?">سحب</p>'
            '<p lang="fr">Effectifs des étudiants</p><bdi>John Smith</bdi>'
            '<span dir="ltr">MESRS-0001 https://data.example.org</span></body></html>')
    assert set(leftovers(html, "ar", allowed_words)) == {"Save", "draft", "Withdraw", "this",
                                                         "entry"}
    html_fr = ('<html lang="fr" dir="ltr"><body><p>Enregistrer le brouillon</p><p>Save draft</p>'
               '<p>Distribution 2 : Format</p><span dir="ltr">https://data.example.org</span>'
               '</body></html>')
    assert set(leftovers(html_fr, "fr", allowed_words)) == {"Save", "draft"}
