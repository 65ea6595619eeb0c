"""The plain RDF writers (catalog.serialize) and the IRI/text cleaning of catalog.dcat: every
output parses back with rdflib into the same graph, whatever the text or address."""
import json

import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from catalog.dcat import clean_text, mailbox_iri, safe_iri
from catalog.namespaces import DCAT, DCT, RDF, XSD
from catalog.serialize import FORMATS, PIECE_WRITERS, RDFLIB_FORMATS, document

ODD_TEXTS = [
    "\u200fنص عربي مع علامة اتجاه\u200f",  # RTL marks
    "emoji 😀🇹🇳 and \U0001F9EA",
    'quotes " \' """ ending with a quote"',
    "<script>alert('x')</script> & ]]> <![CDATA[",
    "line one\nline two\n\nline four\ttab",
    "backslash \\ and \\n literal",
    "x" * 20000,
    "@prefix p: <http://evil/> .",
    '{"@id": "x"}',
]


def _graph(texts):
    graph = rdflib.Graph()
    for i, text in enumerate(texts):
        node = URIRef(f"http://example.org/datasets/{i}")
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCT.title, Literal(clean_text(text), lang="ar")))
        graph.add((node, DCT.description, Literal(clean_text(text))))
        graph.add((node, DCT.issued, Literal("2025-01-02", datatype=XSD.date)))
        graph.add((node, DCAT.byteSize, Literal("12", datatype=XSD.nonNegativeInteger)))
    return graph


def _roundtrip(graph, fmt, split=1):
    """Write `graph` as `split` pieces framed in one document; parse it back."""
    triples = sorted(graph, key=str)
    parts = [PIECE_WRITERS[fmt](set(triples[i::split])) for i in range(split)]
    text = "".join(document(fmt, parts))
    return rdflib.Graph().parse(data=text, format=RDFLIB_FORMATS[fmt]), text


@pytest.mark.parametrize("fmt", FORMATS)
def test_odd_texts_roundtrip_in_every_format(fmt):
    graph = _graph(ODD_TEXTS)
    parsed, _text = _roundtrip(graph, fmt, split=3)
    assert isomorphic(parsed, graph)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(min_size=1, max_size=200), min_size=1, max_size=4))
def test_any_text_roundtrips_in_every_format(texts):
    texts = [t for t in texts if clean_text(t)]
    graph = _graph(texts)
    for fmt in FORMATS:
        parsed, _text = _roundtrip(graph, fmt, split=2)
        assert isomorphic(parsed, graph), fmt


def test_jsonld_document_is_one_json_value():
    _parsed, text = _roundtrip(_graph(ODD_TEXTS[:3]), "jsonld", split=3)
    data = json.loads(text)
    assert set(data) == {"@context", "@graph"}
    # a subject split over several pieces gives several node objects: JSON-LD merges them
    assert len({node["@id"] for node in data["@graph"]}) == 3 < len(data["@graph"])


def test_empty_document_is_valid_in_every_format():
    for fmt in FORMATS:
        text = "".join(document(fmt, ["", ""]))
        assert len(rdflib.Graph().parse(data=text, format=RDFLIB_FORMATS[fmt])) == 0


@pytest.mark.parametrize("raw,expected", [
    ("https://data.example.org/a b", "https://data.example.org/a%20b"),
    ("  http://Example.ORG/x?q=1&r=<2>  ", "http://example.org/x?q=1&r=%3C2%3E"),
    ("https://bücher.example/é", "https://xn--bcher-kva.example/%C3%A9"),
    ("https://user:secret@example.org/p", "https://example.org/p"),
    ("https://example.org/100%", "https://example.org/100%25"),
    ("https://example.org/a%20b", "https://example.org/a%20b"),
    ("https://example.org", "https://example.org/"),
    ("javascript:alert(1)", None),
    ("data:text/html,<b>x</b>", None),
    ("ftp://example.org/file", None),
    ("example.org/no-scheme", None),
    ("https://", None),
    ("https://exa mple.org/", None),
    ("https://example.org:99999/", None),
    ("", None),
    (None, None),
])
def test_safe_iri(raw, expected):
    assert safe_iri(raw) == expected


def test_safe_iris_are_valid_in_ntriples():
    for raw in ("https://data.example.org/a b\"c{d}|e^f`g\\h", "https://example.org/ü?x=ö#ä"):
        iri = safe_iri(raw)
        graph = rdflib.Graph()
        graph.add((URIRef("http://example.org/s"), DCAT.accessURL, URIRef(iri)))
        parsed, _text = _roundtrip(graph, "nt")
        assert isomorphic(parsed, graph)


def test_mailbox_and_clean_text():
    assert mailbox_iri(" opendata@example.org ") == "mailto:opendata@example.org"
    assert mailbox_iri("not an address") is None
    assert mailbox_iri("a@b") is None
    assert clean_text("a\r\nb\rc\x00\x1fd\ud800 ") == "a\nb\ncd"
