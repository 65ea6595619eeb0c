"""The Babel catalogs are complete and usable: every string of the sources is in the template,
every ar/fr/en message is translated (not fuzzy), placeholders survive translation, the
catalogs compile, and the Arabic plural rule is CLDR's.

When this fails after new strings were added: `make extract-messages`, then translate the new
messages in inventory/translations/{ar,fr,en}/LC_MESSAGES/messages.po (GLOSSARY.md next to
them keeps the terms consistent).
"""
import ast
import os
import re
from io import BytesIO

import pytest
from babel import Locale
from babel.messages.checkers import python_format
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from tests.conftest import ROOT

TRANSLATIONS = ROOT / "inventory" / "translations"
LANGUAGES = ("ar", "fr", "en")
# The keywords of `make extract-messages` (flask_babel's gettext as _, lazy_gettext as _l...).
KEYWORDS = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None, lazy_ngettext=(1, 2))
PYTHON_PACKAGES = ("inventory", "catalog")
# French messages spelled as in English, each checked to be the right French word. Any other
# French msgstr equal to its msgid is English left behind.
SAME_IN_FRENCH = frozenset({
    "Action", "Actions", "Active", "Administration", "Code", "Date", "Description", "Distribution %(num)s",
    "Distributions", "Documentation", "Format", "Formats", "Identification", "Inactive",
    "inactive", "Instructions", "Licence", "Licences", "Note", "Pages", "Points", "Public",
    "Publication", "Publications", "Question", "Type", "URI", "Volume"})
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
# Short vowels, tanween, shadda, superscript alef.
ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")
LATIN_LETTER = re.compile("[A-Za-z]")
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _key(message_id):
    return message_id[0] if isinstance(message_id, tuple) else message_id


def _placeholders(text):
    return set(PLACEHOLDER.findall(text or ""))


def _load(path):
    with open(path, "rb") as fh:
        return read_po(fh, locale=path.parent.parent.name if path.suffix == ".po" else None)


@pytest.fixture(scope="module")
def template():
    return _load(TRANSLATIONS / "messages.pot")


@pytest.fixture(scope="module")
def catalogs():
    return {lang: _load(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
            for lang in LANGUAGES}


def _messages(catalog):
    return [m for m in catalog if m.id]


# --------------------------------------------------------------------------- sources vs .pot

def _extracted_from_sources():
    """Message ids Babel extracts with babel.cfg, walking every directory (also `_macros`:
    pybabel skips directories starting with "_" unless told otherwise)."""
    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)

    def keep_directory(path):
        top = os.path.relpath(path, ROOT).split(os.sep)[0]
        return top in (*PYTHON_PACKAGES, "templates") and os.path.basename(path) != "__pycache__"

    # extract_from_dir matches babel.cfg's patterns against paths relative to ROOT.
    return {(filename, _key(message))
            for filename, _lineno, message, _comments, _context in extract_from_dir(
                str(ROOT), method_map, options_map, keywords=KEYWORDS,
                directory_filter=keep_directory)}


def _gettext_calls_in_python():
    """Literal first arguments of _(), _l(), gettext()... anywhere in the Python sources, read
    with `ast` (which also sees calls inside f-strings, where Babel's extractor does not)."""
    names = {name for name in KEYWORDS if name not in ("N_",)}
    found = set()
    for package in PYTHON_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in names and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    found.add((str(path.relative_to(ROOT)), node.args[0].value))
    return found


def test_every_string_of_the_sources_is_in_the_template(template):
    in_template = {_key(m.id) for m in _messages(template)}
    sources = _extracted_from_sources() | _gettext_calls_in_python()
    assert len(sources) > 400  # the extraction really ran over the sources
    missing = sorted({f"{path}: {msgid!r}" for path, msgid in sources
                      if msgid not in in_template})
    assert not missing, ("strings missing from messages.pot (run `make extract-messages`, then "
                         "translate them):\n" + "\n".join(missing))


def test_the_catalogs_hold_exactly_the_template_messages(template, catalogs):
    in_template = {_key(m.id) for m in _messages(template)}
    for lang, catalog in catalogs.items():
        ids = {_key(m.id) for m in _messages(catalog)}
        assert ids == in_template, (lang, "run `make extract-messages`",
                                    sorted(in_template - ids), sorted(ids - in_template))


