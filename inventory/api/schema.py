"""The API's data shapes, defined once: the entry's fields (named as in `inventory.fields`)
with their kinds (see `kinds.py`), the request bodies, and the response schemas. The views
validate with these objects and the OpenAPI document is written from them, so the two
cannot drift apart.
"""
from flask_babel import lazy_gettext as _l

from .. import vocabularies as vocab
from ..fields import DISTRIBUTION_FIELDS, FIELDS
from ..models import Dataset, Distribution
from .kinds import (
    INT32_MAX,
    INT64_MAX,
    TEXT_MAX,
    ArrayOf,
    Boolean,
    Code,
    CodeList,
    Date,
    Integer,
    Kind,
    Object,
    Problem,
    Text,
    TextList,
    join_path,
)


class FieldComments(Kind):
    """Reviewer comments keyed by entry field name."""

    type_message = _l("Expected an object of comments keyed by field name.")

    def __init__(self):
        self.text = Text(5000)

    def names(self):
        return [f.name for f in FIELDS]

    def schema(self, output=False):
        return {"type": "object", "propertyNames": {"enum": self.names()},
                "additionalProperties": self.text.schema(output)}

    def clean(self, value, path, problems):
        if self._wrong_type(value, dict, path, problems):
            return None
        names = set(self.names())
        out = {}
        for key, text in value.items():
            sub = join_path(path, key)
            if key not in names:
                problems.append(Problem(sub, "unknown_field", _l("Unknown field “%(name)s”.",
                                                                 name=str(key)[:60])))
                continue
            out[key] = self.text.clean(text, sub, problems)
        return out


# --------------------------------------------------------------------------- entries

def _length(model, name):
    return getattr(model.__table__.c[name].type, "length", None) or TEXT_MAX


CODE_FIELDS = {
    "personal_data": lambda: vocab.PERSONAL_DATA_LABELS,
    "classification": lambda: vocab.CLASSIFICATION_LABELS,
    "access_rights": vocab.access_rights,
    "license_code": vocab.licences,
    "hvd_category": vocab.hvd_categories,
    "frequency": vocab.frequencies,
}
CODE_LIST_FIELDS = {
    "restriction_grounds": vocab.restriction_grounds,
    "themes": vocab.themes,
    "spatial": vocab.governorates,
    "languages": vocab.languages,
}
DATE_FIELDS = {"restriction_review_date", "temporal_start", "temporal_end",
               "planned_release_date", "next_update_due"}
LEVEL_FIELDS = {"demand", "value", "readiness", "risk"}  # the 0..3 scale
KEYWORD_MAX, KEYWORDS_MAX_ITEMS = 100, 50
DISTRIBUTIONS_MAX_ITEMS = 50

DISTRIBUTION_KINDS = {
    "title": Text(_length(Distribution, "title")),
    "description": Text(TEXT_MAX),
    "access_url": Text(_length(Distribution, "access_url")),
    "download_url": Text(_length(Distribution, "download_url")),
    "format": Code(vocab.formats),
    "byte_size": Integer(0, INT64_MAX),
    "license_code": Code(vocab.licences),
    "availability": Code(vocab.availabilities),
}


def _entry_kind(name):
    if name in CODE_FIELDS:
        return Code(CODE_FIELDS[name])
    if name in CODE_LIST_FIELDS:
        return CodeList(CODE_LIST_FIELDS[name])
    if name in DATE_FIELDS:
        return Date()
    if name in LEVEL_FIELDS:
        return Integer(0, 3)
    if name.startswith("keywords_"):
        return TextList(KEYWORD_MAX, KEYWORDS_MAX_ITEMS)
    if name == "ati_requests":
        return Integer(0, INT32_MAX)
    if name == "legal_obligation":
        return Boolean()
    if name == "campaign_id":
        return Integer(1, INT32_MAX)
    if name == "distributions":
        return ArrayOf(Object(DISTRIBUTION_KINDS, read_only=("media_type",)),
                       DISTRIBUTIONS_MAX_ITEMS)
    return Text(_length(Dataset, name))


