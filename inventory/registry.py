"""The spreadsheet register: its columns, and how each value is written to a cell and read
back from one. `registry_export` writes registers and the blank template; `registry_import`
reads them. Both rely on this one description, which is what makes the round trip lossless.

Columns follow `fields.FIELDS` (the shared naming of the entry's fields), plus the reference
(the key that re-imports update by), distributions as numbered column groups
("Distribution 2: Format"), and read-only columns the importer ignores (UUID, workflow status,
priority score and tier, release and update dates).

Controlled values are written as labels in the register's language; the importer accepts a
code, a label in any of the three languages, or "CODE — label". Several values share a cell,
separated by semicolons.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, cached_property

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from . import vocabularies as vocab
from .fields import DISTRIBUTION_FIELDS, FIELDS, field_label
from .models import Campaign, Dataset, Distribution
from .textfold import fold
from .workflow import _EMAIL, is_http_url

LANGS = ("ar", "fr", "en")
MAX_DISTRIBUTIONS = 10  # distribution column groups the importer recognises
TEMPLATE_DISTRIBUTIONS = 3
SEPARATOR = "; "
_SPLIT = re.compile(r"[;؛\n]")
_SPLIT_COMMA = re.compile(r"[,،]")
_HTML = re.compile(r"<\s*[a-zA-Z!/?]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DIGITS = str.maketrans({**{chr(0x0660 + i): str(i) for i in range(10)},
                         **{chr(0x06F0 + i): str(i) for i in range(10)},
                         "٫": ".", "٬": "", "\u00a0": "", "\u202f": ""})
# What an empty cell means, by kind (text columns hold "", lists [], flags False).
EMPTY = {"text": "", "email": "", "url": "", "reference": "", "keywords": [], "codes": [],
         "bool": False}
YES = {"1", "true", "yes", "y", "x", "oui", "o", "vrai", "نعم", "صحيح"}
NO = {"0", "false", "no", "n", "non", "faux", "لا", "خطأ"}


@dataclass(frozen=True, eq=False)  # identity hash: hashing lazy labels would be slow
class Column:
    """One register column. `key` is the entry field (or `distributions-N-<field>`)."""

    key: str
    label: object  # lazy string
    kind: str  # text | keywords | code | codes | date | int | level | bool | email | url |
    #            campaign | reference | readonly
    terms: object = None  # callable returning the vocabulary (code -> Term or lazy label)
    internal: bool = False

    @property
    def readonly(self):
        return self.kind == "readonly"

    @cached_property
    def distribution(self):
        """(index, field) of a distribution column, else None."""
        if not self.key.startswith("distributions-"):
            return None
        _prefix, index, name = self.key.split("-", 2)
        return int(index), name


def _levels():
    return vocab.LEVEL_LABELS


def _personal():
    return vocab.PERSONAL_DATA_LABELS


def _classifications():
    return vocab.CLASSIFICATION_LABELS


def _booleans():
    return {True: _l("yes"), False: _l("no")}


def _campaigns():
    from .extensions import db
    return {c.id: c for c in db.session.scalars(db.select(Campaign).order_by(Campaign.id))}


KINDS = {
    "keywords_ar": "keywords", "keywords_fr": "keywords", "keywords_en": "keywords",
    "personal_data": ("code", _personal), "classification": ("code", _classifications),
    "restriction_grounds": ("codes", vocab.restriction_grounds),
    "restriction_review_date": "date",
    "access_rights": ("code", vocab.access_rights), "license_code": ("code", vocab.licences),
    "contact_email": "email", "landing_page": "url", "documentation_url": "url",
    "hvd_category": ("code", vocab.hvd_categories), "themes": ("codes", vocab.themes),
    "spatial": ("codes", vocab.governorates), "temporal_start": "date", "temporal_end": "date",
    "frequency": ("code", vocab.frequencies), "languages": ("codes", vocab.languages),
    "demand": ("level", _levels), "value": ("level", _levels),
    "readiness": ("level", _levels), "risk": ("level", _levels), "ati_requests": "int",
    "legal_obligation": ("bool", _booleans), "planned_release_date": "date",
    "next_update_due": "date", "campaign_id": ("campaign", _campaigns),
}
DISTRIBUTION_KINDS = {
    "access_url": "url", "download_url": "url", "format": ("code", vocab.formats),
    "byte_size": "int", "license_code": ("code", vocab.licences),
    "availability": ("code", vocab.availabilities),
}


def _column(key, label, kind, internal=False):
    terms = None
    if isinstance(kind, tuple):
        kind, terms = kind
    return Column(key, label, kind, terms, internal)


REFERENCE = Column("reference", _l("Reference"), "reference")
FIELD_COLUMNS = tuple(_column(f.name, f.label, KINDS.get(f.name, "text"), f.internal)
                      for f in FIELDS if f.name != "distributions")
READONLY_COLUMNS = (
    Column("status", _l("Workflow status"), "readonly"),
    Column("uuid", _l("Identifier (UUID)"), "readonly"),
    Column("priority_score", _l("Priority score"), "readonly"),
    Column("priority_tier", _l("Priority tier"), "readonly"),
    Column("actual_release_date", _l("Actual release"), "readonly"),
    Column("updated_at", _l("Last updated"), "readonly"),
)


@cache
def distribution_columns(index):
    """The columns of distribution number `index` (0-based)."""
    return tuple(_column(f"distributions-{index}-{f.name}",
                         field_label(f"distributions-{index}-{f.name}"),
                         DISTRIBUTION_KINDS.get(f.name, "text")) for f in DISTRIBUTION_FIELDS)


def register_columns(distributions=1, readonly=True):
    """The register's columns, in order: reference, (status), fields, distributions,
    (read-only columns)."""
    cols = [REFERENCE]
    if readonly:
        cols.append(READONLY_COLUMNS[0])
    cols += FIELD_COLUMNS
    for i in range(max(distributions, 1)):
        cols += distribution_columns(i)
    if readonly:
        cols += READONLY_COLUMNS[1:]
    return cols


def all_known_columns():
    """Every column the importer recognises (with MAX_DISTRIBUTIONS distribution groups)."""
    return register_columns(MAX_DISTRIBUTIONS, readonly=True)


def max_length(column):
    """The database limit on a text column's length (None when unlimited)."""
    return _max_length(column.key)


