"""Value kinds of the API: each validates a decoded JSON value — collecting every problem
with its path and a translated message — and writes its own JSON Schema, so that what the
API checks and what its OpenAPI document says are one definition.

Request schemas are strict (lengths, enums, no NUL character, no unknown or read-only
fields); `schema(output=True)` keeps types and enums but not the input limits, for
responses (entries written through the UI or an import may legitimately exceed them).
"""
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from ..fields import FIELDS, field_label

TEXT_MAX = 20000  # Text columns: no SQL limit, but a request is not a place for a book
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
NO_NUL = r"^[^\u0000]*$"
YEAR_NOT_ZERO = r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-"
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Problem:
    """One validation problem: where (`location` + `path`, e.g. body
    `distributions/0/format`; location is body, query, or entry for rules the stored entry
    does not meet), a stable `code` and a translated `message`."""

    path: str
    code: str
    message: object  # lazy string: translated when serialized, in the request's language
    location: str = "body"

    def to_json(self):
        out = {"in": self.location, "path": self.path, "code": self.code,
               "message": str(self.message)}
        label = label_of_path(self.path) if self.location in ("body", "entry") else None
        if label:
            out["label"] = str(label)
        return out


class ValidationFailed(Exception):
    """Raised with every problem found (never only the first)."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def label_of_path(path):
    """Translated label of an entry field path (`title_ar`, `distributions/1/format`)."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == "distributions" and parts[1].isdigit():
        return field_label(f"distributions-{parts[1]}-{parts[2]}")
    known = {f.name for f in FIELDS}
    return field_label(parts[0]) if parts[0] in known else None


def join_path(base, name):
    return f"{base}/{name}" if base else str(name)


class Kind:
    """A value shape: `schema()` for OpenAPI, `clean()` to validate a decoded JSON value."""

    nullable = False

    def schema(self, output=False):
        raise NotImplementedError

    def clean(self, value, path, problems):
        raise NotImplementedError

    def _null(self, value, path, problems):
        """True when `value` is None and that is settled (allowed, or reported)."""
        if value is None:
            if not self.nullable:
                problems.append(Problem(path, "type", self.type_message))
            return True
        return False

    def _wrong_type(self, value, types, path, problems):
        """True (and reported) when `value` is not an instance of `types`."""
        if isinstance(value, types):
            return False
        problems.append(Problem(path, "type", self.type_message))
        return True

    def _types(self, json_type):
        return [json_type, "null"] if self.nullable else json_type


class Text(Kind):
    type_message = _l("Expected text.")

    def __init__(self, max_length, min_length=0):
        self.max_length = max_length
        self.min_length = min_length

    def schema(self, output=False):
        if output:
            return {"type": "string"}
        out = {"type": "string", "maxLength": self.max_length, "pattern": NO_NUL}
        if self.min_length:
            out["minLength"] = self.min_length
        return out

    def clean(self, value, path, problems):
        if self._wrong_type(value, str, path, problems):
            return None
        if "\x00" in value or _SURROGATE.search(value):
            problems.append(Problem(path, "invalid_character",
                                    _l("The text contains a character that cannot be stored "
                                       "(NUL or a lone surrogate).")))
        elif len(value) > self.max_length:
            problems.append(Problem(path, "too_long", _l("At most %(max)s characters.",
                                                         max=self.max_length)))
        elif len(value) < self.min_length:
            problems.append(Problem(path, "too_short", _l("This cannot be empty.")))
        return value


class Code(Kind):
    """One code of a controlled list (`terms()` returns code -> Term or lazy label)."""

    type_message = _l("Expected a code (text).")

    def __init__(self, terms, nullable=True):
        self.terms = terms
        self.nullable = nullable

    def codes(self):
        return list(self.terms())

    def schema(self, output=False):
        codes = self.codes()
        return {"type": self._types("string"), "enum": codes + [None] if self.nullable
                else codes}

    def clean(self, value, path, problems):
        if self._null(value, path, problems):
            return None
        if self._wrong_type(value, str, path, problems):
            return None
        codes = self.codes()
        if value not in codes:
            problems.append(Problem(path, "invalid_choice", _l(
                "Unknown code “%(value)s”. Allowed: %(allowed)s.", value=value[:50],
                allowed=", ".join(codes))))
        return value


