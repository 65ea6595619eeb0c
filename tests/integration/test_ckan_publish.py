"""Publishing against the real CKAN: create, update, unchanged (no write), withdraw, name
collisions, wrong token, unreachable portal, validation errors, DCAT output, reconcile, adopt,
the CLI and the pages. The portal `make services` starts is multilingual (scheming + fluent, see
scripts/ckan-services.sh); the assertions that depend on the portal's shape say so."""
import json

import pytest
import rdflib
import requests

from catalog.ckan import CkanClient, PublishError
from catalog.ckan_package import extras_dict, package_field, package_name
from catalog.publish import publish, withdraw
from catalog.reconcile import reconcile
from inventory import vocabularies as vocab
from inventory.extensions import db
from inventory.models import Dataset, Publication
from tests.integration.ckan_support import (
    CKAN_TOKEN,
    CKAN_URL,
    PORTAL_CONFIG,
    needs_ckan,
    org_packages,
    raw_api,
    unique_code,
)

pytestmark = [pytest.mark.ckan, needs_ckan]


@pytest.fixture
def portal(app):
    saved = {k: app.config.get(k) for k in PORTAL_CONFIG}
    app.config.update(PORTAL_CONFIG)
    yield app
    app.config.update(saved)


@pytest.fixture
def ckan(portal):
    client = CkanClient(CKAN_URL, CKAN_TOKEN, timeout=10)
    yield client
    client.close()


@pytest.fixture
def org(make):
    return make.org(code=unique_code(), name_ar="وزارة الاختبار", name_fr="Ministère du test")


def _approved(make, org, **fields):
    return make.dataset(org, status="approved", **fields)


