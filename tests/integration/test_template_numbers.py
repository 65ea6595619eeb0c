"""Numbers printed by templates' `format_decimal` (kept per process and locale for plain ints
and floats, `extensions.decimal_text`) are the text flask_babel formats in the request's
language; a pattern, or any other number type, takes flask_babel's own path."""
from decimal import Decimal

import flask_babel
import pytest
from flask import render_template_string
from flask_babel import force_locale

NUMBERS = [0, 1, 1.0, 7, 12.5, 100, 1234, 1234567, -3, 0.125, 2.0 / 3, Decimal("1234.50")]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_template_numbers_are_flask_babels(app, lang):
    with app.test_request_context(f"/datasets?lang={lang}"):
        app.preprocess_request()
        for number in NUMBERS:
            printed = render_template_string("{{ format_decimal(n) }}", n=number)
            assert printed == str(flask_babel.format_decimal(number)), number
        assert render_template_string("{{ format_decimal(n, '#,##0.00') }}", n=1234.5) == \
            flask_babel.format_decimal(1234.5, "#,##0.00")


def test_kept_numbers_follow_the_locale(app):
    with app.test_request_context("/datasets?lang=fr"):
        app.preprocess_request()
        french = render_template_string("{{ format_decimal(1234567) }}")
        with force_locale("en"):
            english = render_template_string("{{ format_decimal(1234567) }}")
        assert french != english  # a narrow no-break space against a comma
        assert english == "1,234,567"
        assert render_template_string("{{ format_decimal(1234567) }}") == french

