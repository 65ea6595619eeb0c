"""Input shape for the inventory forms: WTForms field classes and validators that check what
is typed without judging completeness (lengths, control characters, e-mail and web-address
shape, dates, whole numbers in range, codes from the vocabularies, keywords lists).

Every message is our own translated text, anchored to its field; what was typed stays in the
field when it is refused, so the page shows it back.
"""
import re
from datetime import datetime

from flask_babel import format_decimal
from flask_babel import gettext as _
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import vocabularies as vocab
from . import workflow

LONG_TEXT = 20000  # Text columns: descriptions, notes (a generous bound, not a column limit)
MAX_KEYWORDS = 30
MAX_KEYWORD_LENGTH = 100
MIN_YEAR, MAX_YEAR = 1000, 2999
MAX_ATI_REQUESTS = 1_000_000
MAX_BYTE_SIZE = 2**63 - 1  # BigInteger

# C0 controls (except tab, newline, carriage return), DEL and non-characters: invisible, they
# break XML exports and PostgreSQL rejects NUL. Direction marks and emoji are fine.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Invisible direction marks that a copy from Arabic text leaves around a date or an address.
_EDGE_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_KEYWORD_SEPARATORS = re.compile("[,\u060c;\u061b\n]")  # , ، ; ؛ and new lines


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def strip_marks(value):
    """Outer spaces and direction marks removed (for addresses, e-mails, dates, numbers)."""
    return value.strip().strip(_EDGE_MARKS).strip() if isinstance(value, str) else value


def split_keywords(text):
    """Keywords typed in one input, separated by commas (, or ،) or semicolons: trimmed, inner
    spaces collapsed, duplicates (ignoring case) dropped, order kept."""
    seen, words = set(), []
    for part in _KEYWORD_SEPARATORS.split(text or ""):
        word = " ".join(part.split())
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            words.append(word)
    return words


def join_keywords(words, lang):
    return ("، " if lang == "ar" else ", ").join(words or ())


def without_controls(text):
    """`text` without the control characters `TextShape` refuses."""
    return _CONTROL.sub("", text)


class TextShape:
    """At most `max_length` characters and no invisible control characters."""

    def __init__(self, max_length):
        self.max_length = max_length

    def __call__(self, form, field):
        value = field.data
        if not isinstance(value, str):
            return
        if _CONTROL.search(value):
            raise ValidationError(_("This text contains invisible control characters (often "
                                    "left by a copy and paste): remove them and save again."))
        if len(value) > self.max_length:
            raise ValidationError(_("Too long: at most %(max)s characters; this text has "
                                    "%(length)s.", max=format_decimal(self.max_length),
                                    length=format_decimal(len(value))))


def web_address(form, field):
    if field.data and not workflow.is_http_url(field.data):
        raise ValidationError(_("Give a full web address starting with http:// or https://, "
                                "without spaces."))


def email_address(form, field):
    if field.data and not workflow.is_email(field.data):
        raise ValidationError(_("This is not an e-mail address: it looks like "
                                "name@example.tn."))


def _unknown(values, choices):
    known = {str(c[0]) for c in choices or ()}
    return [str(v) for v in values if v not in (None, "") and str(v) not in known]


def known_choice(form, field):
    unknown = _unknown([field.data], field.choices)
    if unknown:
        raise ValidationError(_("“%(value)s” is not one of the proposed choices.",
                                value=unknown[0][:100]))


def known_choices(form, field):
    unknown = _unknown(field.data or (), field.choices)
    if unknown:
        raise ValidationError(_("Not among the proposed choices: %(values)s.",
                                values=", ".join(v[:100] for v in unknown[:5])))


def keywords_shape(form, field):
    words = split_keywords(field.data)
    if len(words) > MAX_KEYWORDS:
        raise ValidationError(_("At most %(max)s keywords; there are %(count)s.",
                                max=MAX_KEYWORDS, count=len(words)))
    too_long = next((w for w in words if len(w) > MAX_KEYWORD_LENGTH), None)
    if too_long:
        raise ValidationError(_("A keyword may have at most %(max)s characters: “%(start)s…” "
                                "is longer. Separate keywords with commas.",
                                max=MAX_KEYWORD_LENGTH, start=too_long[:30]))


def country_or_governorates(form, field):
    codes = field.data or []
    if vocab.TN_CODE in codes and len(codes) > 1:
        raise ValidationError(_("Tick either the whole country or some governorates, not "
                                "both."))


def code_choice(value):
    """Choice values compare as text (codes)."""
    return value if isinstance(value, str) else str(value)


def int_choice(value):
    """Integer choice values (levels, campaign ids); anything else stays as typed so that the
    validator can name it."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


# --------------------------------------------------------------------------- field classes

class MultiCheckboxField(SelectMultipleField):
    """Several choices as a group of checkboxes (rendered in a fieldset by the macros)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class KeywordsField(StringField):
    """Keywords of one language in one input; the model keeps them as a list."""

    def __init__(self, label=None, validators=None, lang="ar", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.lang = lang

    def process_data(self, value):
        self.data = join_keywords(value, self.lang) if isinstance(value, list | tuple) else value


class DateInputField(DateField):
    """A date (calendar input; typed 2024-12-31 or 31/12/2024 also accepted), with our own
    translated message; what was typed stays in the input when it is not a date."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = strip_marks(valuelist[0] or "")
        self.data = None
        if not raw:
            return
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                parsed = datetime.strptime(raw, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(_("This is not a date: pick it in the calendar or type it as "
                               "2024-12-31."))
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise ValueError(_("Give a date between the years %(min)s and %(max)s.",
                               min=MIN_YEAR, max=MAX_YEAR))
        self.data = parsed

    def _value(self):
        if self.data is not None and not self.errors and not self.process_errors:
            return self.data.isoformat()
        return super()._value()


class WholeNumberField(IntegerField):
    """A whole number in [minimum, maximum] (spaces as thousands separators allowed)."""

    def __init__(self, label=None, validators=None, minimum=0, maximum=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = re.sub(r"[\s\u202f]", "", strip_marks(valuelist[0] or ""))
        self.data = None
        if not raw:
            return
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(_("Give a whole number in digits, for example 1200.")) from None
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            raise ValueError(_("Give a number between %(min)s and %(max)s.",
                               min=format_decimal(self.minimum),
                               max=format_decimal(self.maximum)))
        self.data = value


def model_value(field):
    """The value a form field gives to the model (lists, None for no choice, '' for no text)."""
    if isinstance(field, KeywordsField):
        return split_keywords(field.data)
    if isinstance(field, SelectMultipleField):
        return list(dict.fromkeys(field.data or ()))
    if isinstance(field, BooleanField):
        return bool(field.data)
    if isinstance(field, SelectField):  # also radios
        return None if field.data in (None, "") else field.data
    if isinstance(field, DateField | IntegerField):
        return field.data
    return field.data or ""