class CodeList(Kind):
    """A list of distinct codes of a controlled list."""

    type_message = _l("Expected a list of codes.")

    def __init__(self, terms, unique=True):
        self.item = Code(terms, nullable=False)
        self.unique = unique

    @property
    def terms(self):
        return self.item.terms

    def schema(self, output=False):
        out = {"type": "array", "items": self.item.schema(output)}
        if self.unique and not output:
            out["uniqueItems"] = True
        return out

    def clean(self, value, path, problems):
        if self._wrong_type(value, list, path, problems):
            return None
        out = [self.item.clean(v, join_path(path, i), problems) for i, v in enumerate(value)]
        if self.unique and len({v for v in value if isinstance(v, str)}) != len(value):
            problems.append(Problem(path, "duplicate", _l("Each code may appear only once.")))
        return out


class ArrayOf(Kind):
    type_message = _l("Expected a list.")

    def __init__(self, item, max_items):
        self.item = item
        self.max_items = max_items

    def schema(self, output=False):
        out = {"type": "array", "items": self.item.schema(output)}
        if not output:
            out["maxItems"] = self.max_items
        return out

    def clean(self, value, path, problems):
        if self._wrong_type(value, list, path, problems):
            return None
        if len(value) > self.max_items:
            problems.append(Problem(path, "too_many", _l("At most %(max)s items.",
                                                         max=self.max_items)))
            return None
        return [self.item.clean(v, join_path(path, i), problems) for i, v in enumerate(value)]


class TextList(ArrayOf):
    """A list of non-empty texts (keywords)."""

    type_message = _l("Expected a list of texts.")

    def __init__(self, item_max, max_items):
        super().__init__(Text(item_max, min_length=1), max_items)


class Date(Kind):
    type_message = _l("Expected a date written YYYY-MM-DD.")
    nullable = True

    def schema(self, output=False):
        if output:
            return {"type": self._types("string"), "format": "date"}
        # RFC 3339 allows the year 0000, which no calendar (nor Python) has.
        return {"type": self._types("string"), "format": "date", "pattern": YEAR_NOT_ZERO}

    def clean(self, value, path, problems):
        if self._null(value, path, problems):
            return None
        if self._wrong_type(value, str, path, problems):
            return None
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            problems.append(Problem(path, "invalid_date", _l(
                "“%(value)s” is not a valid date: write it YYYY-MM-DD.", value=value[:30])))
            return None


class Integer(Kind):
    type_message = _l("Expected a whole number.")

    def __init__(self, minimum, maximum, nullable=True):
        self.minimum = minimum
        self.maximum = maximum
        self.nullable = nullable

    def schema(self, output=False):
        return {"type": self._types("integer"), "minimum": self.minimum,
                "maximum": self.maximum}

    def clean(self, value, path, problems):
        if self._null(value, path, problems):
            return None
        # JSON Schema counts 3.0 as an integer; booleans are not numbers here.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(Problem(path, "type", self.type_message))
            return None
        if not self.minimum <= value <= self.maximum:
            problems.append(Problem(path, "out_of_range", _l(
                "Must be between %(min)s and %(max)s.", min=self.minimum, max=self.maximum)))
            return None
        return value


class Boolean(Kind):
    type_message = _l("Expected true or false.")

    def schema(self, output=False):
        return {"type": "boolean"}

    def clean(self, value, path, problems):
        if self._wrong_type(value, bool, path, problems):
            return None
        return value


class Object(Kind):
    """A JSON object with known properties: unknown ones are rejected by name, read-only
    ones with their own message, missing required ones reported."""

    type_message = _l("Expected a JSON object.")

    def __init__(self, properties, required=(), read_only=()):
        self.properties = properties
        self.required = tuple(required)
        self.read_only = frozenset(read_only)

    def schema(self, output=False):
        out = {"type": "object",
               "properties": {k: kind.schema(output) for k, kind in self.properties.items()},
               "additionalProperties": False}
        if self.required:
            out["required"] = list(self.required)
        return out

    def clean(self, value, path, problems):
        if self._wrong_type(value, dict, path, problems):
            return None
        out = {}
        for key, item in value.items():
            sub = join_path(path, key)
            kind = self.properties.get(key)
            if kind is None:
                if key in self.read_only:
                    problems.append(Problem(sub, "read_only", _l(
                        "This field is read-only: it cannot be set through this request.")))
                else:
                    problems.append(Problem(sub, "unknown_field", _l(
                        "Unknown field “%(name)s”.", name=str(key)[:60])))
                continue
            out[key] = kind.clean(item, sub, problems)
        for key in self.required:
            if key not in value:
                problems.append(Problem(join_path(path, key), "required",
                                        _l("This field is required.")))
        return out

    def validate(self, value):
        """The cleaned object, or raise ValidationFailed with every problem."""
        problems = []
        out = self.clean(value, "", problems)
        if problems:
            raise ValidationFailed(problems)
        return out
