"""Numbers printed by templates' `format_decimal` (kept per process and locale for plain ints
and floats, `extensions.decimal_text`) and days printed by their `format_date` (kept for a
`date` in a named format, `extensions.day_text`) and moments printed by their
`format_datetime` (kept for a stored, naive UTC datetime in a named format,
`extensions.moment_text`) are the text flask_babel formats in the request's language and
timezone; a pattern, or any other type, takes flask_babel's own path."""
from datetime import UTC, date, datetime, timedelta, timezone
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



DAYS = [date(2026, 1, 1), date(2026, 5, 31), date(1999, 12, 9), date(2030, 10, 27)]
MOMENTS = [datetime(2026, 5, 31, 23, 30), datetime(2026, 1, 1, 8, 0)]  # UTC, naive


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_template_dates_are_flask_babels(app, lang):
    with app.test_request_context(f"/datasets?lang={lang}"):
        app.preprocess_request()
        for value in DAYS + MOMENTS:
            for format in ("short", "medium", "long", "full", "d MMMM y", None):
                printed = render_template_string("{{ format_date(v, f) }}", v=value, f=format)
                assert printed == flask_babel.format_date(value, format), (value, format)
        # A moment is a day in the user's timezone (Africa/Tunis, UTC+1): 31 May 23:30 UTC is
        # 1 June there, and no kept day stands in for it.
        assert render_template_string("{{ format_date(v, 'short') }}", v=MOMENTS[0]) == \
            render_template_string("{{ format_date(v, 'short') }}", v=date(2026, 6, 1))


def test_kept_dates_follow_the_locale(app):
    with app.test_request_context("/datasets?lang=fr"):
        app.preprocess_request()
        french = render_template_string("{{ format_date(v, 'long') }}", v=DAYS[1])
        with force_locale("ar"):
            arabic = render_template_string("{{ format_date(v, 'long') }}", v=DAYS[1])
        assert french == "31 mai 2026"
        assert arabic != french and "مايو" in arabic
        assert render_template_string("{{ format_date(v, 'long') }}", v=DAYS[1]) == french


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_template_moments_are_flask_babels(app, lang):
    aware = [datetime(2026, 5, 31, 23, 30, tzinfo=UTC),
             datetime(2026, 5, 31, 23, 30, tzinfo=timezone(timedelta(hours=-3)))]
    with app.test_request_context(f"/datasets?lang={lang}"):
        app.preprocess_request()
        for value in MOMENTS + aware:
            for format in ("short", "medium", "long", "full", "d MMMM y HH:mm", None):
                printed = render_template_string("{{ format_datetime(v, f) }}", v=value,
                                                 f=format)
                assert printed == flask_babel.format_datetime(value, format), (value, format)
            assert render_template_string("{{ format_datetime(v, 'short', rebase=false) }}",
                                          v=value) == \
                flask_babel.format_datetime(value, "short", rebase=False)


def test_kept_moments_follow_the_locale(app):
    from inventory.extensions import moment_text
    moment = MOMENTS[0]  # 31 May 23:30 UTC: 1 June 00:30 in Tunis
    with app.test_request_context("/datasets?lang=fr"):
        app.preprocess_request()
        french = moment_text(moment, "short")
        assert french == "01/06/2026 00:30"
        with force_locale("en"):
            assert moment_text(moment, "short") == "6/1/26, 12:30\u202fAM"
        assert moment_text(moment, "short") == french