@cache
def _max_length(key):
    name, table = key, Dataset.__table__
    if key.startswith("distributions-"):
        name, table = key.split("-", 2)[2], Distribution.__table__
    col = table.columns.get(name)
    return getattr(col.type, "length", None) if col is not None else None


# --------------------------------------------------------------------------- writing cells

def term_label(terms, code, lang):
    """Label of `code` in `lang` (Terms carry their own labels; lazy labels translate)."""
    value = terms.get(code)
    if value is None:
        return str(code)
    if isinstance(value, vocab.Term):
        return value.label(lang)
    if isinstance(value, Campaign):
        return value.name(lang)
    with force_locale(lang):
        return str(value)


def join_keywords(words):
    text = SEPARATOR.join(words)
    # A single keyword holding a comma gets a trailing separator, so that reading it back
    # does not split it at the comma.
    if len(words) == 1 and _SPLIT_COMMA.search(words[0]):
        text += ";"
    return text


def cell_value(dataset, column, lang, cache):
    """The value written in `column` for `dataset` (a str, int, date or None). `cache` is a
    dict reused across rows (vocabularies)."""
    if column.distribution:
        index, name = column.distribution
        dists = dataset.distributions
        if index >= len(dists):
            return None
        value = getattr(dists[index], name)
    elif column.kind == "readonly":
        value = getattr(dataset, column.key)
        if column.key == "status":
            return _label(cache, vocab.STATUS_LABELS, value, lang)
        if column.key == "priority_tier":
            return _label(cache, vocab.TIER_LABELS, value, lang) if value else None
        return value
    elif column.key == "themes":
        value = list(dataset.themes)
    else:
        value = getattr(dataset, column.key)
    kind = column.kind
    if value is None or value == "" or value == []:
        return None
    if kind in ("code", "level", "bool", "campaign"):
        return _label(cache, _terms(column, cache), value, lang)
    if kind == "codes":
        terms = _terms(column, cache)
        return SEPARATOR.join(_label(cache, terms, code, lang) for code in value)
    if kind == "keywords":
        return join_keywords(value)
    return value


def _label(cache, terms, code, lang):
    """`term_label`, remembered for the rows of one export (translating a lazy label per
    cell was most of the export's time)."""
    key = (id(terms), code, lang)
    if key not in cache:
        cache[key] = term_label(terms, code, lang)
    return cache[key]


def _terms(column, cache):
    if column.terms not in cache:
        cache[column.terms] = column.terms()
    return cache[column.terms]


# --------------------------------------------------------------------------- reading cells

