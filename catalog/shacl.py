"""DCAT-AP 3.0.1 SHACL validation (pyshacl) against the official SEMIC shapes shipped in
`catalog/data/` (mandatory + range + recommended + deprecated URIs: the EU validator's "Full"
profile without background knowledge).

Stable API:

- `validate(graph) -> Report`: `Report.conforms` (no violation), `Report.results` (list of
  `Result`: `focus`, `path`, `severity` ("Violation" | "Warning" | "Info"), `message`,
  `source_shape`, `component`, `value`), `Report.violations`, `Report.warnings`.
- `validate_file(path) -> Report` (format from the extension).
- `summary(report) -> [(severity, classes, path, component, count)]` grouped as the EU
  validator's report.

The shapes graph is parsed once per process, and pyshacl's compiled shapes are kept per thread:
`pyshacl.validate` rebuilds them on every call, which cost more than the validation itself
(about 120 ms of the publishing gate per entry).
"""
import collections
import logging
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyshacl import Validator
from pyshacl.graph_abstraction import DataGraph
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from .namespaces import PREFIXES

DATA_DIR = Path(__file__).parent / "data"
SHAPE_FILES = ("shapes", "range", "shapes_recommended", "deprecateduris")
FILE_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "json": "json-ld",
                "rdf": "xml", "xml": "xml", "owl": "xml", "n3": "n3"}


@dataclass(frozen=True)
class Result:
    focus: str
    path: str  # compact property path ("dct:title"), "" for node-level results
    severity: str
    message: str
    source_shape: str
    component: str  # e.g. "MinCountConstraintComponent"
    value: str = ""
    focus_classes: tuple = ()


@dataclass
class Report:
    results: list = field(default_factory=list)

    @property
    def violations(self):
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self):
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self):
        return not self.violations

    def extend(self, other):
        self.results.extend(other.results)
        return self


@cache
def shapes_graph():
    """The DCAT-AP 3.0.1 shapes (parsed once per process)."""
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(DATA_DIR / f"dcat-ap-3.0.1-{name}.ttl", format="turtle")
    return graph


