"""The CKAN edge: the only client of the portal's API (the package it sends is built by
`catalog.ckan_package`).

`CkanClient` is the only code importing ckanapi. Every failure (HTTP status, CKAN error type,
network, TLS) becomes a `PublishError` with a code from one small vocabulary; callers record it
and decide on retries from `PublishError.retryable`.
"""
import json

import ckanapi
import requests
from flask_babel import lazy_gettext as _l

from inventory.models import TEXT_LANGS, fallback_order

from .ckan_package import PortalProfile, organization_name, package_identifier

USER_AGENT = "tn-data-inventory (+ckanapi)"

# Plain words for the people reading the publication history (translated when shown).
ERROR_MESSAGES = {
    "not_configured": _l("The portal address or its access key is not configured."),
    "unauthorized": _l("The portal refused our access key, or it does not allow this action: "
                       "check the API token and its rights."),
    "not_found": _l("The portal does not know this dataset or organization."),
    "validation": _l("The portal rejected some of the metadata (see the fields below)."),
    "name_taken": _l("Another dataset on the portal already uses this entry's name. Adopt it "
                     "or ask the portal's administrators to free the name."),
    "conflict": _l("The portal reported a conflicting change."),
    "rate_limited": _l("The portal asked us to slow down."),
    "server_error": _l("The portal had an internal error."),
    "timeout": _l("The portal did not answer in time."),
    "unreachable": _l("The portal could not be reached (network or portal down)."),
    "tls": _l("The portal's security certificate could not be verified: check the CA bundle "
              "setting (CKAN_CA_BUNDLE)."),
    "unexpected": _l("The portal gave an answer we do not understand."),
    # Refusals decided before talking to the portal (catalog.publish).
    "not_publishable": _l("Only approved entries with public access and an open classification "
                          "are published."),
    "shacl": _l("The metadata do not meet DCAT-AP (see the problems below); fix the entry, "
                "then publish again."),
}
# Transient failures: worth retrying later with backoff. Everything else needs a person.
RETRYABLE = frozenset({"conflict", "rate_limited", "server_error", "timeout", "unreachable"})


class PublishError(Exception):
    """A failure at the portal edge. `code` is a key of ERROR_MESSAGES; `detail` is the
    portal's own (technical, untranslated) text; `field_errors` maps CKAN field names to
    messages for validation errors."""

    def __init__(self, code, detail="", field_errors=None, status=None):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = str(detail)[:2000]
        self.field_errors = field_errors or {}
        self.status = status

    @property
    def retryable(self):
        return self.code in RETRYABLE

    @property
    def message(self):
        return ERROR_MESSAGES.get(self.code, ERROR_MESSAGES["unexpected"])


def error_message(code):
    """Plain-words message of an error code (lazy, translated when rendered)."""
    return ERROR_MESSAGES.get(code, ERROR_MESSAGES["unexpected"]) if code else ""


# --------------------------------------------------------------------------- client

class _RemoteCKAN(ckanapi.RemoteCKAN):
    """ckanapi's client, remembering the HTTP status of the last answer (ckanapi folds
    unknown errors into one exception; the status tells a 429 from a 503)."""

    last_status = None

    def _request_fn(self, url, data, headers, files, requests_kwargs):
        r = self.session.post(url, data=data, headers=headers, files=files,
                              allow_redirects=False, **requests_kwargs)
        self.last_status = r.status_code
        return r.status_code, r.text

    def _request_fn_get(self, url, data_dict, headers, requests_kwargs):
        r = self.session.get(url, params=data_dict, headers=headers, **requests_kwargs)
        self.last_status = r.status_code
        return r.status_code, r.text


def _validation_error(err):
    errors = err.args[0] if err.args and isinstance(err.args[0], dict) else {}
    fields = {}
    for key, value in errors.items():
        if key.startswith("__"):
            continue
        if isinstance(value, dict):
            value = [f"{k}: {v}" for k, v in value.items()]
        elif not isinstance(value, list):
            value = [value]
        fields[key] = [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
                       for v in value]
    names = " ".join(fields.get("name", []))
    code = "name_taken" if "already in use" in names else "validation"
    if "already exists" in " ".join(fields.get("id", [])):
        code = "id_taken"
    return PublishError(code, detail=json.dumps(fields, ensure_ascii=False)[:2000],
                        field_errors=fields, status=409)


