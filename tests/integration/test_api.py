"""The JSON API's behaviour: list/read/create/patch, workflow actions under the same rules as
the UI, optimistic locking, bad input, translated errors, and the audit trail."""
import json
import threading

import pytest
import requests
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import AuditLog, Campaign, Dataset, ReviewEvent
from tests.conftest import bearer, complete_fields


@pytest.fixture
def world(make):
    """Two organizations; an officer and a reviewer of A, an officer of B, with tokens."""
    org_a, org_b = make.org("ORGA"), make.org("ORGB")
    officer = make.user("officer", orgs=[org_a])
    reviewer = make.user("reviewer", orgs=[org_a])
    officer_b = make.user("officer", orgs=[org_b])
    return {
        "org_a": org_a, "org_b": org_b, "officer": officer, "reviewer": reviewer,
        "officer_b": officer_b, "t_officer": make.token(officer),
        "t_reviewer": make.token(reviewer), "t_officer_b": make.token(officer_b),
    }


def api_audit(action, uuid):
    return db.session.scalars(sa.select(AuditLog).where(
        AuditLog.action == action, AuditLog.object_id == uuid)).all()


# --------------------------------------------------------------------------- list

def test_list_filters_sorts_pages_like_the_ui(client, make, world):
    officer = world["officer"]
    titles = ["إحصائيات الولادة", "Budget de l'État", "Qualité de l'air", "Effectifs"]
    made = [make.dataset(world["org_a"], officer, title_ar=t if i == 0 else "",
                         title_fr=t if i else "", themes=["ENVI"] if i == 2 else ["EDUC"])
            for i, t in enumerate(titles)]
    make.dataset(world["org_b"], world["officer_b"], title_fr="Secret de B")
    headers = bearer(world["t_officer"])

    everything = client.get("/api/v1/datasets", headers=headers).json
    assert everything["total"] == 4  # never org B's entry
    assert {d["organization"] for d in everything["items"]} == {"ORGA"}

    # Arabic-aware search: hamza and ta marbuta variants find the same entry.
    found = client.get("/api/v1/datasets?q=احصائيات الولاده", headers=headers).json
    assert [d["uuid"] for d in found["items"]] == [made[0].uuid]
    assert client.get("/api/v1/datasets?theme=ENVI", headers=headers).json["total"] == 1
    assert client.get("/api/v1/datasets?organization=orgb", headers=headers).json["total"] == 0
    assert client.get("/api/v1/datasets?organization=NOPE", headers=headers).json["total"] == 0
    assert client.get("/api/v1/datasets?status=submitted", headers=headers).json["total"] == 0

    by_reference = client.get("/api/v1/datasets?sort=reference&per_page=3", headers=headers).json
    assert [d["reference"] for d in by_reference["items"]] == ["ORGA-0001", "ORGA-0002",
                                                              "ORGA-0003"]
    assert (by_reference["page"], by_reference["pages"], by_reference["per_page"]) == (1, 2, 3)
    assert by_reference["links"]["prev"] is None
    second = client.get(by_reference["links"]["next"], headers=headers).json
    assert [d["reference"] for d in second["items"]] == ["ORGA-0004"]
    assert second["links"]["next"] is None and "sort=reference" in second["links"]["self"]


def test_list_rejects_bad_parameters_with_their_names(client, world):
    headers = bearer(world["t_officer"])
    response = client.get("/api/v1/datasets?per_page=101&status=nope&colour=red&page=0&page=2",
                          headers=headers)
    assert response.status_code == 400
    errors = {(e["in"], e["path"], e["code"]) for e in response.json["error"]["errors"]}
    assert errors == {("query", "per_page", "out_of_range"), ("query", "status/0",
                                                              "invalid_choice"),
                      ("query", "colour", "unknown_parameter"), ("query", "page", "repeated")}


# --------------------------------------------------------------------------- read

