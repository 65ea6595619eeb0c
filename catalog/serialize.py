"""Plain writers of rdflib triples in Turtle, N-Triples, JSON-LD and RDF/XML, as pieces that
concatenate into one document.

Why not rdflib's serializers: they are correct but slow (a 10,000-entry catalogue takes tens
of seconds, see DESIGN.md "Performance notes") and they write whole documents, while the
catalogue is assembled from stored per-entry pieces. These writers only format terms: the
triples still come from the rdflib mapping in `catalog.dcat`, and the tests parse every
output back with rdflib and compare it with the one-graph serialization (isomorphism).

A *piece* is the body of a document in one format: Turtle statements using the prefixes of
`namespaces.PREFIXES` (no prefix lines), N-Triples lines, JSON-LD node objects separated by
commas (no context, no brackets), RDF/XML `rdf:Description` elements (no root element).
`document(fmt, pieces)` frames any sequence of pieces as one valid document.
"""
import json
import re
from functools import lru_cache

from rdflib import BNode, URIRef

from .namespaces import PREFIXES, RDF, XSD

FORMATS = ("ttl", "nt", "jsonld", "xml")
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
}
EXTENSIONS = {"ttl": "ttl", "nt": "nt", "jsonld": "jsonld", "xml": "rdf"}
RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_PN_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_STRING_ESCAPE = re.compile(r'[\\"\n\r\t]')


