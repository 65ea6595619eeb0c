"""The DCAT-AP catalogue: mapping, stored pieces, streamed exports, SHACL conformance
(official 3.0.1 shapes, and 2.1.1 where the versions agree), isomorphism of every format with
the one-graph serialization, internal fields kept out, staleness of stored pieces, and
ckanext-dcat's own parser reading our RDF back."""
import json
import subprocess
import sys
from datetime import date

import pytest
import rdflib
import sqlalchemy as sa
from rdflib.compare import isomorphic

from catalog import dcat, fragments, shacl
from catalog.namespaces import DCAT, DCT, FOAF, RDF, new_graph
from catalog.serialize import FORMATS, RDFLIB_FORMATS
from inventory.entries import save_entry
from inventory.extensions import db
from inventory.fields import FIELDS
from inventory.models import Dataset, DatasetRdf, ReviewEvent
from tests.conftest import ROOT, SHARED, complete_fields, restricted_fields

VALIDATE_PY = SHARED / "standards" / "dcat-ap" / "validate.py"
CKAN_PARSE = SHARED / "standards" / "ckanext-dcat" / "ckan_parse.py"
CKAN_PARSER_PYTHON = ROOT / ".venv-ckan-parser" / "bin" / "python"
# Recommended properties nobody can fill from the inventory (no geometry for governorates).
UNFILLABLE_WARNINGS = {("dct:Location", "dcat:bbox"), ("dct:Location", "dcat:centroid")}


def export(fmt):
    return "".join(fragments.catalog_document(fmt, commit=db.session.commit))


def parse(text, fmt):
    return rdflib.Graph().parse(data=text, format=RDFLIB_FORMATS[fmt])


def one_graph():
    """The naive catalogue: one rdflib Graph of the header and every public entry."""
    graph = new_graph()
    header, _keys = fragments.catalog_header()
    graph += header
    for dataset in db.session.scalars(sa.select(Dataset).order_by(Dataset.id)):
        if dataset.in_public_catalogue:
            dcat.dataset_to_rdf(dataset, graph)
    return graph


def full_fields(**overrides):
    """Every publishable field filled, in the three languages."""
    values = complete_fields(
        title_en="Enrolled students", description_en="Students by institution.",
        keywords_ar=["طلبة", "جامعة"], keywords_fr=["étudiants", "université"],
        keywords_en=["students"], contact_name="Cellule open data",
        landing_page="https://data.example.org/students",
        documentation_url="https://data.example.org/students/doc",
        legal_basis="https://legislation.example.tn/loi-2016-22\nLoi organique n° 2016-22",
        hvd_category="STATISTICS", spatial=["TN-11", "TN-12"], languages=["ar", "fr", "en"],
        themes=["EDUC", "SOCI"], frequency="ANNUAL",
        distributions=[
            {"title": "CSV", "description": "Fichier CSV UTF-8", "format": "CSV",
             "access_url": "https://data.example.org/students",
             "download_url": "https://data.example.org/students.csv", "byte_size": 2048,
             "availability": "STABLE", "license_code": "CC-BY-4.0"},
            {"title": "API", "description": "API REST", "format": "REST",
             "access_url": "https://api.example.org/students", "availability": "AVAILABLE"},
        ])
    values.update(overrides)
    return values


def empty_optional_fields(**overrides):
    """Only what submission requires: one language, no keywords, no period, no names..."""
    values = complete_fields(
        title_fr="", description_fr="", keywords_ar=[], keywords_fr=[], contact_name="",
        temporal_start=None, temporal_end=None, languages=["ar"],
        distributions=[{"format": "CSV", "access_url": "https://data.example.org/x"}])
    values.update(overrides)
    return values


def check_catalogue(expect_warnings=None):
    """Export every format, check each parses into the one-graph catalogue, validate once."""
    reference = one_graph()
    # the one-graph serialization by rdflib itself, parsed back
    assert isomorphic(parse(reference.serialize(format="turtle"), "ttl"), reference)
    texts = {}
    for fmt in FORMATS:
        texts[fmt] = export(fmt)
        assert isomorphic(parse(texts[fmt], fmt), reference), fmt
    report = shacl.validate(parse(texts["nt"], "nt"))
    assert report.violations == []
    if expect_warnings is not None:
        warnings = {(c, r.path) for r in report.warnings for c in r.focus_classes}
        assert warnings <= expect_warnings, warnings - expect_warnings
    return texts, report


# --------------------------------------------------------------------------- conformance

