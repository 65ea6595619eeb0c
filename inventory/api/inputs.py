"""Reading an API request: query parameters, JSON bodies, the entry it names (visibility)
and its optimistic-lock version. Every failure is an ApiError with a clear JSON error."""
import json
import re
import uuid as uuid_lib

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l

from .. import vocabularies as vocab
from .. import workflow
from ..entries import fields_changed_since
from ..errors import ConflictError
from ..extensions import db
from ..models import Campaign, Dataset
from ..search import SORTS
from .errors import ApiError
from .kinds import INT32_MAX, ArrayOf, Code, CodeList, Integer, Problem, Text
from .schema import DISTRIBUTION_KINDS


def query_parameters(endpoint):
    """The query parameters an endpoint accepts: name -> (kind, repeatable). The OpenAPI
    document is written from the same table."""
    params = {"lang": (Code(lambda: dict.fromkeys(current_app.config["LANGUAGES"]),
                            nullable=False), False)}
    if endpoint == "api.dataset_list":
        params.update({
            "q": (Text(200), False),
            "organization": (ArrayOf(Text(20, min_length=1), 50), True),
            "status": (CodeList(lambda: vocab.STATUS_LABELS, unique=False), True),
            "theme": (CodeList(vocab.themes, unique=False), True),
            "tier": (CodeList(lambda: vocab.TIER_LABELS, unique=False), True),
            "classification": (CodeList(lambda: vocab.CLASSIFICATION_LABELS, unique=False),
                               True),
            "campaign": (Integer(1, INT32_MAX, nullable=False), False),
            "sort": (Code(lambda: dict.fromkeys(SORTS), nullable=False), False),
            "page": (Integer(1, 1_000_000, nullable=False), False),
            "per_page": (Integer(1, current_app.config["API_MAX_PER_PAGE"], nullable=False),
                         False),
        })
    return params


def read_query():
    """The request's query arguments validated against `query_parameters` (400 otherwise)."""
    params = query_parameters(request.endpoint)
    problems = [Problem(name, "unknown_parameter", _l("Unknown parameter “%(name)s”.",
                                                      name=name[:60]), "query")
                for name in request.args if name not in params]
    out = {}
    for name, (kind, repeatable) in params.items():
        values = request.args.getlist(name)
        if not values:
            continue
        if not repeatable and len(values) > 1:
            problems.append(Problem(name, "repeated", _l("Give this parameter only once."),
                                    "query"))
            continue
        value = values if repeatable else values[0]
        if isinstance(kind, Integer) and re.fullmatch(r"[0-9]{1,15}", value):
            value = int(value)
        found = []
        out[name] = kind.clean(value, name, found)
        for problem in found:
            problem.location = "query"
        problems += found
    if problems:
        raise ApiError(400, "invalid_parameters", _l("Some query parameters are not valid: "
                                                     "see `errors`."), problems)
    return out


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def read_json_body(required=True):
    """The request body as a JSON object (400 malformed, 413 too large, 415 not JSON). An
    absent body is `{}` when not `required`."""
    raw = request.get_data(cache=True)  # raises 413 when Content-Length is past the limit
    if request.max_content_length is not None and len(raw) >= request.max_content_length:
        # A chunked body is cut at the limit silently; reading on raises 413 if it was more.
        request.stream.read(1)
    if not raw:
        if required:
            raise ApiError(400, "empty_body", _l("Send the data as a JSON object in the "
                                                 "request body."))
        return {}
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not (mimetype.startswith("application/")
                                               and mimetype.endswith("+json")):
        raise ApiError(415, "unsupported_media_type", _l(
            "Send the data as JSON, with the header Content-Type: application/json."))
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates,
                          parse_constant=_reject_constant)
    except _DuplicateKey as exc:
        raise ApiError(400, "malformed_json", _l("The key “%(key)s” appears twice in the same "
                                                 "object.", key=str(exc)[:60])) from None
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise ApiError(400, "malformed_json", _l("The request body is not valid JSON (UTF-8)."
                                                 )) from None


def load_visible(dataset_uuid):
    """The entry if the token's user may see it; 404 otherwise (never 403: existence of
    another organization's entry is not revealed)."""
    try:
        key = str(uuid_lib.UUID(dataset_uuid))
    except (ValueError, TypeError):
        key = None
    dataset = key and db.session.scalar(db.select(Dataset).where(Dataset.uuid == key))
    if not dataset or not workflow.can_view(g.api_user, dataset):
        raise ApiError(404, "not_found", _l("There is no entry with this identifier that you "
                                            "can see."))
    return dataset


def check_version(dataset, version):
    """Optimistic locking: the body `version` and any If-Match header must name the current
    version, else 409 with `current_version` and the fields saved since `version`."""
    stale = version is not None and version != dataset.version
    if not stale and "If-Match" in request.headers:
        etags = request.if_match
        stale = not etags.star_tag and not etags.contains(str(dataset.version))
    if stale:
        conflict = ConflictError(current_version=dataset.version)
        changed = sorted(fields_changed_since(dataset, version)) if version else []
        raise ApiError(409, "version_conflict", conflict.message,
                       current_version=dataset.version, changed_fields=changed)


def check_campaign(data, current=None):
    """A campaign named in `data` must exist and be open (unless it is the current one)."""
    campaign_id = data.get("campaign_id")
    if campaign_id is None or campaign_id == current:
        return
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not campaign.active:
        raise ApiError(422, "validation_failed", _l("The data sent is not valid: see `errors`."),
                       [Problem("campaign_id", "invalid_choice",
                                _l("There is no open campaign with this number."))])


def split_entry_fields(data):
    """(field changes, themes or None, distributions or None) from a cleaned body. Each
    distribution is complete: a member left out is empty, not kept from before."""
    data = dict(data)
    themes = data.pop("themes", None)
    if themes is not None:
        themes = sorted(themes)  # a set, stored in code order: no change if only reordered
    distributions = data.pop("distributions", None)
    if distributions is not None:
        blank = {"title": "", "description": "", "access_url": "", "download_url": ""}
        distributions = [{key: item.get(key, blank.get(key)) for key in DISTRIBUTION_KINDS}
                         for item in distributions]
    return data, themes, distributions