# Every field of `inventory.fields.FIELDS`, in its order: the API's writable entry fields.
ENTRY_KINDS = {spec.name: _entry_kind(spec.name) for spec in FIELDS}
assert {f.name for f in DISTRIBUTION_FIELDS} == set(DISTRIBUTION_KINDS)

# Fields an entry shows but no request sets (workflow, identity, derived values).
ENTRY_READ_ONLY = ("uuid", "reference", "organization", "status", "version", "created_at",
                   "updated_at", "submitted_at", "approved_at", "issued_at", "withdrawn_at",
                   "priority_score", "priority_tier", "links", "permissions")

CREATE_BODY = Object({"organization": Text(20, min_length=1), **ENTRY_KINDS},
                     required=("organization",),
                     read_only=[n for n in ENTRY_READ_ONLY if n != "organization"])
PATCH_BODY = Object({"version": Integer(1, INT32_MAX, nullable=False), **ENTRY_KINDS},
                    required=("version",),
                    read_only=[n for n in ENTRY_READ_ONLY if n != "version"])
TRANSITION_BODY = Object({"comment": Text(5000), "version": Integer(1, INT32_MAX,
                                                                    nullable=False)})
REQUEST_CHANGES_BODY = Object({"comment": Text(5000), "field_comments": FieldComments(),
                               "version": Integer(1, INT32_MAX, nullable=False)})

# Response-only shapes (read-only fields), for the OpenAPI document.
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}


def entry_output_schema():
    """JSON Schema of an entry as the API returns it."""
    props = {
        "uuid": {"type": "string", "format": "uuid"},
        "reference": {"type": "string"},
        "organization": {"type": "string", "description": "Organization code."},
        "status": Code(lambda: vocab.STATUS_LABELS, nullable=False).schema(output=True),
        "version": {"type": "integer", "minimum": 1},
        "created_at": DATETIME, "updated_at": DATETIME,
        "submitted_at": NULLABLE_DATETIME, "approved_at": NULLABLE_DATETIME,
        "issued_at": NULLABLE_DATETIME, "withdrawn_at": NULLABLE_DATETIME,
    }
    for name, kind in ENTRY_KINDS.items():
        props[name] = kind.schema(output=True)
    props["distributions"] = {"type": "array", "items": distribution_output_schema()}
    props["priority_score"] = {"type": ["integer", "null"], "minimum": 0, "maximum": 100}
    props["priority_tier"] = Code(lambda: vocab.TIER_LABELS).schema(output=True)
    props["links"] = {"type": "object", "additionalProperties": False,
                      "required": ["self", "html"],
                      "properties": {"self": {"type": "string", "format": "uri"},
                                     "html": {"type": "string", "format": "uri"}}}
    props["permissions"] = {
        "type": "object", "additionalProperties": False, "required": ["edit", "actions"],
        "properties": {"edit": {"type": "boolean"},
                       "actions": {"type": "array", "items": {"type": "string",
                                                              "enum": WORKFLOW_ACTIONS}}}}
    return {"type": "object", "properties": props, "required": list(props),
            "additionalProperties": False}


def distribution_output_schema():
    props = {k: kind.schema(output=True) for k, kind in DISTRIBUTION_KINDS.items()}
    props["media_type"] = {"type": "string"}
    return {"type": "object", "properties": props, "required": list(props),
            "additionalProperties": False}


# The workflow actions the API exposes (all of workflow.PREDICATES; `publish` is the
# publishing job's alone).
WORKFLOW_ACTIONS = ["submit", "request_changes", "approve", "withdraw", "reopen", "archive",
                    "restore"]
TRANSITION_BODIES = {action: TRANSITION_BODY for action in WORKFLOW_ACTIONS}
TRANSITION_BODIES["request_changes"] = REQUEST_CHANGES_BODY
