"""`fluent` for the local test CKAN: multilingual fields ({"ar": ..., "fr": ..., "en": ...})
for ckanext-scheming schemas, API side only.

Why a stand-in: the only ckanext-fluent release on PyPI (1.0.0, 2015) is Python 2 code
(`from pylons import config`, `basestring`) and fails to import on CKAN 2.12; it also lacks the
`fluent_core_translated` preset that ckanext-dcat's multilingual schema uses. The maintained
ckanext-fluent is only installable from its git repository, which these machines cannot reach.
This module registers the same plugin name (`fluent`), validator names and preset names, with
the documented behaviour, so ckanext-dcat's schema and serializer run unchanged:

- `fluent_text`: a {lang: text} dict or its JSON string is checked (language codes, text
  values, every form language when the field is `required`) and stored as JSON;
- `fluent_text_output`: stored JSON back to a dict (a plain string is taken as the default
  locale's text);
- `fluent_core_translated_output`: the same, and the core field (`title` for
  `title_translated`) shows the text in `ckan.locale_default` (else the first language);
- `fluent_tags` / `fluent_tags_output`: {lang: [tag, ...]} with CKAN's own tag validators.

Differences from ckanext-fluent, on purpose: no form or display snippets (this portal is
driven through its API), and a package sent without a fluent field keeps it absent (fluent
stores "{}" and blanks the core title) so packages created by other tools keep their title.
Never used outside the local test portal.
"""
import json
import re

import ckan.plugins as p
from ckan.plugins.toolkit import Invalid, StopOnError, _, config, get_validator, missing
from ckanext.scheming.helpers import scheming_language_text
from ckanext.scheming.validation import scheming_validator

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$")
TRANSLATED = "_translated"


def form_languages(field, schema):
    """The field's languages: its own `form_languages`, the schema's, else the site's."""
    if field and field.get("form_languages"):
        return list(field["form_languages"])
    if schema and schema.get("form_languages"):
        return list(schema["form_languages"])
    offered = config.get("ckan.locales_offered") or [config.get("ckan.locale_default", "en")]
    if isinstance(offered, str):
        offered = offered.split()
    return list(dict.fromkeys(code.split("_")[0] for code in offered))


def _loaded(value):
    """A dict from a dict or its JSON text, else None."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _required(field, schema):
    return form_languages(field, schema) if field and field.get("required") else []


def _input(key, data, errors, required):
    """The {lang: value} input of a fluent field, or None after recording why not. An absent
    value stops the field's validators (as ignore_missing does), with an error if required."""
    if errors[key]:
        return None
    if data.get(key) in (missing, None):
        if required:
            errors[key].append(_("Missing value"))
        data.pop(key, None)
        raise StopOnError
    value = _loaded(data[key])
    if value is None:
        errors[key].append(_("expecting JSON object"))
        return None
    for lang in value:
        if not isinstance(lang, str) or not LANGUAGE_CODE.match(lang):
            errors[key].append(_('invalid language code: "%s"') % lang)
    return value


def _store(key, data, errors, value, required):
    for lang in required:
        if not value.get(lang):
            errors[key].append(_('Required language "%s" missing') % lang)
    if not errors[key]:
        data[key] = json.dumps(value, ensure_ascii=False)


@scheming_validator
def fluent_text(field, schema):
    required = _required(field, schema)

    def validator(key, data, errors, context):
        value = _input(key, data, errors, required)
        if value is None:
            return
        for lang, text in value.items():
            if not isinstance(text, str):
                errors[key].append(_('invalid type for "%s" value') % lang)
        _store(key, data, errors, value, required)

    return validator


def fluent_text_output(value):
    loaded = value if isinstance(value, dict) else _loaded(value)
    return loaded if loaded is not None else {config.get("ckan.locale_default", "en"): value}


@scheming_validator
def fluent_core_translated_output(field, schema):
    if not field["field_name"].endswith(TRANSLATED):
        raise ValueError("fluent_core_translated is for fields named <core field>_translated")

    def validator(key, data, errors, context):
        data[key] = fluent_text_output(data[key])
        core = key[:-1] + (key[-1][:-len(TRANSLATED)],)
        if core in data:
            data[core] = scheming_language_text(data[key],
                                                config.get("ckan.locale_default", "en"))

    return validator


@scheming_validator
def fluent_tags(field, schema):
    required = _required(field, schema)
    checks = [get_validator("tag_length_validator"), get_validator("tag_name_validator")]

    def validator(key, data, errors, context):
        value = _input(key, data, errors, required)
        if value is None:
            return
        for lang, tags in value.items():
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                errors[key].append(_('invalid type for "%s" value') % lang)
                continue
            for tag in tags:
                for check in checks:
                    try:
                        check(tag, context)
                    except Invalid as exc:
                        errors[key].append(f"{lang}: {exc.error}")
        _store(key, data, errors, value, required)

    return validator


def fluent_tags_output(value):
    return (value if isinstance(value, dict) else _loaded(value)) or {}


class FluentPlugin(p.SingletonPlugin):
    p.implements(p.IValidators)

    def get_validators(self):
        return {
            "fluent_text": fluent_text,
            "fluent_text_output": fluent_text_output,
            "fluent_core_translated_output": fluent_core_translated_output,
            "fluent_tags": fluent_tags,
            "fluent_tags_output": fluent_tags_output,
        }