def compact(node):
    text = str(node)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def _path(report, node):
    """A SHACL property path as text: IRI, ^inverse, a/b sequence, (a|b) alternative."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return compact(node)
    inverse = report.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path(report, inverse)
    alternatives = report.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(report, x) for x in Collection(report, alternatives)) + ")"
    return "/".join(_path(report, x) for x in Collection(report, node))


_compiled = threading.local()
_log = logging.getLogger(__name__)


@cache
def violation_shapes_graph():
    """The DCAT-AP 3.0.1 shapes without those of severity Warning or Info: what can make a
    graph fail. (Recommended properties are Warning shapes; the gate before the portal needs
    only violations, and building warning results was a third of its cost.)"""
    source = shapes_graph()
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in source.namespaces():  # messages name properties by prefix
        graph.bind(prefix, namespace)
    graph += source
    for shape in {s for s, _p, o in graph.triples((None, SH.severity, None))
                  if o in (SH.Warning, SH.Info)}:
        graph.remove((None, SH.property, shape))
        graph.remove((shape, None, None))
    return graph


def _compiled_shapes(violations_only=False):
    """pyshacl's ShapesGraph over the DCAT-AP shapes, its shape cache built once per thread
    (shapes are read-only during a validation, but pyshacl does not promise thread safety)."""
    key = "violations" if violations_only else "all"
    shapes = getattr(_compiled, key, None)
    if shapes is None:
        graph = violation_shapes_graph() if violations_only else shapes_graph()
        shapes = ShapesGraph(graph, False, _log)
        setattr(_compiled, key, shapes)
    return shapes


def compile_gate():
    """Compile the gate's shapes in this thread now (a process about to fork gate processes
    calls it: they inherit the compiled shapes instead of spending 0.1 s each on them)."""
    _compiled_shapes(violations_only=True)


def _run_pyshacl(graph, violations_only=False):
    """What `pyshacl.validate(graph, shacl_graph=…, inference="none", allow_warnings=True)`
    does for an in-memory graph, with the compiled shapes reused."""
    validator = Validator(DataGraph.from_rdflib(graph), shacl_graph=shapes_graph(),
                          options={"inference": "none", "allow_warnings": True,
                                   "logger": _log})
    validator.shacl_graph = _compiled_shapes(violations_only)
    _conforms, report_graph, _text = validator.run()
    return report_graph


def validate(graph, violations_only=False):
    """Validate `graph` against the DCAT-AP 3.0.1 shapes; structured results. With
    `violations_only`, the Warning and Info shapes are not run (`violation_shapes_graph`): the
    report has the same violations and no warnings."""
    report_graph = _run_pyshacl(graph, violations_only)
    report = Report()
    for r in report_graph.objects(None, SH.result):
        focus = report_graph.value(r, SH.focusNode)
        severity = report_graph.value(r, SH.resultSeverity)
        component = report_graph.value(r, SH.sourceConstraintComponent)
        value = report_graph.value(r, SH.value)
        report.results.append(Result(
            focus=str(focus),
            path=_path(report_graph, report_graph.value(r, SH.resultPath)),
            severity=str(severity).rsplit("#", 1)[-1],
            message=str(report_graph.value(r, SH.resultMessage) or ""),
            source_shape=str(report_graph.value(r, SH.sourceShape) or ""),
            component=str(component).rsplit("#", 1)[-1],
            value=str(value) if value is not None else "",
            focus_classes=tuple(sorted(compact(c) for c in graph.objects(focus, RDF.type)))))
    report.results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path))
    return report


def validate_many(graphs, violations_only=True):
    """Validate several graphs in one pyshacl run: `graphs` maps a key to a graph, the answer
    maps each key to the report `validate(graph, violations_only)` gives. One run over the
    union costs about half as much per graph as a run each (pyshacl selects each shape's focus
    nodes once); a graph with any result among its own nodes is validated again alone, so
    that its report is exactly its own."""
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    flagged = {result.focus for result in validate(merged, violations_only).results}
    return _own_reports(graphs.items(), flagged, violations_only)


def _own_reports(graphs, flagged, violations_only):
    """{key: report} of (key, graph) pairs whose union had results on the `flagged` focus
    nodes: a graph is validated again alone when one of them is among its nodes."""
    reports = {}
    for key, graph in graphs:
        mine = flagged and {str(node) for node in graph.subjects()} & flagged
        reports[key] = validate(graph, violations_only) if mine else Report()
    return reports


def validate_many_nt(entries, shared=None):
    """`validate_many` (violations only) of graphs sent as N-Triples text (what a gate process
    is handed: graphs do not cross processes, texts do). `entries` maps a key to (the graph's
    own triples, the keys of its pieces in `shared`); `shared` maps a key to the text of nodes
    several graphs reference, sent once. The union is parsed once, with each shared node
    once: parsing costs a third of the gate, and most of an entry's graph is shared nodes."""
    shared = shared or {}

    def text(own, keys):
        return own + "".join(shared[k] for k in keys)

    merged = Graph().parse(data="".join(own for own, _keys in entries.values())
                           + "".join(shared.values()), format="nt")
    flagged = {result.focus for result in validate(merged, violations_only=True).results}
    if not flagged:
        return {key: Report() for key in entries}
    return _own_reports(((key, Graph().parse(data=text(*parts), format="nt"))
                         for key, parts in entries.items()), flagged, violations_only=True)


def parse_file(path):
    path = Path(path)
    fmt = FILE_FORMATS.get(path.suffix.lstrip(".").lower(), "turtle")
    graph = Graph()
    graph.parse(path, format=fmt)
    return graph


def validate_file(path):
    return validate(parse_file(path))


def summary(report):
    """[(severity, focus classes, path, component, count)] sorted, violations first."""
    groups = collections.Counter(
        (r.severity, ",".join(r.focus_classes) or "-", r.path or "-", r.component)
        for r in report.results)
    return sorted(((*k, n) for k, n in groups.items()),
                  key=lambda row: (row[0] != "Violation", row[1], row[2]))
