"""Lazy labels printed in templates are translated through a catalog kept per locale
(inventory/extensions.py lazy_text): the very text flask_babel gives, in the request's
language, and in the forced one inside `force_locale`."""
import pytest
from flask_babel import force_locale, refresh
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from inventory import checklist, vocabularies, workflow
from inventory.extensions import lazy_text
from inventory.fields import FIELDS, field_label


def _labels():
    labels = [f.label for f in FIELDS] + [field_label("distributions-1-format")]
    for table in (vocabularies.STATUS_LABELS, vocabularies.CLASSIFICATION_LABELS,
                  vocabularies.TIER_LABELS, vocabularies.LEVEL_LABELS,
                  workflow.ACTION_LABELS, checklist.SOURCE_LABELS):
        labels += list(table.values())
    return labels + [_l("Missing: %(fields)s", fields="<b>x</b>")]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_lazy_labels_print_flask_babel_text(app, lang):
    with app.test_request_context(f"/datasets?lang={lang}"):
        app.preprocess_request()
        for label in _labels():
            assert lazy_text(label) == str(label)
            assert label.__html__() == escape(str(label))
        assert "&lt;b&gt;" in _l("Missing: %(fields)s", fields="<b>x</b>").__html__()


def test_forced_and_refreshed_locales_are_followed(app):
    status = vocabularies.STATUS_LABELS["draft"]
    with app.test_request_context("/datasets?lang=fr"):
        app.preprocess_request()
        french = lazy_text(status)
        with force_locale("ar"):
            arabic = lazy_text(status)
            assert arabic == str(status)
        with force_locale("en"):
            assert lazy_text(status) == str(status) == "Draft"
        assert lazy_text(status) == french == str(status)
        refresh()
        assert lazy_text(status) == str(status)
    assert arabic != french != "Draft"
    assert lazy_text(status) == str(status)  # outside a request: flask_babel's own path