def test_read_gives_the_entry_with_its_version_as_etag(client, make, world):
    dataset = make.dataset(world["org_a"], world["officer"])
    response = client.get(f"/api/v1/datasets/{dataset.uuid}", headers=bearer(world["t_officer"]))
    assert response.status_code == 200
    body = response.json
    assert response.headers["ETag"] == f'"{dataset.version}"' and body["version"] == dataset.version
    assert body["title_fr"] == dataset.title_fr and body["themes"] == ["EDUC"]
    assert body["distributions"][0]["media_type"] == "text/csv"
    assert body["temporal_start"] == "2020-01-01"
    assert body["permissions"] == {"edit": True, "actions": ["submit", "archive"]}
    assert body["links"]["html"].endswith(f"/datasets/{dataset.uuid}")
    assert response.headers["Cache-Control"] == "no-store"


def test_other_organizations_entries_are_indistinguishable_from_unknown_ones(client, make,
                                                                            world):
    """404 for another organization's entry, with the very same body as an unknown UUID."""
    other = make.dataset(world["org_b"], world["officer_b"])
    headers = bearer(world["t_officer"])
    answers = [client.get(f"/api/v1/datasets/{other.uuid}", headers=headers),
               client.get("/api/v1/datasets/00000000-0000-4000-8000-000000000000",
                          headers=headers),
               client.get("/api/v1/datasets/not-a-uuid", headers=headers)]
    assert {r.status_code for r in answers} == {404}
    assert len({json.dumps(r.json, sort_keys=True) for r in answers}) == 1
    for method, suffix in (("patch", ""), ("post", "/submit"), ("post", "/approve")):
        response = getattr(client, method)(f"/api/v1/datasets/{other.uuid}{suffix}",
                                          headers=headers, json={"version": other.version})
        assert response.status_code == 404
    db.session.refresh(other)
    assert other.status == "draft"


# --------------------------------------------------------------------------- create

def test_create_makes_a_draft_of_ones_organization_and_audits_it(client, world):
    response = client.post("/api/v1/datasets", headers=bearer(world["t_officer"]), json={
        "organization": "orga", "title_fr": "Registre des écoles", "themes": ["EDUC"],
        "distributions": [{"title": "CSV", "format": "CSV",
                           "access_url": "https://data.example.org/ecoles"}]})
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"] == body["links"]["self"]
    assert (body["status"], body["organization"], body["reference"]) == ("draft", "ORGA",
                                                                          "ORGA-0001")
    assert body["license_code"] == "TN-OPEN"  # the same defaults as the UI
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.uuid == body["uuid"]))
    assert dataset.created_by_id == world["officer"].id
    assert dataset.distributions[0].media_type == "text/csv"
    [audit] = api_audit("dataset.create", body["uuid"])
    assert (audit.channel, audit.actor_id) == ("api", world["officer"].id)


@pytest.mark.parametrize("who, organization", [("t_officer", "ORGB"), ("t_reviewer", "ORGA"),
                                               ("t_officer", "UNKNOWN")])
