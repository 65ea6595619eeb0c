"""The public catalogue over HTTP (formats, content negotiation, Hydra paging,
?modified_since=, ETag / Last-Modified / 304), the conformance panel on the entry pages, and
the `inventory catalog` commands."""
from datetime import timedelta

import rdflib
import sqlalchemy as sa
from rdflib.compare import isomorphic

from catalog import dcat
from catalog.namespaces import DCAT, HYDRA, RDF
from inventory.entries import save_entry
from inventory.extensions import db
from inventory.models import Dataset
from tests.conftest import SHARED
from tests.integration.test_catalog_dcat import export, one_graph, parse

MEDIA = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json",
         "nt": "application/n-triples"}
FMT = {"ttl": "ttl", "rdf": "xml", "jsonld": "jsonld", "nt": "nt"}


def without_hydra(graph):
    out = rdflib.Graph()
    for s, p, o in graph:
        if not str(p).startswith(str(HYDRA)) and (s, RDF.type,
                                                  HYDRA.PartialCollectionView) not in graph:
            out.add((s, p, o))
    return out


def test_catalogue_and_entry_documents_in_every_format(make, client):
    org = make.org()
    ds = make.dataset(org, status="approved")
    for ext, media in MEDIA.items():
        response = client.get(f"/catalog.{ext}")
        assert response.status_code == 200 and response.mimetype == media
        graph = parse(response.get_data(as_text=True), FMT[ext])
        assert (dcat.dataset_uri(ds), RDF.type, DCAT.Dataset) in graph
        response = client.get(f"/datasets/{ds.uuid}.{ext}")  # no sign-in needed
        assert response.status_code == 200 and response.mimetype == media
        assert response.headers["ETag"] and response.headers["Last-Modified"]
        graph = parse(response.get_data(as_text=True), FMT[ext])
        assert isomorphic(graph, dcat.dataset_graph(ds))


def test_non_public_or_unknown_entries_are_not_served(make, client):
    org = make.org()
    draft = make.dataset(org, status="draft")
    assert client.get(f"/datasets/{draft.uuid}.ttl").status_code == 404
    assert client.get("/datasets/not-a-uuid.ttl").status_code == 404
    assert client.get("/datasets/6f1d7c2e-5a0b-4c55-9d3e-000000000000.jsonld").status_code == 404
    assert client.get("/catalog.csv").status_code == 404


