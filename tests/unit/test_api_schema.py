"""The API validator and the JSON Schemas it publishes agree, field by field.

Each request body's schema (as it appears in the OpenAPI document) is compiled with a real
JSON Schema validator (jsonschema-rs, the one schemathesis uses) and compared with the
API's own validator on the boundaries of every field and on arbitrary JSON values: a value
is accepted by one exactly when it is accepted by the other. The field list is also held to
`inventory.fields` and to the database columns.
"""
from datetime import date

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.api import kinds as k
from inventory.api import schema as s
from inventory.fields import DISTRIBUTION_FIELDS, FIELDS
from inventory.models import Dataset, Distribution

BODIES = {"DatasetCreate": s.CREATE_BODY, "DatasetPatch": s.PATCH_BODY,
          "Transition": s.TRANSITION_BODY, "RequestChanges": s.REQUEST_CHANGES_BODY}


@pytest.fixture(autouse=True)
def _ctx(app_ctx):
    """Vocabulary labels and messages need an application context."""


_VALIDATORS = {}


def json_schema_accepts(kind, value):
    if id(kind) not in _VALIDATORS:
        _VALIDATORS[id(kind)] = jsonschema_rs.validator_for(kind.schema(), validate_formats=True)
    return _VALIDATORS[id(kind)].is_valid(value)


def api_accepts(kind, value):
    problems = []
    kind.clean(value, "field", problems)
    return not problems


def assert_agree(kind, value):
    ours, theirs = api_accepts(kind, value), json_schema_accepts(kind, value)
    assert ours == theirs, (value, ours, theirs)


# --------------------------------------------------------------------------- the field list

def test_every_entry_field_has_one_api_kind():
    assert list(s.ENTRY_KINDS) == [f.name for f in FIELDS]
    assert set(s.DISTRIBUTION_KINDS) == {f.name for f in DISTRIBUTION_FIELDS}
    for name in s.ENTRY_KINDS:
        assert hasattr(Dataset, name), name


def test_texts_fit_their_columns():
    for model, kinds in ((Dataset, s.ENTRY_KINDS), (Distribution, s.DISTRIBUTION_KINDS)):
        for name, kind in kinds.items():
            if isinstance(kind, k.Text):
                length = getattr(model.__table__.c[name].type, "length", None)
                assert length is None or kind.max_length <= length, name


def test_read_only_fields_are_not_writable():
    for body in (s.CREATE_BODY, s.PATCH_BODY):
        assert not set(body.properties) & body.read_only


# --------------------------------------------------------------------------- boundaries

def boundary_values(kind):
    """(value, accepted?) pairs at the edges of `kind`."""
    common = [({"a": 1}, False), ([[]], False)]
    if isinstance(kind, k.Text):
        n = kind.max_length
        return common + [("a" * n, True), ("a" * (n + 1), False), ("é" * n, True),
                         ("x\x00y", False), (None, False), (3, False), (True, False),
                         ("", kind.min_length == 0)]
    if isinstance(kind, k.Code):
        codes = kind.codes()
        return common + [(codes[0], True), (codes[-1], True), ("NOT-A-CODE", False),
                         (codes[0].lower() + "x", False), (None, kind.nullable), (1, False),
                         ([codes[0]], False)]
    if isinstance(kind, k.CodeList):
        codes = kind.item.codes()
        return common + [([], True), (codes[:2], True), ([codes[0], codes[0]], False),
                         (["NOT-A-CODE"], False), (codes[0], False), (None, False),
                         ([None], False)]
    if isinstance(kind, k.TextList):
        return common + [([], True), (["a"], True), ([""], False),
                         (["a"] * kind.max_items, True), (["a"] * (kind.max_items + 1), False),
                         (["b" * (kind.item.max_length + 1)], False), ("a", False),
                         ([1], False)]
    if isinstance(kind, k.Integer):
        lo, hi = kind.minimum, kind.maximum
        return common + [(lo, True), (hi, True), (lo - 1, False), (hi + 1, False),
                         (float(lo), True), (lo + 0.5, False), (True, False), ("1", False),
                         (None, kind.nullable), (10**30, False)]
    if isinstance(kind, k.Date):
        return common + [("2024-02-29", True), ("2023-02-29", False), ("2024-1-01", False),
                         ("0000-01-01", False), ("0001-01-01", True), ("9999-12-31", True),
                         ("٢٠٢٤-٠١-٠١", False), ("2024-01-01T00:00:00", False),
                         (None, True), (20240101, False)]
    if isinstance(kind, k.Boolean):
        return common + [(True, True), (False, True), (0, False), ("true", False),
                         (None, False)]
    if isinstance(kind, k.ArrayOf):
        item = {"title": "t", "access_url": "https://x.example", "format": "CSV"}
        return common + [([], True), ([item], True), ([item] * kind.max_items, True),
                         ([item] * (kind.max_items + 1), False), ([{"media_type": "x"}], False),
                         ([{"bogus": 1}], False), ([{"format": "NOPE"}], False),
                         ([{"byte_size": -1}], False), (item, False)]
    if isinstance(kind, s.FieldComments):
        return common[1:] + [({}, True), ({"title_ar": "why"}, True), ({"bogus": "x"}, False),
                             ({"title_ar": 3}, False), ({"title_ar": "x" * 5001}, False)]
    raise AssertionError(f"no boundaries for {kind!r}")