def test_create_elsewhere_is_forbidden(client, world, who, organization):
    response = client.post("/api/v1/datasets", headers=bearer(world[who]),
                           json={"organization": organization, "title_fr": "x"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert db.session.scalar(sa.select(sa.func.count(Dataset.id))) == 0


def test_create_checks_the_campaign(client, world):
    closed = Campaign(name_fr="Close", active=False)
    db.session.add(closed)
    db.session.commit()
    response = client.post("/api/v1/datasets", headers=bearer(world["t_officer"]),
                           json={"organization": "ORGA", "campaign_id": closed.id})
    assert response.status_code == 422
    assert response.json["error"]["errors"][0]["path"] == "campaign_id"


# --------------------------------------------------------------------------- patch

def test_patch_changes_only_what_is_sent(client, make, world):
    dataset = make.dataset(world["org_a"], world["officer"])
    version, description = dataset.version, dataset.description_fr
    response = client.patch(f"/api/v1/datasets/{dataset.uuid}", headers=bearer(
        world["t_officer"]), json={"version": version, "title_fr": "Nouveau titre",
                                   "frequency": None, "keywords_fr": ["a", "b"],
                                   "distributions": [{"format": "JSON"}]})
    assert response.status_code == 200, response.json
    body = response.json
    db.session.refresh(dataset)
    assert body["version"] == dataset.version > version
    assert response.headers["ETag"] == f'"{dataset.version}"'
    assert (body["title_fr"], body["description_fr"]) == ("Nouveau titre", description)
    assert body["frequency"] is None and body["keywords_fr"] == ["a", "b"]
    # distributions are replaced whole: members left out are empty, not kept from before
    assert body["distributions"] == [{
        "title": "", "description": "", "access_url": "", "download_url": "", "format": "JSON",
        "byte_size": None, "license_code": None, "availability": None,
        "media_type": "application/json"}]
    [audit] = api_audit("dataset.update", dataset.uuid)
    assert audit.channel == "api"
    assert set(audit.details["fields"]) >= {"title_fr", "frequency", "keywords_fr",
                                            "distributions"}


def test_patch_needs_the_version_and_refuses_a_stale_one(client, make, world):
    dataset = make.dataset(world["org_a"], world["officer"])
    url, headers = f"/api/v1/datasets/{dataset.uuid}", bearer(world["t_officer"])
    version = dataset.version

    missing = client.patch(url, headers=headers, json={"title_fr": "x"})
    assert missing.status_code == 422
    assert missing.json["error"]["errors"][0]["path"] == "version"

    first = client.patch(url, headers=headers, json={"version": version, "title_fr": "first"})
    assert first.status_code == 200
    current = first.json["version"]
    stale = client.patch(url, headers=headers, json={"version": version, "title_fr": "second"})
    assert stale.status_code == 409
    assert stale.json["error"]["current_version"] == current
    assert stale.json["error"]["code"] == "version_conflict"
    assert stale.json["error"]["changed_fields"] == ["title_fr"]  # what to merge

    wrong_etag = client.patch(url, headers={**headers, "If-Match": f'"{version}"'},
                              json={"version": current, "title_fr": "third"})
    assert wrong_etag.status_code == 409
    ok = client.patch(url, headers={**headers, "If-Match": first.headers["ETag"]},
                      json={"version": current, "title_fr": "third"})
    assert ok.status_code == 200 and ok.json["title_fr"] == "third"
    db.session.refresh(dataset)
    assert dataset.title_fr == "third"  # "second" was refused, not silently merged


def test_a_writer_that_slips_in_between_check_and_save_gets_409(client, make, world,
                                                                monkeypatch):
    """The version check passed, then another writer committed before our UPDATE: the
    database's version condition catches it (StaleDataError) and the API answers 409."""
    import inventory.api.views as views
    dataset = make.dataset(world["org_a"], world["officer"])
    version, real_save = dataset.version, views.save_entry

    def save_after_another_writer(ds, *args, **kwargs):
        with db.engine.begin() as conn:  # a second connection: another request, committed
            conn.execute(sa.update(Dataset).where(Dataset.id == ds.id).values(
                title_fr="the other writer", version=Dataset.version + 1))
        return real_save(ds, *args, **kwargs)

    monkeypatch.setattr(views, "save_entry", save_after_another_writer)
    response = client.patch(f"/api/v1/datasets/{dataset.uuid}",
                            headers=bearer(world["t_officer"]),
                            json={"version": version, "title_fr": "ours"})
    assert response.status_code == 409
    assert response.json["error"]["current_version"] == version + 1
    db.session.expire_all()
    assert db.session.get(Dataset, dataset.id).title_fr == "the other writer"


def test_concurrent_patches_one_wins_the_others_get_409(make, world, live_server):
    """Real concurrent requests over HTTP with the same version: exactly one is saved."""
    dataset = make.dataset(world["org_a"], world["officer"])
    url = f"{live_server.url}/api/v1/datasets/{dataset.uuid}"
    version, results, barrier = dataset.version, [], threading.Barrier(6)

    def writer(n):
        barrier.wait()
        response = requests.patch(url, headers=bearer(world["t_officer"]), timeout=60,
                                  json={"version": version, "title_fr": f"writer {n}"})
        results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(code for code, _ in results)
    assert statuses == [200] + [409] * 5, results
    winner = next(body for code, body in results if code == 200)
    db.session.expire_all()
    saved = db.session.get(Dataset, dataset.id)
    assert (saved.title_fr, saved.version) == (winner["title_fr"], winner["version"])
    assert {body["error"]["current_version"] for code, body in results if code == 409} == \
        {saved.version}


def test_patch_respects_the_edit_permission(client, make, world):
    submitted = make.dataset(world["org_a"], world["officer"], status="submitted")
    for who in ("t_officer", "t_reviewer"):
        response = client.patch(f"/api/v1/datasets/{submitted.uuid}", headers=bearer(world[who]),
                                json={"version": submitted.version, "title_fr": "x"})
        assert response.status_code == 403
    draft = make.dataset(world["org_a"], world["officer"])
    response = client.patch(f"/api/v1/datasets/{draft.uuid}", headers=bearer(world["t_reviewer"]),
                            json={"version": draft.version, "title_fr": "x"})
    assert response.status_code == 403


# --------------------------------------------------------------------------- workflow

def test_submit_reports_every_missing_rule_by_field_path(client, make, world):
    dataset = make.dataset(world["org_a"], world["officer"], access_rights=None,
                           distributions=[{"title": "no address", "format": "CSV"}])
    response = client.post(f"/api/v1/datasets/{dataset.uuid}/submit",
                           headers=bearer(world["t_officer"]))
    assert response.status_code == 422
    errors = {(e["in"], e["path"]): e for e in response.json["error"]["errors"]}
    assert ("entry", "access_rights") in errors
    assert errors[("entry", "distributions/0/access_url")]["label"] == \
        "Distribution 1: Access address"
    db.session.refresh(dataset)
    assert dataset.status == "draft" and not api_audit("dataset.submit", dataset.uuid)


def test_workflow_through_the_api_follows_the_ui_rules(client, make, world):
    dataset = make.dataset(world["org_a"], world["officer"])
    url = f"/api/v1/datasets/{dataset.uuid}"
    officer, reviewer = bearer(world["t_officer"]), bearer(world["t_reviewer"])

    assert client.post(f"{url}/approve", headers=reviewer).status_code == 409  # a draft
    submitted = client.post(f"{url}/submit", headers=officer, json={"comment": "ready"})
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    assert submitted.json["permissions"]["actions"] == []
    assert client.post(f"{url}/approve", headers=officer).status_code == 403  # not a reviewer
    no_comment = client.post(f"{url}/request_changes", headers=reviewer, json={})
    assert no_comment.status_code == 422
    assert no_comment.json["error"]["errors"][0]["path"] == "comment"
    sent_back = client.post(f"{url}/request_changes", headers=reviewer,
                            json={"field_comments": {"title_fr": "Plus précis"}})
    assert sent_back.status_code == 200 and sent_back.json["status"] == "changes_requested"
    resubmitted = client.post(f"{url}/submit", headers=officer)
    approved = client.post(f"{url}/approve", headers=reviewer,
                           json={"version": resubmitted.json["version"]})
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    assert client.post(f"{url}/withdraw", headers=reviewer).status_code == 422  # no reason

    events = db.session.scalars(sa.select(ReviewEvent).where(
        ReviewEvent.dataset_id == dataset.id).order_by(ReviewEvent.id)).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("submit", world["officer"].id), ("request_changes", world["reviewer"].id),
        ("submit", world["officer"].id), ("approve", world["reviewer"].id)]
    assert events[1].field_comments == {"title_fr": "Plus précis"}
    audits = db.session.scalars(sa.select(AuditLog).where(
        AuditLog.object_id == dataset.uuid, AuditLog.action.like("dataset.%"))).all()
    assert {a.action for a in audits} >= {"dataset.submit", "dataset.request_changes",
                                          "dataset.approve"}
    assert {a.channel for a in audits if a.action != "dataset.create"} == {"api"}


def test_a_transition_with_a_stale_version_is_refused(client, make, world):
    dataset = make.dataset(world["org_a"], world["officer"])
    response = client.post(f"/api/v1/datasets/{dataset.uuid}/submit",
                           headers=bearer(world["t_officer"], **{"If-Match": '"999"'}))
    assert response.status_code == 409
    db.session.refresh(dataset)
    assert dataset.status == "draft"


def test_every_api_write_leaves_one_audit_row(client, make, world):
    """Create, change and every workflow action, by an administrator's token."""
    admin = make.user("admin")
    secret = make.token(admin)
    headers = bearer(secret)
    created = client.post("/api/v1/datasets", headers=headers, json={
        "organization": "ORGA", "title_fr": "Audit"}).json
    url = f"/api/v1/datasets/{created['uuid']}"
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.uuid == created["uuid"]))
    body = json.loads(json.dumps({"version": created["version"], **complete_fields()},
                                 default=str))
    writes = [("patch", "", body)]
    writes += [("post", f"/{action}", {"comment": "because"}) for action in (
        "submit", "request_changes", "submit", "approve", "withdraw", "reopen", "archive",
        "restore")]
    for method, suffix, payload in writes:
        response = getattr(client, method)(url + suffix, headers=headers, json=payload)
        assert response.status_code == 200, (suffix, response.json)
    rows = db.session.scalars(sa.select(AuditLog).where(AuditLog.object_id == dataset.uuid)
                              .order_by(AuditLog.id)).all()
    assert [r.action for r in rows] == [
        "dataset.create", "dataset.update", "dataset.submit", "dataset.request_changes",
        "dataset.submit", "dataset.approve", "dataset.withdraw", "dataset.reopen",
        "dataset.archive", "dataset.restore"]
    assert {(r.channel, r.actor_id, r.details["api_token"]) for r in rows} == \
        {("api", admin.id, secret[:12])}


