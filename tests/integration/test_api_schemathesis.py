"""Schemathesis against /api/v1/openapi.json on the running test app, with a valid token.

Every operation of the document gets generated requests, valid and invalid, over real HTTP
(the `live_server` fixture); schemathesis checks that none answers 5xx, that statuses,
headers, content types and bodies match the document, that invalid data is rejected and
valid data accepted. Valid requests are pointed
at real entries (of the token's organization and of another one) so that reads, changes and
workflow actions really run instead of all answering 404. A successful PATCH must return
every value it was sent (nothing silently dropped).
"""
import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.meta import ParameterLocation
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from inventory.extensions import db
from inventory.models import Campaign, Dataset
from tests.conftest import bearer, restricted_fields

MAX_EXAMPLES = 40  # per operation, valid and invalid requests: about a minute per database


@pytest.fixture
def api_world(app, make):
    """An officer of ORGA with a token, entries of ORGA in several states, one of ORGB."""
    limit = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "100000/minute"  # the run is not about the limiter
    org_a, org_b = make.org("ORGA"), make.org("ORGB")
    officer = make.user("officer", orgs=[org_a])
    campaign = Campaign(name_fr="Campagne", active=True)
    db.session.add(campaign)
    db.session.commit()
    entries = [make.dataset(org_a, officer, status=status).uuid
               for status in ("draft", "submitted", "approved", "changes_requested")]
    entries.append(make.dataset(org_a, officer, complete=False).uuid)
    entries.append(make.dataset(org_a, officer, **restricted_fields()).uuid)
    entries.append(make.dataset(org_b, officer).uuid)  # invisible to the officer
    yield {"token": make.token(officer), "entries": itertools.cycle(entries),
           "campaign": campaign.id}
    app.config["API_RATE_LIMIT"] = limit


def _document():
    """The OpenAPI document as the app builds it (it depends on configuration, not on data).
    Loaded at import because schemathesis' pytest integration generates one test per
    operation at collection time (its fixture-based loader does not run on pytest 9);
    `test_served_document_is_the_tested_one` checks that the running app serves this same
    document."""
    from inventory import create_app
    from inventory.api.openapi import openapi_document
    from inventory.config import TestConfig
    with create_app(TestConfig).test_request_context("/"):
        return openapi_document()


DOCUMENT = _document()
# The coverage phase (every boundary of every field, unbounded by max_examples) takes
# minutes on these bodies; tests/unit/test_api_schema.py walks those boundaries through the
# validator and the published schemas in-process instead.
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(
    {"phases": {"coverage": {"enabled": False}}}))


def test_served_document_is_the_tested_one(live_server):
    import requests
    served = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=10).json()
    served["servers"] = DOCUMENT["servers"]
    assert served == DOCUMENT


def _aim_at_real_data(case, world):
    """Valid cases only (an invalid one must stay invalid): use a real entry, one of the
    token's organizations, an open campaign and the current version."""
    if not case.meta.generation.mode.is_positive:
        return
    if "uuid" in (case.path_parameters or {}):
        case.path_parameters["uuid"] = next(world["entries"])
    if isinstance(case.body, dict):
        if "organization" in case.body:
            case.body["organization"] = "ORGA"
        if case.body.get("campaign_id") is not None:
            case.body["campaign_id"] = world["campaign"]
        if "version" in case.body and "uuid" in (case.path_parameters or {}):
            db.session.expire_all()
            current = db.session.scalar(db.select(Dataset.version).where(
                Dataset.uuid == case.path_parameters["uuid"]))
            case.body["version"] = current or 1
            if case.headers and "If-Match" in case.headers:
                case.headers["If-Match"] = f'"{current or 1}"'


def _negated(case, location):
    component = case.meta.components.get(location) if case.meta else None
    return component is not None and component.mode.is_negative


def _nothing_lost(case, response):
    """A saved PATCH or POST returns every value sent (distributions compared by member)."""
    if (case.method, response.status_code) not in (("PATCH", 200), ("POST", 201)):
        return
    body = response.json()
    for key, sent in case.body.items():
        if key == "version" or (key, sent) == ("license_code", None):  # None: the default
            continue
        if key == "organization":
            assert body[key] == sent.upper()
            continue
        if key == "themes":  # a set: returned in code order
            assert sorted(body[key]) == sorted(sent), key
        elif key == "distributions":
            for sent_item, got in zip(sent, body["distributions"], strict=True):
                for member, value in sent_item.items():
                    assert got[member] == value, (key, member)
        else:
            assert body[key] == sent, key


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_openapi_document(case, api_world, live_server):
    _aim_at_real_data(case, api_world)
    # Requests without or with a wrong token are covered case by case in test_api_tokens.py;
    # repeating them for every generated case would double the run for nothing.
    excluded = [ignored_auth]
    if "/datasets/{uuid}/" in case.path:
        # Workflow actions answer 422 to valid requests when the entry breaks a submission
        # rule or a comment is missing: documented, and checked by status_code_conformance.
        excluded.append(positive_data_acceptance)
    # The token goes with every request, except those generated without valid headers (an
    # absent Authorization among them): adding it would make them valid behind the check's
    # back, while without it they must be, and are, refused (401).
    headers = None if _negated(case, ParameterLocation.HEADER) else bearer(api_world["token"])
    response = case.call_and_validate(base_url=live_server.url, headers=headers,
                                      excluded_checks=excluded)
    _nothing_lost(case, response)


def test_the_checks_would_catch_a_server_error(api_world, live_server, monkeypatch):
    """Guard against a vacuous run: a view failing with 500 is reported by the same checks."""
    import inventory.api.views as views
    monkeypatch.setattr(views, "dataset_json", lambda *a: 1 / 0)
    operation = schema["/api/v1/datasets/{uuid}"]["GET"]
    case = operation.Case(path_parameters={"uuid": next(api_world["entries"])})
    with pytest.raises(FailureGroup, match="Server error"):
        case.call_and_validate(base_url=live_server.url, headers=bearer(api_world["token"]),
                               checks=[not_a_server_error])