PROPERTIES = [(f"{body_name}.{name}", kind) for body_name, body in BODIES.items()
              for name, kind in body.properties.items()]


def test_boundaries_agree_with_the_published_schema():
    disagreements = []
    for label, kind in PROPERTIES:
        for value, accepted in boundary_values(kind):
            ours, theirs = api_accepts(kind, value), json_schema_accepts(kind, value)
            if not ours == theirs == accepted:
                disagreements.append((label, repr(value)[:60], ours, theirs, accepted))
    assert disagreements == []


def test_a_drifted_schema_would_be_caught():
    class Drifted(k.Text):
        def schema(self, output=False):
            return {**super().schema(output), "maxLength": self.max_length + 1}

    kind = Drifted(5)
    assert any(api_accepts(kind, v) != json_schema_accepts(kind, v)
               for v, _accepted in boundary_values(kind))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(["", "CSV", "EDUC", "TN", "ar", "2024-01-31",
                                              "open", "PUBLIC", "title_ar", "\x00"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["title", "format", "access_url", "byte_size", "x", "title_ar"]),
        inner, max_size=4),
    max_leaves=8)


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(prop=st.sampled_from(PROPERTIES), value=JSON)
def test_arbitrary_values_agree_with_the_published_schema(prop, value):
    assert_agree(prop[1], value)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.dictionaries(st.sampled_from(["organization", "version", "title_fr", "themes",
                                              "status", "uuid", "bogus", "distributions",
                                              "temporal_start", "demand"]), JSON, max_size=5))
def test_whole_bodies_agree_with_the_published_schema(body):
    for kind in BODIES.values():
        assert_agree(kind, body)


# --------------------------------------------------------------------------- problems

def test_every_problem_is_reported_with_its_path():
    with pytest.raises(k.ValidationFailed) as caught:
        s.PATCH_BODY.validate({"title_fr": 3, "status": "approved", "bogus": True,
                               "distributions": [{"format": "CSV"}, {"format": "NOPE",
                                                                     "media_type": "x"}],
                               "temporal_start": "2024-13-01"})
    found = {(p.path, p.code) for p in caught.value.problems}
    assert found == {("title_fr", "type"), ("status", "read_only"), ("bogus", "unknown_field"),
                     ("distributions/1/format", "invalid_choice"),
                     ("distributions/1/media_type", "read_only"),
                     ("temporal_start", "invalid_date"), ("version", "required")}
    labels = {p.path: p.to_json().get("label") for p in caught.value.problems}
    assert labels["distributions/1/format"] == "Distribution 2: Format"
    assert labels["title_fr"] == "Title in French"
    assert labels["bogus"] is None  # unknown names get no label


def test_cleaned_values_are_python_values():
    cleaned = s.PATCH_BODY.validate({"version": 3, "temporal_start": "2024-01-31",
                                     "demand": 2.0, "themes": ["EDUC"]})
    assert cleaned == {"version": 3, "temporal_start": date(2024, 1, 31), "demand": 2,
                       "themes": ["EDUC"]}
    assert type(cleaned["demand"]) is int


# --------------------------------------------------------------------------- the document

@pytest.fixture
def document(app):
    from inventory.api.openapi import openapi_document
    with app.test_request_context("/"):
        return openapi_document()


def test_the_document_is_valid_openapi_3_1(document):
    from schemathesis.specs.openapi.definitions import OPENAPI_31
    validator = jsonschema_rs.validator_for(OPENAPI_31)
    errors = [str(e) for e in validator.iter_errors(document)]
    assert errors == []


def test_every_reference_resolves_and_secured_operations_list_401_and_429(document):
    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document):
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            if operation.get("security") != []:
                assert {"401", "429"} <= set(operation["responses"]), (method, path)
            if "requestBody" in operation:
                assert {"413", "415", "422"} <= set(operation["responses"]), (method, path)