def test_demo_catalogue_conforms_and_every_format_is_the_same_graph(app_ctx, tmp_path):
    from inventory.demo import load_demo
    load_demo(count=40)
    public = [d for d in db.session.scalars(sa.select(Dataset)) if d.in_public_catalogue]
    assert len(public) >= 8
    texts, _report = check_catalogue()
    # The reference validator: 3.0.1 full profile passes; 2.1.1 only differs on byteSize.
    path = tmp_path / "catalog.ttl"
    path.write_text(texts["ttl"], encoding="utf-8")
    run = subprocess.run([sys.executable, VALIDATE_PY, path], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
    run = subprocess.run([sys.executable, VALIDATE_PY, path, "--version", "2.1.1"],
                         capture_output=True, text=True)
    violations = [line for line in run.stdout.splitlines() if line.strip().startswith("Violation")]
    assert violations, run.stdout  # byteSize: xsd:decimal in 2.1.1, nonNegativeInteger in 3
    assert all("dcat:byteSize" in v and "DatatypeConstraint" in v for v in violations), \
        run.stdout


def test_catalogue_of_entries_with_every_optional_field_empty(make):
    org = make.org()
    for _ in range(3):
        make.dataset(org, status="approved", **empty_optional_fields())
    _texts, report = check_catalogue()
    # what is missing is explained as recommendations (warnings), never as violations
    paths = {r.path for r in report.warnings}
    assert {"dcat:keyword", "dct:temporal", "dct:description"} <= paths


def test_catalogue_of_entries_with_every_field_full(make):
    org = make.org(kind="ministry", website="https://www.example.tn/")
    for _ in range(2):
        make.dataset(org, status="approved", **full_fields())
    check_catalogue(expect_warnings=UNFILLABLE_WARNINGS)


def test_full_entry_maps_every_publishable_field(make):
    org = make.org()
    ds = make.dataset(org, status="approved", **full_fields())
    graph = dcat.dataset_graph(ds)
    node = dcat.dataset_uri(ds)
    assert {o.language for o in graph.objects(node, DCT.title)} == {"ar", "fr", "en"}
    assert {o.language for o in graph.objects(node, DCAT.keyword)} == {"ar", "fr", "en"}
    for prop in (DCAT.theme, DCT.publisher, DCAT.contactPoint, DCT.accessRights,
                 DCT.accrualPeriodicity, DCT.spatial, DCT.temporal, DCT.language,
                 DCT.identifier, DCT.issued, DCT.modified, dcat.DCATAP.applicableLegislation,
                 dcat.DCATAP.hvdCategory, DCAT.landingPage, FOAF.page, DCAT.distribution):
        assert graph.value(node, prop) is not None, prop
    # Decree 2021-3, a legal text given as an address and one given as words
    assert len(list(graph.objects(node, dcat.DCATAP.applicableLegislation))) == 3
    publisher = graph.value(node, DCT.publisher)
    assert {RDF.type} and set(graph.objects(publisher, RDF.type)) == {FOAF.Agent,
                                                                      FOAF.Organization}
    assert {o.language for o in graph.objects(publisher, FOAF.name)} >= {"ar", "fr"}
    csv = next(d for d in graph.objects(node, DCAT.distribution)
               if graph.value(d, DCAT.downloadURL) is not None)
    assert str(graph.value(csv, DCT.format)).endswith("/file-type/CSV")
    assert str(graph.value(csv, DCAT.mediaType)).endswith("/text/csv")
    assert graph.value(csv, DCAT.byteSize).datatype == dcat.XSD.nonNegativeInteger
    licence = graph.value(csv, DCT.license)
    assert (licence, RDF.type, DCT.LicenseDocument) in graph
    assert str(graph.value(licence, DCT.title)) == "Creative Commons Attribution"


def test_only_public_open_approved_entries_are_in_the_catalogue(make):
    org = make.org()
    public = [make.dataset(org, status="approved"), make.dataset(org, status="published")]
    hidden = [make.dataset(org, status="draft"), make.dataset(org, status="submitted"),
              make.dataset(org, status="withdrawn"),
              make.dataset(org, status="approved", **restricted_fields())]
    text = export("nt")
    for ds in public:
        assert ds.uuid in text
    for ds in hidden:
        assert ds.uuid not in text
    # the SQL filter and the model's property agree
    selected = set(db.session.scalars(sa.select(Dataset.id).where(fragments.public_filter())))
    assert selected == {d.id for d in public + hidden if d.in_public_catalogue}


def test_internal_fields_never_reach_the_catalogue(make, client):
    org = make.org()
    internal = {f.name for f in FIELDS if f.internal}
    markers = {name: f"ZZINTERNAL-{name}" for name in (
        "owner_unit", "steward", "source_system", "storage_location", "volume",
        "update_mechanism", "personal_data_categories", "harm_note", "public_interest_note",
        "proportionality_note", "other_constraints")}
    assert set(markers) <= internal
    ds = make.dataset(org, status="approved", title_fr="ZZPUBLIC-title", **markers)
    ds.priority_override_reason = "ZZINTERNAL-override"
    db.session.add(ReviewEvent(dataset=ds, action="approve", from_status="submitted",
                               to_status="approved", comment="ZZINTERNAL-review",
                               field_comments={"title_fr": "ZZINTERNAL-field-comment"}))
    db.session.commit()
    texts = [export(fmt) for fmt in FORMATS]
    texts += [client.get(f"/datasets/{ds.uuid}.{ext}").get_data(as_text=True)
              for ext in ("ttl", "rdf", "jsonld", "nt")]
    texts += [client.get(f"/catalog.{ext}").get_data(as_text=True)
              for ext in ("ttl", "rdf", "jsonld", "nt")]
    for text in texts:
        assert "ZZPUBLIC-title" in text  # the check can see what is published...
        assert "ZZINTERNAL" not in text  # ...and nothing internal is
        assert "opendata@example.org" in text and "factory-admin" not in text


# --------------------------------------------------------------------------- bad input

def test_odd_characters_and_unusual_urls_stay_well_formed(make):
    org = make.org(name_fr='Ministère "des" <tests> & co\u200f')
    # (NUL cannot be stored by PostgreSQL at all; the unit tests cover it in the writers)
    odd = "\u200fعربي 😀 \"quoted\" <script>alert(1)</script>\r\nnew line\x07\x1b ]]>"
    ds = make.dataset(org, status="approved")
    # An administrator may edit an approved entry: the submission rules do not run again.
    save_entry(ds, None, dict(
        title_ar=odd, description_ar=odd * 200, title_fr=odd,
        keywords_ar=[odd, "<b>", "\u202e"], contact_name=odd,
        landing_page="javascript:alert(1)", documentation_url="https://example.org/a b/é?x=<1>",
        legal_basis="line\r\n\r\njavascript:alert(2)\nhttps://exa mple.org"), distributions=[
            {"title": odd, "format": "CSV", "access_url": "https://data.example.org/ü ö",
             "download_url": "javascript:alert(3)"},
            {"title": "no address", "format": "XLSX", "access_url": "not a url"}])
    db.session.commit()
    reference = one_graph()
    for fmt in FORMATS:
        text = export(fmt)
        assert isomorphic(parse(text, fmt), reference), fmt
        assert "javascript:" not in text.replace("javascript:alert(2)", "")
        assert "https://data.example.org/%C3%BC%20%C3%B6" in text
    # The validator explains what could not be published: a distribution without address.
    report = shacl.validate(dcat.dataset_graph(ds))
    assert [(r.path, r.component) for r in report.violations] == [
        ("dcat:accessURL", "MinCountConstraintComponent")]
    from catalog.conformance import entry_conformance
    conf = entry_conformance(ds)
    assert [f.field for f in conf.violations] == ["distributions-1-access_url"]
    noted = {f.field for f in conf.recommendations}
    assert {"landing_page", "distributions-0-download_url", "distributions-1-access_url"} <= noted


def test_the_entry_pages_checks_are_kept_until_the_entry_changes(make):
    """The SHACL report and the conformance panel's result (per language) of a saved entry
    are kept; unsaved changes and a saved change are checked afresh."""
    from flask_babel import force_locale

    from catalog.conformance import entry_conformance, entry_report
    ds = make.dataset(make.org(), status="approved")
    dists = [{"title": "CSV", "format": "CSV", "access_url": "", "download_url": ""}]
    save_entry(ds, None, {}, distributions=dists)
    db.session.commit()
    with force_locale("fr"):
        report, panel = entry_report(ds), entry_conformance(ds)
        assert [r.path for r in report.violations] == ["dcat:accessURL"]
        assert [f.field for f in panel.violations] == ["distributions-0-access_url"]
        # saved and unchanged: not checked again
        assert entry_report(ds) is report and entry_conformance(ds) is panel
    with force_locale("ar"):
        arabic = entry_conformance(ds)
        assert arabic is not panel and entry_conformance(ds) is arabic
        assert [f.field for f in arabic.violations] == ["distributions-0-access_url"]
    with force_locale("fr"):
        ds.title_fr = "Pas encore enregistré"  # unsaved: always checked afresh
        assert entry_report(ds) is not report and entry_conformance(ds) is not panel
        db.session.rollback()

        dists[0]["access_url"] = "https://data.example.org/a.csv"
        save_entry(ds, None, {}, distributions=dists)
        db.session.commit()
        fixed, fixed_panel = entry_report(ds), entry_conformance(ds)
        assert fixed is not report and fixed.conforms and fixed_panel.violations == []
        assert fixed_panel.quality.score > panel.quality.score
        assert entry_report(ds) is fixed and entry_conformance(ds) is fixed_panel


# --------------------------------------------------------------------------- stored pieces

def _rows():
    return {r.dataset_id: r for r in db.session.scalars(sa.select(DatasetRdf))}


def test_pieces_are_rebuilt_when_the_entry_its_organization_or_the_mapping_change(
        make, monkeypatch):
    org = make.org(name_fr="Ancien nom")
    ds = make.dataset(org, status="approved")
    first = export("ttl")
    row = _rows()[ds.id]
    built_at = row.built_at
    assert "Ancien nom" in first
    # a second export reuses the stored piece
    assert export("ttl") == first and _rows()[ds.id].built_at == built_at

    save_entry(ds, None, {"title_fr": "Titre modifié"})
    db.session.commit()
    assert "Titre modifié" in export("ttl")
    assert _rows()[ds.id].dataset_version == ds.version

    org.name_fr = "Nouveau nom"
    db.session.commit()
    text = export("ttl")
    assert "Nouveau nom" in text and "Ancien nom" not in text
    assert _rows()[ds.id].organization_updated_at == org.updated_at

    stamp = _rows()[ds.id].mapping_stamp
    monkeypatch.setattr(dcat, "MAPPING_VERSION", "test-next")
    dcat._mapping_stamp.cache_clear()
    try:
        export("nt")
        assert _rows()[ds.id].mapping_stamp != stamp
    finally:
        monkeypatch.undo()
        dcat._mapping_stamp.cache_clear()


def test_refresh_and_validate_the_live_catalogue(make):
    org = make.org()
    entries = [make.dataset(org, status="approved") for _ in range(3)]
    assert fragments.refresh_all(commit=db.session.commit) == 3
    assert fragments.refresh_all(commit=db.session.commit) == 0
    report = fragments.validate_catalogue(chunk_size=2)
    assert report.conforms
    db.session.execute(sa.update(Dataset).where(Dataset.id == entries[0].id)
                       .values(description_ar="", description_fr="", version=99))
    db.session.commit()
    report = fragments.validate_catalogue(chunk_size=2)
    assert [(r.path, r.component) for r in report.violations] == [
        ("dct:description", "MinCountConstraintComponent")]


# --------------------------------------------------------------------------- CKAN's parser

def test_ckanext_dcat_parser_reads_our_rdf_back(make, tmp_path):
    if not CKAN_PARSER_PYTHON.exists():
        pytest.fail("ckanext-dcat parser venv missing: run `make install-test`")
    org = make.org(name_ar="وزارة التجربة", name_fr="Ministère de l'essai")
    ds = make.dataset(org, status="approved", **full_fields(
        temporal_start=date(2020, 1, 1), temporal_end=date(2024, 12, 31)))
    path = tmp_path / "catalog.ttl"
    path.write_text(export("ttl"), encoding="utf-8")
    run = subprocess.run([CKAN_PARSER_PYTHON, CKAN_PARSE, path, "--schema", "multilingual",
                          "--langs", "ar,fr"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    [pkg] = json.loads(run.stdout)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "ckan_parse.json").write_text(run.stdout, encoding="utf-8")
    assert pkg["title_translated"] == {"ar": ds.title_ar, "fr": ds.title_fr, "en": ds.title_en}
    assert pkg["notes_translated"] == {"ar": ds.description_ar, "fr": ds.description_fr,
                                       "en": ds.description_en}
    assert pkg["uri"] == str(dcat.dataset_uri(ds))
    extras = {e["key"]: e["value"] for e in pkg.get("extras", [])}
    fields = {**extras, **pkg}
    assert set(json.loads(fields["theme"])) == {
        "http://publications.europa.eu/resource/authority/data-theme/EDUC",
        "http://publications.europa.eu/resource/authority/data-theme/SOCI"}
    assert fields["frequency"].endswith("/frequency/ANNUAL")
    assert fields["access_rights"].endswith("/access-right/PUBLIC")
    assert fields["temporal_start"] == "2020-01-01" and fields["temporal_end"] == "2024-12-31"
    spatial = fields.get("spatial_uri") or ""
    assert "/spatial/TN-1" in spatial
    [contact] = pkg["contact"]
    assert contact["email"] == "opendata@example.org" and contact["name"] == "Cellule open data"
    [publisher] = pkg["publisher"]
    assert publisher["uri"] == str(dcat.organization_uri(org.code))
    assert publisher["name"] in (org.name_ar, org.name_fr)
    assert publisher["type"].endswith("/publishertype/NationalAuthority")
    assert pkg["license_id"] == "cc-by"  # the CSV's licence, known to CKAN by its title
    resources = {r["url"]: r for r in pkg["resources"]}
    csv = resources["https://data.example.org/students.csv"]
    assert csv["format"].endswith("/file-type/CSV") and csv["size"] == 2048
    assert csv["license"] == "http://creativecommons.org/licenses/by/4.0/"
    api = resources["https://api.example.org/students"]
    assert api["format"].endswith("/file-type/REST")
    assert api["license"] == "https://data.gov.tn/licence-ouverte"