class CkanClient:
    """One connection to the portal. `pace`, when given, is called before every write (the
    job queue passes its rate limiter); `writes` counts the writes made (tests, bench)."""

    def __init__(self, url, token="", ca_bundle="", timeout=30.0, pace=None):
        if not url:
            raise PublishError("not_configured", "CKAN_URL is empty")
        self.url = url.rstrip("/")
        session = requests.Session()
        session.verify = ca_bundle or True  # the national portal has served incomplete chains
        self._api = _RemoteCKAN(self.url, apikey=token or None, user_agent=USER_AGENT,
                                session=session)
        self.timeout = timeout
        self.pace = pace
        self.writes = 0
        self.reads = 0
        self._profile = None
        self._organizations = set()

    @classmethod
    def from_config(cls, config, pace=None):
        """A client from the app's configuration (CKAN_URL, CKAN_API_TOKEN, CKAN_CA_BUNDLE)."""
        return cls(config.get("CKAN_URL", ""), config.get("CKAN_API_TOKEN", ""),
                   config.get("CKAN_CA_BUNDLE", ""), config.get("CKAN_TIMEOUT", 30.0), pace)

    def close(self):
        self._api.close()

    # -- calls --
    def call(self, action, write=False, **data):
        """Call an action; every failure comes out as a PublishError."""
        if write and self.pace is not None:
            self.pace()
        if write:
            self.writes += 1
        else:
            self.reads += 1
        self._api.last_status = None
        try:
            return self._api.call_action(action, data,
                                         requests_kwargs={"timeout": self.timeout})
        except ckanapi.ValidationError as exc:
            raise _validation_error(exc) from exc
        except ckanapi.NotAuthorized as exc:
            raise PublishError("unauthorized", _short(exc), status=403) from exc
        except ckanapi.NotFound as exc:
            raise PublishError("not_found", _short(exc), status=404) from exc
        except requests.exceptions.SSLError as exc:
            raise PublishError("tls", _short(exc)) from exc
        except requests.exceptions.Timeout as exc:
            raise PublishError("timeout", _short(exc)) from exc
        except requests.exceptions.ConnectionError as exc:
            raise PublishError("unreachable", _short(exc)) from exc
        except (ckanapi.CKANAPIError, ckanapi.ServerIncompatibleError,
                requests.exceptions.RequestException) as exc:
            status = self._api.last_status
            raise PublishError(_code_for_status(status), _short(exc), status=status) from exc

    # -- what the portal offers --
    def profile(self, refresh=False):
        """Default language, fluent fields and licences of the portal (read once)."""
        if self._profile is None or refresh:
            status = self.call("status_show")
            licences = self.call("license_list")
            schema_fields = (self.dataset_schema(status) or {}).get("dataset_fields", ())
            fields = frozenset(f["field_name"] for f in schema_fields)
            self._profile = PortalProfile(
                default_locale=(status.get("locale_default") or "ar").split("_")[0],
                fluent="title_translated" in fields and "notes_translated" in fields,
                dataset_fields=fields,
                list_fields=frozenset(f["field_name"] for f in schema_fields
                                      if _is_list_field(f)),
                composite_fields=frozenset(f["field_name"] for f in schema_fields
                                           if f.get("repeating_subfields")),
                licence_ids=frozenset(lic["id"] for lic in licences),
                licence_by_url={(lic.get("url") or "").rstrip("/"): lic["id"]
                                for lic in licences if lic.get("url")})
        return self._profile

    def licences(self):
        """The portal's licences: {id: title}."""
        return {lic["id"]: lic.get("title", "") for lic in self.call("license_list")}

    def dataset_schema(self, status=None):
        """The portal's ckanext-scheming dataset schema, or None when it has none."""
        status = status or self.call("status_show")
        if not any(p.startswith("scheming") for p in status.get("extensions", ())):
            return None
        try:
            return self.call("scheming_dataset_schema_show", type="dataset")
        except PublishError as exc:
            if exc.code in ("not_found", "unexpected"):
                return None
            raise

    # -- organizations --
    def organization_ensure(self, organization):
        """Make sure the body's organization exists (created with its Arabic/French names,
        revived if deleted); returns its CKAN name."""
        name = organization_name(organization)
        if name in self._organizations:
            return name
        try:
            org = self.call("organization_show", id=name, include_datasets=False)
        except PublishError as exc:
            if exc.code != "not_found":
                raise
            org = None
        if org is None:
            locale = self.profile().default_locale
            titles = {lang: getattr(organization, f"name_{lang}") for lang in TEXT_LANGS}
            title = next((titles[lang] for lang in fallback_order(locale) if titles[lang]),
                         organization.code)
            self.call("organization_create", write=True, name=name, title=title[:100],
                      description="\n\n".join(t for t in (titles["ar"], titles["fr"]) if t),
                      extras=[{"key": f"title_{lang}", "value": titles[lang]}
                              for lang in TEXT_LANGS if titles[lang]])
        elif org.get("state") == "deleted":
            self.call("organization_patch", write=True, id=org["id"], state="active")
        self._organizations.add(name)
        return name

    # -- packages --
    def package_get(self, name):
        """The package called `name` (also when deleted or private), or None."""
        try:
            return self.call("package_show", id=name)
        except PublishError as exc:
            if exc.code == "not_found":
                return None
            raise

    def upsert(self, package, organization=None, existing=None, look_up=True, package_id=None):
        """Create the package or replace it whole (complete resource lists).

        `existing` is the package we already know as ours (found by its recorded id, e.g. an
        adopted one). Otherwise the name is looked up first when `look_up`; without it a
        create is tried directly (one call instead of two for a first push) and only a
        conflict leads to a look-up. `package_id` (the entry's UUID) becomes the id of a
        created package when the token may set ids (sysadmins), so that a package whose
        creation we never recorded (a response lost in a crash) is found again by id and
        revived, never duplicated. An active package with our name that is not ours (another
        identifier) is left alone (`name_taken`)."""
        if organization is not None:
            self.organization_ensure(organization)
        known = existing is not None
        if existing is None and look_up:
            existing = self.package_get(package["name"])
        if existing is None:
            try:
                data = dict(package, id=package_id) if package_id else package
                return self.call("package_create", write=True, **data)
            except PublishError as exc:
                if exc.code not in ("name_taken", "id_taken"):
                    raise
                # Ours when it carries our id; by name, ours only with our identifier.
                known = exc.code == "id_taken"
                existing = self.package_get(package_id if known else package["name"])
                if existing is None:
                    if known:  # an id we may not read: report it as the portal said it
                        raise PublishError("validation", exc.detail, exc.field_errors,
                                           exc.status) from exc
                    raise
        ours = package_identifier(package)
        theirs = package_identifier(existing)
        if not known and existing.get("state") != "deleted" and theirs and theirs != ours:
            raise PublishError("name_taken", f"{package['name']} has identifier {theirs}",
                               field_errors={"name": [package["name"]]})
        data = dict(package, id=existing["id"], state="active")
        data["resources"] = _keep_resource_ids(package["resources"],
                                               existing.get("resources") or [])
        return self.call("package_update", write=True, **data)

    def withdraw(self, name, mode="private"):
        """Make the package private (default) or delete it; None when the portal has none."""
        existing = self.package_get(name)
        if existing is None or existing.get("state") == "deleted":
            return existing
        if mode == "delete":
            self.call("package_delete", write=True, id=existing["id"])
            existing["state"] = "deleted"
            return existing
        if existing.get("private"):
            return existing
        return self.call("package_patch", write=True, id=existing["id"], private=True)

    def organization_packages(self, org_name, page_size=500):
        """Every active package of an organization, private ones included (paged search)."""
        try:
            org = self.call("organization_show", id=org_name, include_datasets=False)
        except PublishError as exc:
            if exc.code == "not_found":
                return []
            raise
        out, start = [], 0
        while True:
            result = self.call("package_search", fq=f'owner_org:"{org["id"]}"',
                               include_private=True, rows=page_size, start=start,
                               sort="name asc")
            out.extend(result["results"])
            start += page_size
            if start >= result["count"] or not result["results"]:
                return out


def _is_list_field(field):
    """A scheming field taking a list of strings (repeating text, multiple choice)."""
    validators = str(field.get("validators", "")).split()
    return (field.get("preset") in ("multiple_text", "multiple_checkbox", "multiple_select")
            or any(v in ("scheming_multiple_text", "scheming_multiple_choice")
                   for v in validators))


def _keep_resource_ids(resources, existing):
    """Give our resources the ids the portal already has (same position), so an update
    changes them in place instead of deleting and recreating them."""
    out = []
    for i, res in enumerate(resources):
        res = dict(res)
        if i < len(existing) and existing[i].get("id"):
            res["id"] = existing[i]["id"]
        out.append(res)
    return out


def _code_for_status(status):
    if status == 409:
        return "conflict"
    if status == 429:
        return "rate_limited"
    if status is not None and status >= 500:
        return "server_error"
    if status in (401, 403):
        return "unauthorized"
    if status == 404:
        return "not_found"
    return "unexpected"


def _short(exc):
    return " ".join(str(exc).split())[:500]