@lru_cache(maxsize=4096)
def _split(iri):
    """(prefix, local) of an IRI under one of our namespaces, or None."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            return prefix, iri[len(namespace):]
    return None


def _iriref(iri):
    return "<" + _IRI_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">"


def _string(text):
    return '"' + _STRING_ESCAPE.sub(lambda m: _STRING_ESCAPES[m.group()], text) + '"'


@lru_cache(maxsize=4096)
def _turtle_iri(iri):
    split = _split(iri)
    if split and _PN_LOCAL.match(split[1]):
        return f"{split[0]}:{split[1]}"
    return _iriref(iri)


def _bnode(node):
    return "_:b" + re.sub(r"[^A-Za-z0-9]", "", str(node))


def _term(node, turtle):
    if isinstance(node, URIRef):
        return _turtle_iri(str(node)) if turtle else _iriref(str(node))
    if isinstance(node, BNode):
        return _bnode(node)
    text = _string(str(node))
    if node.language:
        return f"{text}@{node.language}"
    if node.datatype and node.datatype != XSD.string:
        dt = str(node.datatype)
        return f"{text}^^{_turtle_iri(dt) if turtle else _iriref(dt)}"
    return text


def _by_subject(graph):
    """{subject: {predicate: [objects]}} in a stable order (stable output, stable ETags)."""
    subjects = {}
    for s, p, o in graph:
        subjects.setdefault(s, {}).setdefault(p, []).append(o)
    ordered = {}
    for s in sorted(subjects, key=str):
        preds = subjects[s]
        ordered[s] = {p: sorted(preds[p], key=lambda o: (str(o), getattr(o, "language", "")
                                                         or ""))
                      for p in sorted(preds, key=lambda p: (p != RDF.type, str(p)))}
    return ordered


def turtle_piece(graph, grouped=None):
    out = []
    for s, preds in (grouped or _by_subject(graph)).items():
        lines = []
        for p, objects in preds.items():
            verb = "a" if p == RDF.type else _term(p, True)
            lines.append(f"{verb} " + ", ".join(_term(o, True) for o in objects))
        out.append(_term(s, True) + " " + " ;\n    ".join(lines) + " .\n")
    return "\n".join(out)


def ntriples_piece(graph, grouped=None):
    rows = [f"{_term(s, False)} {_term(p, False)} {_term(o, False)} .\n" for s, p, o in graph]
    return "".join(sorted(rows))


@lru_cache(maxsize=1024)
def _compact(iri):
    split = _split(iri)
    return f"{split[0]}:{split[1]}" if split and split[1] else iri


def _json_value(node):
    if isinstance(node, URIRef):
        return {"@id": str(node)}
    if isinstance(node, BNode):
        return {"@id": _bnode(node)}
    value = {"@value": str(node)}
    if node.language:
        value["@language"] = node.language
    elif node.datatype and node.datatype != XSD.string:
        value["@type"] = str(node.datatype)
    return value


def jsonld_piece(graph, grouped=None):
    nodes = []
    for s, preds in (grouped or _by_subject(graph)).items():
        node = {"@id": _json_value(s)["@id"]}
        for p, objects in preds.items():
            if p == RDF.type and all(isinstance(o, URIRef) for o in objects):
                node["@type"] = [str(o) for o in objects]
            else:
                node[_compact(str(p))] = [_json_value(o) for o in objects]
        nodes.append(json.dumps(node, ensure_ascii=False, separators=(",", ":")))
    return ",\n".join(nodes)


def _xml_escape(text, attribute=False):
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return text


@lru_cache(maxsize=1024)
def _xml_qname(iri):
    split = _split(iri)
    if not split or not _NCNAME.match(split[1]):
        raise ValueError(f"predicate {iri} has no RDF/XML qualified name")
    return f"{split[0]}:{split[1]}"


def _xml_node_attr(node):
    if isinstance(node, BNode):
        return f'rdf:nodeID="{_bnode(node)[2:]}"'
    return f'rdf:about="{_xml_escape(str(node), True)}"'


def rdfxml_piece(graph, grouped=None):
    out = []
    for s, preds in (grouped or _by_subject(graph)).items():
        lines = [f"<rdf:Description {_xml_node_attr(s)}>"]
        for p, objects in preds.items():
            name = _xml_qname(str(p))
            for o in objects:
                if isinstance(o, URIRef):
                    lines.append(f'  <{name} rdf:resource="{_xml_escape(str(o), True)}"/>')
                elif isinstance(o, BNode):
                    lines.append(f'  <{name} rdf:nodeID="{_bnode(o)[2:]}"/>')
                else:
                    attr = ""
                    if o.language:
                        attr = f' xml:lang="{o.language}"'
                    elif o.datatype and o.datatype != XSD.string:
                        attr = f' rdf:datatype="{_xml_escape(str(o.datatype), True)}"'
                    lines.append(f"  <{name}{attr}>{_xml_escape(str(o))}</{name}>")
        lines.append("</rdf:Description>\n")
        out.append("\n".join(lines))
    return "".join(out)


PIECE_WRITERS = {"ttl": turtle_piece, "nt": ntriples_piece, "jsonld": jsonld_piece,
                 "xml": rdfxml_piece}


def pieces(graph):
    """{format: piece} of `graph` (an rdflib Graph or a set of triples) in every format."""
    grouped = _by_subject(graph)
    return {fmt: writer(graph, grouped) for fmt, writer in PIECE_WRITERS.items()}


def jsonld_context():
    return dict(PREFIXES)


def document(fmt, parts):
    """Frame an iterable of pieces in format `fmt` as one document; yields text chunks."""
    if fmt == "ttl":
        yield "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()) + "\n"
        for part in parts:
            if part:
                yield part if part.endswith("\n") else part + "\n"
                yield "\n"
    elif fmt == "nt":
        for part in parts:
            if part:
                yield part if part.endswith("\n") else part + "\n"
    elif fmt == "jsonld":
        yield ('{"@context":' + json.dumps(jsonld_context(), separators=(",", ":"))
               + ',\n"@graph":[\n')
        first = True
        for part in parts:
            if part:
                yield part if first else ",\n" + part
                first = False
        yield "\n]}\n"
    elif fmt == "xml":
        ns = "".join(f'\n    xmlns:{p}="{iri}"' for p, iri in PREFIXES.items())
        yield f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF{ns}>\n'
        for part in parts:
            if part:
                yield part
        yield "</rdf:RDF>\n"
    else:
        raise ValueError(f"unknown format {fmt!r}")


def graph_document(fmt, graph):
    """One graph as a whole document (small graphs: a single entry, a page header)."""
    return "".join(document(fmt, [PIECE_WRITERS[fmt](graph)]))


def rdflib_format(fmt):
    return RDFLIB_FORMATS[fmt]

