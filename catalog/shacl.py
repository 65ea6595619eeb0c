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


def _compiled_shapes():
    """pyshacl's ShapesGraph over the DCAT-AP shapes, its shape cache built once per thread
    (shapes are read-only during a validation, but pyshacl does not promise thread safety)."""
    shapes = getattr(_compiled, "shapes", None)
    if shapes is None:
        shapes = _compiled.shapes = ShapesGraph(shapes_graph(), False, _log)
    return shapes


def _run_pyshacl(graph):
    """What `pyshacl.validate(graph, shacl_graph=…, inference="none", allow_warnings=True)`
    does for an in-memory graph, with the compiled shapes reused."""
    validator = Validator(DataGraph.from_rdflib(graph), shacl_graph=shapes_graph(),
                          options={"inference": "none", "allow_warnings": True,
                                   "logger": _log})
    validator.shacl_graph = _compiled_shapes()
    _conforms, report_graph, _text = validator.run()
    return report_graph


def validate(graph):
    """Validate `graph` against the DCAT-AP 3.0.1 shapes; structured results."""
    report_graph = _run_pyshacl(graph)
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