# --------------------------------------------------------------------------- translations

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(catalogs, lang):
    catalog = catalogs[lang]
    assert not catalog.fuzzy, f"{lang}: the catalog header is marked fuzzy"
    problems = []
    for m in _messages(catalog):
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy:
            problems.append(f"fuzzy: {_key(m.id)!r}")
        if len(strings) != (catalog.num_plurals if m.pluralizable else 1):
            problems.append(f"wrong number of plural forms: {_key(m.id)!r}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"empty: {_key(m.id)!r}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(catalogs, lang):
    problems = []
    for m in _messages(catalogs[lang]):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        expected = set().union(*(_placeholders(i) for i in ids))
        for index, text in enumerate(strings):
            found = _placeholders(text)
            last_form = index == len(strings) - 1
            # Plural forms for zero/one/two may spell the number out ("بطاقتان"); the general
            # form and every singular message keep exactly the msgid's placeholders.
            if found != expected if (not m.pluralizable or last_form) else not found <= expected:
                problems.append(f"{_key(m.id)!r} [{index}]: {sorted(found)} vs {sorted(expected)}")
            if m.python_format and text:
                try:
                    text % {name: "x" for name in found}
                except (KeyError, ValueError, TypeError) as exc:
                    problems.append(f"{_key(m.id)!r} [{index}] does not format: {exc}")
        try:
            python_format(catalogs[lang], m)  # Babel's own checker (same number and names)
        except Exception as exc:  # noqa: BLE001 - TranslationError and friends: report them all
            if not m.pluralizable:
                problems.append(f"{_key(m.id)!r}: {exc}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


def test_no_english_left_in_the_french_and_arabic_catalogs(catalogs):
    """A French msgstr equal to its msgid must be a known cognate; every Arabic msgstr is
    written in Arabic (at least one Arabic letter) unless its msgid has no words at all."""
    english_left = []
    for m in _messages(catalogs["fr"]):
        if m.string == m.id and LATIN_LETTER.search(PLACEHOLDER.sub("", _key(m.id))) \
                and m.id not in SAME_IN_FRENCH:
            english_left.append(f"fr: {_key(m.id)!r}")
    for m in _messages(catalogs["ar"]):
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if LATIN_LETTER.search(PLACEHOLDER.sub("", _key(m.id))) and \
                not all(ARABIC_LETTER.search(s or "") for s in strings):
            english_left.append(f"ar: {_key(m.id)!r}")
    assert not english_left, "\n".join(english_left)


def test_arabic_is_written_without_diacritics(catalogs):
    """Tunisian administrative Arabic is unvocalised; and a mark in any PDF text (WeasyPrint)
    can corrupt the PDF's text layer: one "أُ" made every "أ" of a checklist PDF unreadable
    to pdftotext, so that its words could no longer be found or copied."""
    marked = [_key(m.id) for m in _messages(catalogs["ar"])
              for s in (m.string if isinstance(m.string, tuple) else (m.string,))
              if ARABIC_MARKS.search(s or "")]
    assert not marked, marked


def test_english_catalog_repeats_the_source_strings(catalogs):
    for m in _messages(catalogs["en"]):
        assert m.string == m.id, m.id


# --------------------------------------------------------------------------- compiled catalogs

@pytest.fixture(scope="module")
def compiled(catalogs, tmp_path_factory):
    """Each catalog compiled to a .mo file in a temporary directory, then loaded back."""
    out = tmp_path_factory.mktemp("mo")
    loaded = {}
    for lang, catalog in catalogs.items():
        path = out / lang / "LC_MESSAGES" / "messages.mo"
        path.parent.mkdir(parents=True)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        path.write_bytes(buffer.getvalue())
        assert path.stat().st_size > 10_000
        loaded[lang] = Translations.load(str(out), [lang])
    return loaded


def test_compiled_catalogs_translate(compiled):
    assert compiled["ar"].gettext("Inventory") == "الجرد"
    assert compiled["fr"].gettext("Inventory") == "Inventaire"
    assert compiled["en"].gettext("Inventory") == "Inventory"
    assert compiled["fr"].ngettext("%(num)s entry", "%(num)s entries", 3) % {"num": 3} == \
        "3 fiches"


def test_arabic_plural_forms_follow_cldr(compiled, catalogs):
    """ar has six forms (zero, one, two, few, many, other), chosen as CLDR says."""
    catalog = catalogs["ar"]
    assert catalog.num_plurals == 6
    order = ("zero", "one", "two", "few", "many", "other")
    forms = {m.id[0]: m.string for m in _messages(catalog) if m.pluralizable}
    arabic = Locale("ar")
    for n in (*range(0, 230), 1000, 1001, 1002, 1011):
        expected = order.index(arabic.plural_form(n))
        for singular, strings in forms.items():
            plural = next(m.id[1] for m in _messages(catalog) if _key(m.id) == singular)
            assert compiled["ar"].ngettext(singular, plural, n) == strings[expected], (n, singular)
    # the six forms of a message are different texts (none left as a copy of another)
    for singular, strings in forms.items():
        assert len(set(strings[:4])) == 4, singular
