"""package_from_dataset: deterministic names, the DCAT field names and URIs, languages in
fluent fields or extras, nothing inventory-only; the error vocabulary."""
import json

import ckanapi
import pytest

from catalog.ckan import PublishError, _code_for_status, _validation_error
from catalog.ckan_package import (
    PortalProfile,
    content_hash,
    extras_dict,
    licence_id,
    organization_name,
    package_from_dataset,
    package_name,
)
from inventory import vocabularies as vocab


@pytest.fixture
def entry(make):
    org = make.org(code="MESRS", name_ar="وزارة التعليم العالي", name_fr="Ministère de l'Enseignement")
    return make.dataset(org, status="approved", keywords_ar=["طلبة", "x"],
                        keywords_fr=["étudiants", "Étudiants", "a/b c"], hvd_category="STATISTICS",
                        legal_basis="https://legislation.tn/decret-2021-3\nLoi organique 2016-22",
                        documentation_url="https://doc.example.org")


def test_name_is_org_code_and_short_uuid_lowercase_never_the_title(entry):
    name = package_name(entry)
    assert name == "mesrs-" + entry.uuid.replace("-", "")[:8]
    entry.title_fr = "Autre titre"
    assert package_name(entry) == name
    entry.ckan_name = "adopted-name"
    assert package_name(entry) == "adopted-name"  # never renamed


def test_organization_names_are_ascii(make):
    assert organization_name(make.org(code="MI")) == "mi"
    assert organization_name(make.org(code="X")) == "org-x"


def test_mapping_uses_dcat_field_names_and_vocabulary_uris(entry):
    pkg = package_from_dataset(entry, PortalProfile(default_locale="ar"), "https://inv.example")
    extras = extras_dict(pkg)
    assert pkg["title"] == entry.title_ar and pkg["notes"] == entry.description_ar
    assert pkg["owner_org"] == "mesrs" and pkg["license_id"] == "other-open"
    assert extras["identifier"] == f"https://inv.example/datasets/{entry.uuid}"
    assert json.loads(extras["theme"]) == [vocab.themes()["EDUC"].uri]
    assert extras["access_rights"] == vocab.access_rights()["PUBLIC"].uri
    assert extras["frequency"] == vocab.frequencies()["ANNUAL"].uri
    assert json.loads(extras["language"]) == [vocab.languages()["ar"].uri,
                                              vocab.languages()["fr"].uri]
    assert extras["spatial_uri"] == vocab.TN_URI
    assert (extras["temporal_start"], extras["temporal_end"]) == ("2020-01-01", "2024-12-31")
    assert extras["contact_email"] == "opendata@example.org"
    assert json.loads(extras["hvd_category"]) == [vocab.hvd_categories()["STATISTICS"].uri]
    assert json.loads(extras["applicable_legislation"]) == [
        "https://legislation.tn/decret-2021-3", f"{extras['identifier']}#legal-basis-2"]
    assert extras["publisher_uri"] == "https://inv.example/organizations/MESRS"
    assert extras["title_ar"] == entry.title_ar and extras["title_fr"] == entry.title_fr
    assert "title_en" not in extras  # empty values are not sent
    assert [t["name"] for t in pkg["tags"]] == ["طلبة", "étudiants", "a b c"]
    [res] = pkg["resources"]
    assert res["mimetype"] == "text/csv" and res["size"] == 1024 and res["format"] == "CSV"
    text = json.dumps(pkg, ensure_ascii=False)
    for private in ("Direction des statistiques", "owner_unit", "priority", "personal_data"):
        assert private not in text


def test_fluent_portal_gets_translated_fields(entry):
    pkg = package_from_dataset(entry, PortalProfile(default_locale="fr", fluent=True,
                                                    dataset_fields=frozenset({"theme"})))
    assert pkg["title"] == entry.title_fr
    assert pkg["title_translated"] == {"ar": entry.title_ar, "fr": entry.title_fr}
    assert pkg["notes_translated"]["ar"] == entry.description_ar
    assert "title_ar" not in extras_dict(pkg) and "tags_translated" not in pkg
    # A plain-text scheming field at the root: the list as JSON text, as in an extra.
    assert pkg["theme"] == json.dumps([vocab.themes()["EDUC"].uri])
    assert "theme" not in extras_dict(pkg)


# The shape of the local test portal (scripts/ckan-services.sh): ckanext-dcat's multilingual
# schema completed with its DCAT-AP fields.
SCHEMING_PORTAL = PortalProfile(
    default_locale="en", fluent=True,
    dataset_fields=frozenset({"title_translated", "notes_translated", "tags_translated",
                              "identifier", "theme", "access_rights", "frequency", "language",
                              "documentation", "applicable_legislation", "contact",
                              "publisher", "temporal_coverage", "spatial_coverage"}),
    list_fields=frozenset({"theme", "language", "documentation", "applicable_legislation"}),
    composite_fields=frozenset({"contact", "publisher", "temporal_coverage",
                                "spatial_coverage"}))