def test_create_then_update_then_unchanged(make, org, ckan):
    ds = _approved(make, org, title_en="")
    pub = publish(ds, ckan)
    db.session.commit()
    assert (pub.outcome, pub.error_code) == ("ok", None), pub.field_errors
    assert ds.status == "published" and ds.ckan_state == "active"
    name = package_name(ds)
    assert name == f"{org.code.lower()}-{ds.uuid.replace('-', '')[:8]}"
    assert ds.ckan_url == f"{CKAN_URL}/dataset/{name}"

    pkg = raw_api().action.package_show(id=name)
    assert pkg["organization"]["name"] == org.code.lower()
    assert pkg["organization"]["title"]  # created on demand
    fluent = ckan.profile().fluent
    if fluent:
        assert pkg["title_translated"] == {"ar": ds.title_ar, "fr": ds.title_fr}
    else:
        extras = extras_dict(pkg)
        assert extras["title_ar"] == ds.title_ar and extras["title_fr"] == ds.title_fr
    assert package_field(pkg, "identifier").endswith(f"/datasets/{ds.uuid}")
    assert vocab.themes()["EDUC"].uri in package_field(pkg, "theme")
    assert package_field(pkg, "access_rights") == vocab.access_rights()["PUBLIC"].uri
    assert "owner_unit" not in str(pkg) and "Direction des statistiques" not in str(pkg)
    [res] = pkg["resources"]
    assert (res["url"], res["format"], res["mimetype"], res["size"]) == (
        "https://data.example.org/etudiants.csv", "CSV", "text/csv", 1024)
    assert res["license"] == vocab.licences()["TN-OPEN"].uri

    # The portal's own DCAT endpoint re-emits our metadata.
    from rdflib.namespace import DCAT, DCTERMS
    ttl = requests.get(f"{CKAN_URL}/dataset/{name}.ttl", timeout=10)
    assert ttl.ok
    graph = rdflib.Graph().parse(data=ttl.content, format="turtle")
    [subject] = list(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    titles = {(str(t), t.language) for t in graph.objects(subject, DCTERMS.title)}
    if fluent:  # every language, tagged
        assert titles == {(ds.title_ar, "ar"), (ds.title_fr, "fr")}
    else:  # one title, in the portal's default language (en → fr fallback); every language
        # travels in the extras checked above
        assert titles == {(ds.title_fr, None)}
    assert rdflib.URIRef(vocab.themes()["EDUC"].uri) in set(graph.objects(subject, DCAT.theme))
    assert rdflib.URIRef(vocab.access_rights()["PUBLIC"].uri) in set(
        graph.objects(subject, DCTERMS.accessRights))
    assert rdflib.URIRef(vocab.frequencies()["ANNUAL"].uri) in set(
        graph.objects(subject, DCTERMS.accrualPeriodicity))

    # Update: a changed title and a second distribution reach the portal, same package.
    ds.title_fr = "Effectifs des étudiants (mis à jour)"
    from inventory.entries import set_distributions
    set_distributions(ds, [{"title": "CSV", "format": "CSV",
                            "access_url": "https://data.example.org/etudiants",
                            "download_url": "https://data.example.org/etudiants.csv",
                            "byte_size": 1024},
                           {"title": "API", "format": "JSON",
                            "access_url": "https://api.example.org/etudiants"}])
    db.session.commit()
    assert publish(ds, ckan).outcome == "ok"
    db.session.commit()
    after = raw_api().action.package_show(id=name)
    assert after["id"] == pkg["id"]
    if fluent:
        assert after["title_translated"]["fr"] == ds.title_fr
    else:
        assert after["title"] == ds.title_fr
    assert [r["format"] for r in after["resources"]] == ["CSV", "JSON"]
    assert after["resources"][0]["id"] == res["id"]  # updated in place, not recreated

    # Unchanged: no write at all, the portal's metadata_modified does not move.
    writes = ckan.writes
    pub = publish(ds, ckan)
    db.session.commit()
    assert pub.outcome == "skipped" and pub.error_code is None
    assert ckan.writes == writes
    assert raw_api().action.package_show(id=name)["metadata_modified"] == \
        after["metadata_modified"]
    assert len(org_packages(org.code.lower())) == 1


def test_withdraw_private_then_delete_and_republish(make, org, ckan, app):
    from inventory import workflow
    ds = _approved(make, org)
    first = publish(ds, ckan)
    assert (first.outcome, first.error_code, first.error_message) == ("ok", None, "")
    db.session.commit()
    admin = make.user("admin")
    workflow.withdraw(ds, admin, "obsolete")
    pub = withdraw(ds, ckan)
    db.session.commit()
    assert (pub.outcome, pub.error_code, pub.error_message) == ("ok", None, "")
    assert ds.ckan_state == "private" and ds.status == "withdrawn"
    assert raw_api().action.package_show(id=ds.ckan_name)["private"] is True

    pub = withdraw(ds, ckan, mode="delete")
    db.session.commit()
    assert pub.outcome == "ok" and ds.ckan_state == "deleted"
    assert raw_api().action.package_show(id=ds.ckan_name)["state"] == "deleted"

    # Approved again: the deleted package (it keeps its name) comes back, never a second one.
    workflow.reopen(ds, admin)
    workflow.submit(ds, admin)
    workflow.approve(ds, admin)
    pub = publish(ds, ckan)
    db.session.commit()
    assert pub.outcome == "ok"
    pkg = raw_api().action.package_show(id=ds.ckan_name)
    assert (pkg["state"], pkg["private"]) == ("active", False)
    assert len(org_packages(org.code.lower())) == 1


def test_name_taken_by_a_strangers_deleted_package(make, org, ckan):
    """CKAN 2.12 lets a create reuse the name of a deleted package (renaming the deleted one
    to its id). A deleted package that is not ours is left as it is: ours is created under
    our id, and the portal ends with one active package of that name, ours."""
    ds = _approved(make, org)
    name = package_name(ds)
    api = raw_api()
    api.action.organization_create(name=org.code.lower(), title="pre-existing")
    old = api.action.package_create(name=name, owner_org=org.code.lower(), title="old")
    api.action.package_delete(id=old["id"])

    pub = publish(ds, ckan)
    db.session.commit()
    assert pub.outcome == "ok", (pub.error_code, pub.error_message)
    assert ds.ckan_id == ds.uuid != old["id"]
    pkg = api.action.package_show(id=name)
    assert (pkg["id"], pkg["state"], _title_fr(pkg)) == (ds.uuid, "active", ds.title_fr)
    stranger = api.action.package_show(id=old["id"])
    assert (stranger["state"], stranger["title"]) == ("deleted", "old")
    assert [p["name"] for p in org_packages(org.code.lower())] == [name]


def _forget_the_push(ds):
    """As if the push's response had been lost (a crash before our commit)."""
    ds.ckan_id = ds.ckan_name = ds.ckan_url = ds.ckan_hash = ds.ckan_state = None
    db.session.commit()


def test_a_push_we_did_not_record_is_found_again_by_name(make, org, ckan):
    ds = _approved(make, org)
    first = publish(ds, ckan)
    db.session.commit()
    _forget_the_push(ds)
    ds.title_fr = "Titre corrigé"
    pub = publish(ds, ckan)
    db.session.commit()
    assert pub.outcome == "ok", (pub.error_code, pub.error_message)
    assert ds.ckan_id == first.ckan_id
    assert [_title_fr(p) for p in org_packages(org.code.lower())] == ["Titre corrigé"]


def test_a_push_we_did_not_record_then_deleted_on_the_portal_is_revived_by_id(make, org, ckan):
    ds = _approved(make, org)
    first = publish(ds, ckan)
    db.session.commit()
    raw_api().action.package_delete(id=first.ckan_id)
    _forget_the_push(ds)
    pub = publish(ds, ckan)
    db.session.commit()
    assert pub.outcome == "ok", (pub.error_code, pub.error_message)
    assert ds.ckan_id == first.ckan_id == ds.uuid
    pkg = raw_api().action.package_show(id=package_name(ds))
    assert (pkg["id"], pkg["state"]) == (ds.uuid, "active")
    assert len(org_packages(org.code.lower())) == 1


def _title_fr(pkg):
    """The French title of a portal package (fluent field, or the plain title)."""
    return (pkg.get("title_translated") or {"fr": pkg["title"]})["fr"]


def test_name_taken_by_someone_elses_active_package(make, org, ckan):
    ds = _approved(make, org)
    api = raw_api()
    api.action.organization_create(name=org.code.lower(), title="pre-existing")
    theirs = {"identifier": "urn:someone-else"}
    if "identifier" not in ckan.profile().dataset_fields:  # a plain portal keeps it in extras
        theirs = {"extras": [{"key": "identifier", "value": "urn:someone-else"}]}
    api.action.package_create(name=package_name(ds), owner_org=org.code.lower(),
                              title="theirs", **theirs)
    pub = publish(ds, ckan)
    db.session.commit()
    assert (pub.outcome, pub.error_code) == ("failed", "name_taken")
    assert ds.status == "approved" and ds.ckan_id is None
    assert api.action.package_show(id=package_name(ds))["title"] == "theirs"
    assert len(org_packages(org.code.lower())) == 1


def test_wrong_token_is_recorded_and_the_entry_keeps_its_state(make, org, portal):
    ds = _approved(make, org)
    bad = CkanClient(CKAN_URL, "not-a-valid-token", timeout=10)
    pub = publish(ds, bad)
    db.session.commit()
    assert (pub.outcome, pub.error_code) == ("failed", "unauthorized")
    assert not PublishError("unauthorized").retryable
    assert ds.status == "approved" and ds.ckan_id is None
    row = db.session.scalar(db.select(Publication).where(Publication.dataset_id == ds.id))
    assert row.outcome == "failed" and row.error_code == "unauthorized"


def test_unreachable_portal_is_a_retryable_failure(make, org, portal):
    ds = _approved(make, org)
    pub = publish(ds, CkanClient("http://127.0.0.1:9", CKAN_TOKEN, timeout=3))
    db.session.commit()
    assert (pub.outcome, pub.error_code) == ("failed", "unreachable")
    assert PublishError(pub.error_code).retryable and ds.status == "approved"


def test_portal_validation_errors_carry_their_fields(ckan):
    with pytest.raises(PublishError) as info:
        ckan.call("package_create", write=True, name="Not A Valid Name!", title="x")
    assert info.value.code == "validation" and not info.value.retryable
    assert "name" in info.value.field_errors and "owner_org" in info.value.field_errors


def test_fluent_field_errors_carry_their_field(org, ckan):
    if not ckan.profile().fluent:
        pytest.fail(f"{CKAN_URL} has no fluent fields: start it with `make services`")
    owner = ckan.organization_ensure(org)
    with pytest.raises(PublishError) as info:
        ckan.call("package_create", write=True, name=f"{owner}-bad-fluent", owner_org=owner,
                  title_translated={"ar": "عنوان", "not a language": "x"})
    assert info.value.code == "validation"
    assert "title_translated" in info.value.field_errors, info.value.field_errors


def test_not_publishable_entries_are_refused_before_the_portal(make, org, ckan):
    from tests.conftest import restricted_fields
    ds = make.dataset(org, status="approved", **restricted_fields())
    writes = ckan.writes
    pub = publish(ds, ckan)
    assert (pub.outcome, pub.error_code) == ("skipped", "not_publishable")
    assert ckan.writes == writes and ds.status == "approved"


def test_reconcile_reports_drift_and_adopt_completes_the_inventory(make, org, ckan, app):
    edited, gone, quiet = (_approved(make, org) for _ in range(3))
    for ds in (edited, gone, quiet):
        assert publish(ds, ckan).outcome == "ok"
    db.session.commit()
    api = raw_api()
    fluent = ckan.profile().fluent
    if fluent:  # the portal's own title field is its fluent one
        edit = {"title_translated": {"ar": edited.title_ar, "fr": "Edited on the portal"}}
    else:
        edit = {"title": "Edited on the portal"}
    api.action.package_patch(id=edited.ckan_name, **edit)
    api.action.package_delete(id=gone.ckan_name)
    foreign = api.action.package_create(
        name=f"{org.code.lower()}-by-hand", owner_org=org.code.lower(),
        title="Budget 2024 (saisi sur le portail)", notes="Publié à la main.",
        license_id="cc-by", tags=[{"name": "budget"}],
        resources=[{"url": "https://example.org/budget.csv", "format": "CSV"}])

    report = reconcile(ckan, [org])
    assert [m.reference for m in report.missing] == [gone.reference]
    assert [x.name for x in report.extra] == [foreign["name"]]
    [item] = report.edited
    assert item.reference == edited.reference and not item.local_changes
    if fluent:
        [diff] = item.diffs
        assert diff.field == "title_translated"
        assert json.loads(diff.ours)["fr"] == edited.title_fr
        assert json.loads(diff.theirs)["fr"] == "Edited on the portal"
    else:
        assert [(d.field, d.ours, d.theirs) for d in item.diffs] == [
            ("title", edited.title_fr, "Edited on the portal")]
    assert report.in_sync == 1

    from catalog.reconcile import adopt
    adopted = adopt(api.action.package_show(id=foreign["id"]), org, make.user("admin"))
    db.session.commit()
    assert adopted.status == "published" and adopted.ckan_name == foreign["name"]
    assert adopted.title_fr == "Budget 2024 (saisi sur le portail)"
    assert adopted.license_code == "CC-BY-4.0" and adopted.keywords_fr == ["budget"]
    assert adopted.distributions[0].format == "CSV"
    report = reconcile(ckan, [org])
    assert report.extra == []
    # Publishing the adopted entry updates the same package (name and id kept).
    pub = publish(adopted, ckan)
    db.session.commit()
    assert pub.outcome == "ok" and pub.ckan_id == foreign["id"]
    assert len([p for p in org_packages(org.code.lower()) if p["name"] == foreign["name"]]) == 1


def test_cli_publish_all_dry_run_and_reconcile(make, org, portal, app):
    ok = [_approved(make, org) for _ in range(2)]
    draft = make.dataset(org)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ckan", "publish", "--all", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.count("would: create") >= 2

    result = runner.invoke(args=["ckan", "publish", "--all"])
    assert result.exit_code == 0, result.output
    assert "failed 0" in result.output
    db.session.expire_all()
    assert all(d.status == "published" for d in db.session.scalars(
        db.select(Dataset).where(Dataset.id.in_([d.id for d in ok]))))
    result = runner.invoke(args=["ckan", "publish", "--all"])
    assert result.exit_code == 0 and "(client writes: 0)" in result.output, result.output
    assert "unchanged/skipped 2" in result.output
    # Each unchanged entry still has its attempt on record, in the run's batch.
    batch = result.output.split("batch ", 1)[1].split(":", 1)[0]
    rows = db.session.scalars(db.select(Publication).where(Publication.batch_id == batch))
    assert sorted((p.dataset_id, p.outcome) for p in rows) == sorted(
        (d.id, "skipped") for d in ok)

    result = runner.invoke(args=["ckan", "publish", "--dataset", draft.uuid])
    assert result.exit_code == 1 and "FAILED" in result.output

    result = runner.invoke(args=["ckan", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "0 missing" in result.output


def test_cli_publish_exits_1_when_the_portal_refuses(make, org, portal, app):
    _approved(make, org)
    app.config["CKAN_API_TOKEN"] = "wrong"
    result = app.test_cli_runner().invoke(args=["ckan", "publish", "--all"])
    assert result.exit_code == 1
    assert "access key" in result.output


def test_pages_show_state_link_and_errors_in_plain_words(make, org, ckan, client, login):
    ds = _approved(make, org)
    bad = CkanClient(CKAN_URL, "not-a-valid-token", timeout=10)
    publish(ds, bad)
    publish(ds, ckan)
    db.session.commit()
    admin = make.user("admin")
    login(admin)
    page = client.get(f"/datasets/{ds.uuid}").get_data(as_text=True)
    assert "Publication on the national portal" in page
    assert f'href="{ds.ckan_url}"' in page
    assert "refused our access key" in page

    listing = client.get("/publications?outcome=failed").get_data(as_text=True)
    assert ds.reference in listing and "refused our access key" in listing
    assert ds.reference not in client.get("/publications?outcome=ok&org=NOPE")\
        .get_data(as_text=True)
    reconcile_page = client.get("/publications/reconcile")
    assert reconcile_page.status_code == 200

    # Publish again by hand: queued (outbox), shown as in progress.
    response = client.post(f"/datasets/{ds.uuid}/publish")
    assert response.status_code == 302
    assert "Publication queued" in client.get(f"/datasets/{ds.uuid}").get_data(as_text=True)


def test_officers_cannot_publish_by_hand_or_adopt(make, org, client, login, portal):
    ds = _approved(make, org)
    officer = make.user("officer", [org])
    login(officer)
    assert client.post(f"/datasets/{ds.uuid}/publish").status_code == 403
    assert client.post("/publications/adopt", data={"name": "x"}).status_code == 403
    assert client.get("/publications/reconcile").status_code == 403


def test_an_entry_with_shacl_violations_is_refused_and_recorded(make, org, ckan):
    """The DCAT-AP gate: an approved entry whose graph violates the 3.0.1 shapes (here a
    distribution whose addresses were emptied after approval) never reaches the portal;
    the attempt is recorded with the reasons and the entry keeps its state."""
    ds = _approved(make, org)
    ds.distributions[0].access_url = ds.distributions[0].download_url = ""
    db.session.commit()
    pub = publish(ds, ckan)
    db.session.commit()
    assert (pub.outcome, pub.error_code) == ("failed", "shacl")
    assert any("accessURL" in path for path in pub.field_errors), pub.field_errors
    assert ds.status == "approved" and ds.ckan_id is None
    with pytest.raises(Exception, match="Not found"):
        raw_api().action.package_show(id=package_name(ds))
    assert Publication.query.filter_by(dataset_id=ds.id).count() == 1


def test_every_language_reaches_the_portal_and_its_dcat_output(make, org, ckan):
    """Issue 4: after publishing, the portal's own DCAT output carries our title and
    description in each language (ar, fr, en), our themes and our access rights."""
    if not ckan.profile().fluent:
        pytest.fail(f"{CKAN_URL} has no fluent title_translated/notes_translated fields: the "
                    "test portal is started by `make services` (scripts/ckan-services.sh)")
    texts = {"title_ar": "عدد الطلبة المرسمين", "title_fr": "Effectifs des étudiants inscrits",
             "title_en": "Enrolled students",
             "description_ar": "توزيع الطلبة حسب المؤسسة.",
             "description_fr": "Répartition des étudiants par établissement.",
             "description_en": "Students by institution.",
             "keywords_en": ["students"]}
    ds = _approved(make, org, themes=["EDUC", "SOCI"], **texts)
    pub = publish(ds, ckan)
    db.session.commit()
    assert (pub.outcome, pub.error_code) == ("ok", None), pub.field_errors
    theme_uris = {vocab.themes()[c].uri for c in ("EDUC", "SOCI")}
    access_uri = vocab.access_rights()["PUBLIC"].uri

    # Through CKAN's API: fluent fields and DCAT-AP schema fields at the root, not in extras.
    pkg = raw_api().action.package_show(id=ds.ckan_name)
    assert pkg["title_translated"] == {lang: texts[f"title_{lang}"] for lang in ("ar", "fr", "en")}
    assert pkg["notes_translated"] == {lang: texts[f"description_{lang}"]
                                       for lang in ("ar", "fr", "en")}
    assert pkg["tags_translated"] == {"ar": ["طلبة"], "fr": ["étudiants"], "en": ["students"]}
    assert set(pkg["theme"]) == theme_uris and pkg["access_rights"] == access_uri
    assert pkg["contact"] == [{"name": ds.contact_name, "email": ds.contact_email}]
    assert not {"theme", "access_rights", "identifier", "title_ar"} & set(extras_dict(pkg))

    # Through the portal's DCAT output.
    from rdflib.namespace import DCAT, DCTERMS

    from catalog.namespaces import VCARD
    ttl = requests.get(f"{CKAN_URL}/dataset/{ds.ckan_name}.ttl", timeout=10)
    assert ttl.ok, ttl.status_code
    graph = rdflib.Graph().parse(data=ttl.content, format="turtle")
    [subject] = list(graph.subjects(rdflib.RDF.type, DCAT.Dataset))

    def tagged(predicate):
        return {(str(o), o.language) for o in graph.objects(subject, predicate)}

    assert tagged(DCTERMS.title) == {(texts["title_ar"], "ar"), (texts["title_fr"], "fr"),
                                     (texts["title_en"], "en")}
    assert tagged(DCTERMS.description) == {
        (texts["description_ar"], "ar"), (texts["description_fr"], "fr"),
        (texts["description_en"], "en")}
    assert tagged(DCAT.keyword) == {("طلبة", "ar"), ("étudiants", "fr"), ("students", "en")}
    assert {str(t) for t in graph.objects(subject, DCAT.theme)} == theme_uris
    assert {str(a) for a in graph.objects(subject, DCTERMS.accessRights)} == {access_uri}
    [contact] = list(graph.objects(subject, DCAT.contactPoint))  # once, not once per profile
    assert str(graph.value(contact, VCARD.hasEmail)) == f"mailto:{ds.contact_email}"
    assert len(list(graph.objects(subject, DCTERMS.temporal))) == 1

    # Unchanged entry: the portal's fluent output reads back as our content (no write).
    writes = ckan.writes
    assert publish(ds, ckan).outcome == "skipped" and ckan.writes == writes
    db.session.commit()
    report = reconcile(ckan, [org])
    assert (report.edited, report.missing, report.in_sync) == ([], [], 1)