def test_the_list_makes_the_same_queries_for_3_or_30_entries(client, make, world,
                                                             count_queries):
    """No query per entry (themes, distributions, organization are loaded per page)."""
    headers = bearer(world["t_officer"])

    def one_page():
        db.session.expire_all()  # nothing cached from the factory
        response, queries = count_queries(
            lambda: client.get("/api/v1/datasets?per_page=100", headers=headers))
        assert response.status_code == 200
        return len(response.json["items"]), queries

    client.get("/api/v1/me", headers=headers)  # the token's first use is noted once
    for _ in range(3):
        make.dataset(world["org_a"], world["officer"])
    few, few_queries = one_page()
    for _ in range(27):
        make.dataset(world["org_a"], world["officer"])
    many, many_queries = one_page()
    assert (few, many) == (3, 30)
    assert many_queries == few_queries


# --------------------------------------------------------------------------- bad input

BAD_BODIES = [
    ("{not json", "application/json", 400, "malformed_json"),
    ('{"title_fr": "a", "title_fr": "b", "version": 1}', "application/json", 400,
     "malformed_json"),
    ('{"version": NaN}', "application/json", 400, "malformed_json"),
    ("[" * 100000 + "]" * 100000, "application/json", 400, "malformed_json"),
    (b'{"title_fr": "\xff\xfe"}', "application/json", 400, "malformed_json"),
    ("", "application/json", 400, "empty_body"),
    ("title_fr=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ('{"title_fr": "x"}', "text/plain", 415, "unsupported_media_type"),
    ('{"demand": ' + "9" * 5000 + "}", "application/json", 400, "malformed_json"),
    ("[1, 2]", "application/json", 422, "validation_failed"),
    ("null", "application/json", 422, "validation_failed"),
]


@pytest.mark.parametrize("data, content_type, status, code", BAD_BODIES)
def test_bad_bodies_get_a_clear_json_error_and_change_nothing(client, make, world, data,
                                                              content_type, status, code):
    dataset = make.dataset(world["org_a"], world["officer"])
    before = (dataset.version, dataset.title_fr)
    for url in (f"/api/v1/datasets/{dataset.uuid}", "/api/v1/datasets"):
        method = client.patch if url.endswith(dataset.uuid) else client.post
        response = method(url, headers=bearer(world["t_officer"]), data=data,
                          content_type=content_type)
        assert response.status_code == status, response.data[:300]
        assert response.is_json and response.json["error"]["code"] == code
        assert response.json["error"]["message"]
    db.session.refresh(dataset)
    assert (dataset.version, dataset.title_fr) == before
    assert db.session.scalar(sa.select(sa.func.count(Dataset.id))) == 1


def test_wrong_types_and_unknown_fields_are_all_reported(client, make, world):
    dataset = make.dataset(world["org_a"], world["officer"])
    response = client.patch(f"/api/v1/datasets/{dataset.uuid}", headers=bearer(
        world["t_officer"]), json={"version": "1", "demand": 7, "spatial": ["TN-99"],
                                   "title_ar": "\x00", "colour": "red",
                                   "distributions": [{"access_url": 5}]})
    assert response.status_code == 422
    paths = {e["path"]: e["code"] for e in response.json["error"]["errors"]}
    assert paths == {"version": "type", "demand": "out_of_range", "spatial/0": "invalid_choice",
                     "title_ar": "invalid_character", "colour": "unknown_field",
                     "distributions/0/access_url": "type"}


def test_a_huge_body_gets_413_json_and_nothing_is_read(app, client, make, world):
    dataset = make.dataset(world["org_a"], world["officer"])
    huge = json.dumps({"version": dataset.version, "description_fr": "x" *
                       (app.config["API_MAX_BODY_BYTES"] + 10)})
    response = client.patch(f"/api/v1/datasets/{dataset.uuid}", data=huge,
                            content_type="application/json", headers=bearer(world["t_officer"]))
    assert response.status_code == 413
    assert response.json["error"]["code"] == "body_too_large"
    assert str(app.config["API_MAX_BODY_BYTES"]) in response.json["error"]["message"]


def test_a_huge_chunked_body_gets_413_too(app, make, world, live_server):
    """Without Content-Length (chunked), the limit still applies while reading."""
    dataset = make.dataset(world["org_a"], world["officer"])
    limit = app.config["API_MAX_BODY_BYTES"]

    def chunks():
        yield b'{"description_fr": "'
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    response = requests.patch(f"{live_server.url}/api/v1/datasets/{dataset.uuid}",
                              data=chunks(), timeout=60, headers=bearer(
                                  world["t_officer"], **{"Content-Type": "application/json"}))
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "body_too_large"


def test_unknown_urls_and_methods_answer_json(client, world):
    headers = bearer(world["t_officer"])
    missing = client.get("/api/v1/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["status"] == 404
    wrong = client.delete("/api/v1/datasets", headers=headers)
    assert wrong.status_code == 405 and set(wrong.headers["Allow"].split(", ")) >= {"GET",
                                                                                     "POST"}
    assert client.post("/api/v1/datasets/00000000-0000-4000-8000-000000000000/publish",
                       headers=headers).status_code == 404  # the job's action, not the API's


# --------------------------------------------------------------------------- languages

def test_error_messages_follow_accept_language(make, world, live_server):
    """Over real HTTP, so that each request chooses its own language as in production."""
    nbsp = "\u00a0"
    dataset = make.dataset(world["org_a"], world["officer"], access_rights=None)
    url = f"{live_server.url}/api/v1/datasets/{dataset.uuid}"

    def call(method, target, accept, **kwargs):
        headers = bearer(world["t_officer"], **{"Accept-Language": accept})
        return requests.request(method, target, headers=headers, timeout=30, **kwargs).json()

    for accept, expected in (("fr-FR,fr;q=0.9,en;q=0.5", f"Champ inconnu «{nbsp}colour{nbsp}»."),
                             ("ar", "حقل مجهول «colour»."),
                             ("en", "Unknown field “colour”.")):
        body = call("PATCH", url, accept, json={"version": 1, "colour": 1})
        assert body["error"]["errors"][0]["message"] == expected
    for accept, expected in (("fr", "Choisissez les droits d'accès."),
                             ("ar", "اختر حقوق النفاذ.")):
        problems = call("POST", f"{url}/submit", accept)["error"]["errors"]
        assert {"path": "access_rights", "message": expected}.items() <= \
            next(e for e in problems if e["path"] == "access_rights").items()
    unknown = requests.get(f"{live_server.url}/api/v1/datasets?lang=ar", timeout=30,
                           headers={"Authorization": "Bearer inv_" + "x" * 43,
                                    "Accept-Language": "fr"})
    assert unknown.status_code == 401  # ?lang= wins over Accept-Language
    assert unknown.json()["error"]["message"] == "مفتاح API هذا غير صالح."