def test_content_negotiation(make, client):
    make.dataset(make.org(), status="approved")
    for accept, media in (("application/ld+json", "application/ld+json"),
                          ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "application/rdf+xml"),
                          ("application/n-triples", "application/n-triples"),
                          ("text/html,application/xhtml+xml,*/*;q=0.8", "text/turtle")):
        response = client.get("/catalog", headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == media, accept
        assert "Accept" in response.headers["Vary"]
    assert client.get("/catalog").mimetype == "text/turtle"
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406


def test_hydra_pages_together_are_the_whole_catalogue(app, make, client, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOG_PAGE_SIZE", 3)
    org = make.org()
    for _ in range(7):
        make.dataset(org, status="approved")
    make.dataset(org, status="draft")
    union, url, seen = rdflib.Graph(), "/catalog.jsonld", []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        graph = parse(response.get_data(as_text=True), "jsonld")
        views = list(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
        assert len(views) == 1
        view = views[0]
        assert str(graph.value(view, HYDRA.first)).endswith("/catalog.jsonld?page=1")
        assert str(graph.value(view, HYDRA.last)).endswith("/catalog.jsonld?page=3")
        seen.append(str(view))
        union += graph
        nxt = graph.value(view, HYDRA.next)
        url = str(nxt).replace(dcat.base_uri(), "") if nxt is not None else None
    assert len(seen) == 3
    assert graph.value(view, HYDRA.previous) is not None
    assert int(graph.value(dcat.catalog_uri(), HYDRA.totalItems)) == 7
    assert isomorphic(without_hydra(union), parse(export("ttl"), "ttl"))
    assert isomorphic(without_hydra(union), one_graph())
    assert client.get("/catalog.ttl?page=4").status_code == 404
    assert client.get("/catalog.ttl?page=0").status_code == 400
    assert client.get("/catalog.ttl?page=two").status_code == 400


def test_modified_since_filter(make, client):
    org = make.org()
    old, new = make.dataset(org, status="approved"), make.dataset(org, status="approved")
    db.session.execute(sa.update(Dataset).where(Dataset.id == old.id)
                       .values(updated_at=new.updated_at - timedelta(days=30)))
    db.session.commit()
    since = (new.updated_at - timedelta(days=1)).date().isoformat()
    text = client.get(f"/catalog.nt?modified_since={since}").get_data(as_text=True)
    assert new.uuid in text and old.uuid not in text
    text = client.get("/catalog.ttl?modified_since=2000-01-01T00:00:00Z").get_data(as_text=True)
    assert new.uuid in text and old.uuid in text
    response = client.get("/catalog.ttl?modified_since=yesterday")
    assert response.status_code == 400 and b"modified_since" in response.data


def test_etag_last_modified_and_304(make, client):
    org = make.org()
    ds = make.dataset(org, status="approved")
    for url in (f"/datasets/{ds.uuid}.ttl", "/catalog.ttl"):
        first = client.get(url)
        etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    before = client.get(f"/datasets/{ds.uuid}.ttl").headers["ETag"]
    save_entry(ds, None, {"title_fr": "Changé"})
    db.session.commit()
    response = client.get(f"/datasets/{ds.uuid}.ttl", headers={"If-None-Match": before})
    assert response.status_code == 200 and "Changé" in response.get_data(as_text=True)
    assert response.headers["ETag"] != before


# --------------------------------------------------------------------------- the panel

def test_panel_explains_problems_next_to_the_fields_of_a_draft(make, login, client):
    org = make.org()
    officer = make.user("officer", orgs=[org])
    ds = make.dataset(org, status="draft", description_ar="", description_fr="",
                      keywords_ar=[], keywords_fr=[])
    login(officer)
    html = client.get(f"/datasets/{ds.uuid}").get_data(as_text=True)
    assert 'id="catalog-conformance"' in html
    assert f"/datasets/{ds.uuid}/edit?field=description_ar" in html  # the violation's field
    assert f"/datasets/{ds.uuid}/edit?field=keywords_ar" in html  # a recommendation's
    assert "<meter" in html and "not in the public catalogue" in html
    assert f"/datasets/{ds.uuid}.ttl" not in html
    # the wizard page shows the same panel
    assert 'id="catalog-conformance"' in client.get(f"/datasets/{ds.uuid}/edit").get_data(
        as_text=True)
    # in Arabic too (right to left), without error
    html = client.get(f"/datasets/{ds.uuid}?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html and 'id="catalog-conformance"' in html


def test_panel_of_a_public_entry_links_to_its_dcat(make, login, client):
    org = make.org()
    reviewer = make.user("reviewer", orgs=[org])
    ds = make.dataset(org, status="approved")
    login(reviewer)
    html = client.get(f"/datasets/{ds.uuid}").get_data(as_text=True)
    for ext in ("ttl", "rdf", "jsonld"):
        assert f"/datasets/{ds.uuid}.{ext}" in html
    assert "conforms to DCAT-AP 3" in html
    assert "edit?field=" not in html.split('id="catalog-conformance"')[1].split("</section>")[0]


def test_quality_score_grows_with_the_fields_filled(make):
    from inventory import quality
    from tests.integration.test_catalog_dcat import empty_optional_fields, full_fields
    org = make.org()
    bare = quality.compute(make.dataset(org, **empty_optional_fields()))
    full = quality.compute(make.dataset(org, **full_fields()))
    nothing = quality.compute(make.dataset(org, complete=False))
    assert 0 <= nothing.score < bare.score < full.score == 100
    assert {c.field for c in bare.missing} >= {"keywords_ar", "temporal_start", "title_fr"}


# --------------------------------------------------------------------------- the commands

def test_export_and_validate_commands(app, make, tmp_path):
    org = make.org()
    make.dataset(org, status="approved")
    runner = app.test_cli_runner()
    out = tmp_path / "catalog.nt"
    result = runner.invoke(args=["catalog", "export", "--format", "nt", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert isomorphic(parse(out.read_text(encoding="utf-8"), "nt"), one_graph())
    assert not (tmp_path / "catalog.nt.part").exists()
    result = runner.invoke(args=["catalog", "export", "--format", "jsonld"])
    assert result.exit_code == 0 and '"@graph"' in result.stdout

    result = runner.invoke(args=["catalog", "validate"])
    assert result.exit_code == 0, result.output
    assert "0 violation(s)" in result.output
    result = runner.invoke(args=["catalog", "validate", str(out)])
    assert result.exit_code == 0, result.output
    bare = SHARED / "standards" / "dcat-ap" / "examples-tn" / "sample-bare.ttl"
    result = runner.invoke(args=["catalog", "validate", str(bare), "--details"])
    assert result.exit_code == 1
    assert "10 violation(s)" in result.output and "dcat:accessURL" in result.output
    junk = tmp_path / "junk.ttl"
    junk.write_text("this is not turtle <<<", encoding="utf-8")
    result = runner.invoke(args=["catalog", "validate", str(junk)])
    assert result.exit_code == 1 and "not readable as RDF" in result.output
    result = runner.invoke(args=["catalog", "refresh"])
    assert result.exit_code == 0 and "0 entries rebuilt" in result.output


def test_empty_catalogue_is_served_and_valid(app, client):
    for ext in MEDIA:
        response = client.get(f"/catalog.{ext}")
        assert response.status_code == 200
        graph = parse(response.get_data(as_text=True), FMT[ext])
        assert (dcat.catalog_uri(), RDF.type, DCAT.Catalog) in graph
    result = app.test_cli_runner().invoke(args=["catalog", "validate"])
    assert result.exit_code == 0 and "0 violation(s)" in result.output
    assert client.get("/catalog.ttl?page=2").status_code == 404


def test_structured_results_for_the_publishing_gate(make):
    """What the CKAN publisher relies on: dataset_graph + shacl.validate, structured."""
    from catalog import shacl
    ds = make.dataset(make.org(), status="approved")
    assert shacl.validate(dcat.dataset_graph(ds)).conforms
    ds.description_ar = ds.description_fr = ""
    ds.distributions[0].access_url = ds.distributions[0].download_url = "javascript:x()"
    report = shacl.validate(dcat.dataset_graph(ds))
    assert not report.conforms
    found = {(r.focus, r.path, r.severity, r.component) for r in report.violations}
    dist = str(dcat.distribution_uri(ds.distributions[0], dcat.dataset_uri(ds)))
    assert found == {
        (str(dcat.dataset_uri(ds)), "dct:description", "Violation",
         "MinCountConstraintComponent"),
        (dist, "dcat:accessURL", "Violation", "MinCountConstraintComponent")}
    assert all(r.message and r.source_shape for r in report.violations)
    db.session.rollback()


def test_page_etag_changes_when_another_page_changes_the_catalogue_node(app, make, client,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "CATALOG_PAGE_SIZE", 1)
    org = make.org()
    make.dataset(org, status="approved")
    second = make.dataset(org, status="approved")
    etag = client.get("/catalog.ttl?page=1").headers["ETag"]
    save_entry(second, None, {"title_fr": "Changé"})  # on page 2; dct:modified of the catalogue
    db.session.commit()
    assert client.get("/catalog.ttl?page=1", headers={"If-None-Match": etag}).status_code == 200