class CellError(Exception):
    """A cell that cannot be read; `message` is a lazy translated text."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class Lookup:
    """Code and label matching for controlled columns, built once per import."""

    def __init__(self):
        self._indexes = {}
        self._found = {}  # (vocabulary, text) -> code or CellError: cells repeat a lot

    def index(self, column):
        key = column.terms
        if key not in self._indexes:
            terms = column.terms()
            index = {}
            for code in terms:
                names = {str(code)}
                for lang in LANGS:
                    names.add(term_label(terms, code, lang))
                for name in names:
                    index.setdefault(fold(name), set()).add(code)
            self._indexes[key] = (terms, index)
        return self._indexes[key]

    def find(self, column, text):
        """The code `text` names, or raise CellError."""
        key = (column.terms, text)
        if key not in self._found:
            try:
                self._found[key] = self._find(column, text)
            except CellError as exc:
                self._found[key] = exc
        found = self._found[key]
        if isinstance(found, CellError):
            raise CellError(found.message)
        return found

    def _find(self, column, text):
        terms, index = self.index(column)
        folded = fold(text)
        codes = index.get(folded)
        if not codes and "—" in text:  # "CODE — label", as in the template's lists
            codes = index.get(fold(text.split("—", 1)[0]))
        if not codes:
            raise CellError(_unknown_message(terms, text))
        if len(codes) > 1:
            raise CellError(_l("“%(value)s” is ambiguous here: write its code.",
                               value=text[:100]))
        return next(iter(codes))


def _unknown_message(terms, text):
    if len(terms) <= 12:
        return _l("Unknown value “%(value)s”. Accepted: %(codes)s (or their labels).",
                  value=text[:100], codes=", ".join(str(c) for c in terms))
    return _l("Unknown value “%(value)s”: choose one from the template's lists (a code or "
              "a label in Arabic, French or English).", value=text[:100])


def normalise_digits(text):
    """Arabic-Indic digits (٠-٩, ۰-۹) to ASCII; Arabic decimal and grouping marks too."""
    return text.translate(_DIGITS)


def _text(raw):
    if isinstance(raw, datetime):
        return raw.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _check_text(text, column):
    if _CONTROL.search(text):
        raise CellError(_l("The text contains invisible control characters."))
    if _HTML.search(text):
        raise CellError(_l("HTML tags are not accepted: write plain text."))
    limit = max_length(column)
    if limit and len(text) > limit:
        raise CellError(_l("Too long: at most %(max)s characters (here %(count)s).",
                           max=limit, count=len(text)))
    return text


def _split(text):
    parts = [p.strip() for p in _SPLIT.split(text)]
    return [p for p in parts if p]


def parse_date(raw):
    """A date from a spreadsheet cell: a date cell, YYYY-MM-DD, DD/MM/YYYY (also with - or .),
    YYYY/MM/DD, or an Excel serial number; Arabic-Indic digits accepted."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 1 <= raw < 2958466:  # Excel's serial day numbers (1900 system)
            return date(1899, 12, 30) + timedelta(days=int(raw))
        raise CellError(_l("Not a date."))
    text = normalise_digits(str(raw)).strip()
    text = text.split("T")[0].split(" ")[0]
    for pattern, order in ((r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", "ymd"),
                           (r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", "dmy")):
        match = re.fullmatch(pattern, text)
        if match:
            a, b, c = (int(x) for x in match.groups())
            y, m, d = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return date(y, m, d)
            except ValueError:
                break
    raise CellError(_l("Not a date: write it as YYYY-MM-DD (2024-03-31) or DD/MM/YYYY "
                       "(31/03/2024)."))


def parse_int(raw):
    if isinstance(raw, bool):
        raise CellError(_l("Not a whole number."))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    else:
        text = re.sub(r"\s", "", normalise_digits(str(raw)))  # "1 024" is a number too
        if not re.fullmatch(r"\d{1,18}", text):
            raise CellError(_l("Not a whole number: write digits only (for example 1024)."))
        value = int(text)
    if value < 0:
        raise CellError(_l("The number cannot be negative."))
    if value > 2 ** 62:
        raise CellError(_l("The number is too large."))
    return value


def parse_cell(column, raw, lookup):
    """The entry value of one cell (None for an empty cell), or raise CellError.

    `raw` is what the reader found: None, str, int, float, bool, date or datetime.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        empty = EMPTY.get(column.kind)
        return list(empty) if isinstance(empty, list) else empty
    kind = column.kind
    if kind == "date":
        return parse_date(raw)
    if kind == "int":
        return parse_int(raw)
    if kind == "bool" and isinstance(raw, bool):
        return raw
    text = _text(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if kind == "bool":
        folded = fold(normalise_digits(text))
        if folded in YES:
            return True
        if folded in NO:
            return False
        return lookup.find(column, text)
    if kind == "level":
        level = lookup.find(column, text)
        return int(level)
    if kind in ("code", "campaign"):
        return lookup.find(column, text)
    if kind == "codes":
        codes = []
        for part in _split(text):
            try:
                found = [lookup.find(column, part)]
            except CellError:
                pieces = [p.strip() for p in _SPLIT_COMMA.split(part) if p.strip()]
                if len(pieces) < 2:
                    raise
                found = [lookup.find(column, p) for p in pieces]
            codes += [c for c in found if c not in codes]
        return codes
    if kind == "keywords":
        parts = _split(text) if _SPLIT.search(text) else [
            p.strip() for p in _SPLIT_COMMA.split(text) if p.strip()]
        for part in parts:
            _check_text(part, column)
        return list(dict.fromkeys(parts))
    _check_text(text, column)
    if kind == "email" and not _EMAIL.match(text):
        raise CellError(_l("This is not a valid e-mail address."))
    if kind == "url" and not is_http_url(text):
        raise CellError(_l("Give a full web address starting with http:// or https://."))
    if kind == "reference":
        return text.upper()
    return text