def test_scheming_portal_gets_schema_fields_at_the_root_in_their_shapes(entry):
    entry.title_en = "Enrolled students"
    pkg = package_from_dataset(entry, SCHEMING_PORTAL, "https://inv.example")
    assert pkg["title"] == "Enrolled students"
    assert pkg["title_translated"] == {"ar": entry.title_ar, "fr": entry.title_fr,
                                       "en": "Enrolled students"}
    assert pkg["tags_translated"] == {"ar": ["طلبة"], "fr": ["étudiants", "a b c"]}
    # Repeating-text fields take real lists (scheming_multiple_text would wrap JSON text).
    assert pkg["theme"] == [vocab.themes()["EDUC"].uri]
    assert pkg["language"] == [vocab.languages()["ar"].uri, vocab.languages()["fr"].uri]
    assert pkg["documentation"] == ["https://doc.example.org"]
    assert pkg["access_rights"] == vocab.access_rights()["PUBLIC"].uri
    assert pkg["identifier"] == f"https://inv.example/datasets/{entry.uuid}"
    assert pkg["contact"] == [{"name": "Cellule open data", "email": "opendata@example.org"}]
    assert pkg["temporal_coverage"] == [{"start": "2020-01-01", "end": "2024-12-31"}]
    assert pkg["spatial_coverage"] == [{"uri": vocab.TN_URI,
                                        "text": vocab.governorates()["TN"].labels["fr"]}]
    assert pkg["publisher"] == [{"name": "Ministère de l'Enseignement",
                                 "uri": "https://inv.example/organizations/MESRS"}]
    # What the schema lacks stays an extra; nothing is sent twice.
    extras = extras_dict(pkg)
    assert set(extras) == {"inventory_reference", "hvd_category"}
    assert json.loads(extras["hvd_category"]) == [vocab.hvd_categories()["STATISTICS"].uri]


def test_a_scheming_package_reads_back_into_the_same_entry_fields(entry):
    from catalog.reconcile import diff_packages, fields_from_package
    plain = fields_from_package(package_from_dataset(entry, PortalProfile()))
    scheming = fields_from_package(package_from_dataset(entry, SCHEMING_PORTAL))
    assert scheming == plain
    assert scheming["themes"] == ["EDUC"] and scheming["spatial"] == ["TN"]
    assert scheming["contact_email"] == "opendata@example.org"
    assert scheming["keywords_fr"] == ["étudiants", "a b c"]

    ours = package_from_dataset(entry, SCHEMING_PORTAL)
    theirs = json.loads(json.dumps(ours))
    theirs["title"] = "derived by the portal"  # fluent recomputes it: not a difference
    theirs["contact"][0]["uri"] = ""  # a subfield nobody filled
    assert diff_packages(ours, theirs) == []
    theirs["title_translated"]["fr"] = "Edited on the portal"
    theirs["theme"] = []
    assert [d.field for d in diff_packages(ours, theirs)] == ["theme", "title_translated"]


def test_list_fields_are_recognised_in_a_scheming_schema():
    from catalog.ckan import _is_list_field
    assert _is_list_field({"field_name": "theme", "preset": "multiple_text"})
    assert _is_list_field({"field_name": "x", "validators": "ignore_missing scheming_multiple_text"})
    assert not _is_list_field({"field_name": "access_rights",
                               "validators": "ignore_missing unicode_safe"})


def test_hash_is_stable_and_follows_content(entry):
    first = content_hash(package_from_dataset(entry))
    assert content_hash(package_from_dataset(entry)) == first
    entry.description_fr = "Autre description."
    assert content_hash(package_from_dataset(entry)) != first


def test_licence_follows_the_portal_register():
    assert licence_id("CC-BY-4.0", PortalProfile()) == "cc-by"
    portal = PortalProfile(licence_ids=frozenset({"CC-BY-4.0-local"}),
                           licence_by_url={"http://creativecommons.org/licenses/by/4.0":
                                           "CC-BY-4.0-local"})
    assert licence_id("CC-BY-4.0", portal) == "CC-BY-4.0-local"
    assert licence_id(None, portal) == ""


@pytest.mark.parametrize("status, code, retryable", [
    (409, "conflict", True), (429, "rate_limited", True), (500, "server_error", True),
    (503, "server_error", True), (403, "unauthorized", False), (404, "not_found", False),
    (302, "unexpected", False)])
def test_http_statuses_map_to_one_vocabulary(status, code, retryable):
    assert _code_for_status(status) == code
    assert PublishError(code).retryable is retryable


def test_validation_errors_keep_their_fields():
    err = _validation_error(ckanapi.ValidationError(
        {"__type": "Validation Error", "name": ["That URL is already in use."]}))
    assert err.code == "name_taken" and err.field_errors == {"name": ["That URL is already in use."]}
    err = _validation_error(ckanapi.ValidationError(
        {"__type": "Validation Error", "resources": [{}, {"url": ["Missing value"]}]}))
    assert err.code == "validation" and not err.retryable and "resources" in err.field_errors


def test_the_compared_dcat_field_names_are_the_mapped_ones(entry):
    from catalog.ckan_package import DCAT_FIELD_NAMES, _dcat_fields
    assert set(_dcat_fields(entry, "https://inv.example")) == set(DCAT_FIELD_NAMES)
