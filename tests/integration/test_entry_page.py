"""The entry page's summary rows, printed by a function (views/datasets.py fact_row), print
what the `row` macro of `_summary.html` printed (kept here as the reference)."""
import pytest
from flask import render_template_string
from markupsafe import Markup

from inventory.views.datasets import fact_row
from inventory.vocabularies import LEVEL_LABELS, PERSONAL_DATA_LABELS

MACRO = """{% macro row(name, value, internal=False, label=None, text=False) %}
<dt>{{ label or field_label(name) }}{% if internal %} <span class="tag tag--internal" title="{{ _('Never published') }}">{{ _("internal") }}</span>{% endif %}</dt>
<dd>{% if value and text %}<bdi>{{ value }}</bdi>{% elif value %}{{ value }}{% else %}<span class="muted">—</span>{% endif %}</dd>
{% endmacro %}"""  # noqa: E501

CASES = [
    ("owner_unit", "Direction <des> \"statistiques\" & co", True, None, True),
    ("owner_unit", "", True, None, True),
    ("legal_basis", "Loi n° 2016-22", False, None, True),
    ("landing_page", Markup('<a href="https://x.tn" class="url">https://x.tn</a>'), False, None,
     False),
    ("access_rights", "Public <ouvert>", False, None, False),
    ("", "Une description", False, "label", True),
    ("", None, True, "label", False),
    ("distributions-0-format", "CSV", False, None, False),
    ("no_such_field", 0, False, None, False),
    # Lazy labels (the priority levels, personal data...): translated, then escaped.
    ("demand", LEVEL_LABELS[2], True, None, False),
    ("personal_data", next(iter(PERSONAL_DATA_LABELS.values())), True, None, False),
    ("", LEVEL_LABELS[1], False, "label", True),
]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_summary_rows_print_what_the_macro_printed(app, lang):
    with app.test_request_context(f"/datasets?lang={lang}"):
        app.preprocess_request()
        for name, value, internal, label, text in CASES:
            if label == "label":
                label = Markup(render_template_string("{{ _('Description') }}"))
            expected = render_template_string(
                MACRO + "{{ row(name, value, internal, label=label, text=text) }}", name=name,
                value=value, internal=internal, label=label, text=text)
            assert fact_row(name, value, internal, label=label, text=text) == expected


def test_the_checklist_names_the_approver_from_the_page_history(app_ctx, make):
    """The entry page passes its history (events with actors) to the checklist, which then
    needs no query of its own to name who approved the entry: same statuses either way."""
    import sqlalchemy as sa

    from inventory import checklist
    from inventory.extensions import db
    from inventory.models import ReviewEvent
    dataset = make.dataset(make.org(), status="approved")
    events = db.session.scalars(sa.select(ReviewEvent).where(
        ReviewEvent.dataset_id == dataset.id).order_by(ReviewEvent.at.desc(),
                                                       ReviewEvent.id.desc())).all()
    from_query = checklist.entry_checklist(dataset).statuses
    from_events = checklist.entry_checklist(dataset, events).statuses
    assert [(s.item.id, s.state, s.at, s.by) for s in from_events] == \
        [(s.item.id, s.state, s.at, s.by) for s in from_query]
    assert any(s.item.id == "D16" and s.by for s in from_events)


# The summary's former value macros, kept as the reference of fact_link/fact_email/term_list.
VALUE_MACROS = "".join("""{% macro list_of(terms, codes) %}{% for c in codes %}{{ vocab.label(terms, c) }}{% if not loop.last %}{{ '، ' if lang == 'ar' else ', ' }}{% endif %}{% endfor %}{% endmacro %}
{% macro link(url) %}{% if wf.is_http_url(url) %}<a href="{{ url }}" class="url" dir="ltr" rel="noopener noreferrer">{{ url }}</a>{% elif url %}<span dir="ltr">{{ url }}</span>{% endif %}{% endmacro %}
{% macro link_email(email) %}{% if email %}<span dir="ltr">{{ email }}</span>{% endif %}{% endmacro %}""".splitlines())  # noqa: E501

URLS = ["https://data.gov.tn/a?b=1&c=\"2\"", "https://data.gov.tn/a?b=1&c=2", "http://x.tn/<y>",
        "ftp://x.tn/f", "www.x.tn", "", None]
CODE_LISTS = [("themes", ["EDUC", "HEAL", "<unknown>"]), ("governorates", ["TN", "TN-11"]),
              ("languages", ["ar", "fr"]), ("languages", []),
              ("restriction_grounds", ["personal_data", "x&y"])]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_summary_values_print_what_the_macros_printed(app, lang):
    from inventory import vocabularies
    from inventory.views.datasets import fact_email, fact_link, term_list

    with app.test_request_context(f"/datasets?lang={lang}"):
        app.preprocess_request()
        for url in URLS:
            assert fact_link(url) == render_template_string(VALUE_MACROS + "{{ link(u) }}",
                                                            u=url)
            assert fact_email(url) == render_template_string(
                VALUE_MACROS + "{{ link_email(u) }}", u=url)
        assert "<a href" in fact_link(URLS[1]), "some addresses are links"
        for vocabulary, codes in CODE_LISTS:
            terms = getattr(vocabularies, vocabulary)()
            expected = render_template_string(VALUE_MACROS + "{{ list_of(t, c) }}", t=terms,
                                              c=codes)
            assert expected or not codes, "the reference prints something"
            assert term_list(terms, codes, lang) == expected


def test_links_to_the_form_name_each_field_and_step(client, login, make):
    """The problems, section and conformance links of a draft are built from one address with
    a placeholder: each names its own field or step."""
    import re

    from inventory import workflow

    org = make.org()
    officer = make.user("officer", orgs=[org])
    ds = make.dataset(org, user=officer, complete=False)
    problems = workflow.submission_problems(ds)
    assert problems, "a blank draft has points to complete"
    login(officer)
    html = client.get(f"/datasets/{ds.uuid}?lang=en").get_data(as_text=True)
    listed = html.split('id="problems"')[1].split("</section>")[0]
    fields = re.findall(rf'href="/datasets/{ds.uuid}/edit\?field=([\w-]+)"', listed)
    assert sorted(set(fields)) == sorted(problems)
    steps = re.findall(rf'href="/datasets/{ds.uuid}/edit\?step=(\w+)"', html)
    assert steps == ["identification", "legal", "access", "coverage", "distributions",
                     "priority"]
    panel = html.split('id="catalog-conformance"')[1].split("</section>")[0]
    assert re.findall(rf'href="/datasets/{ds.uuid}/edit\?field=([\w-]+)"', panel)
    assert "__FIELD__" not in html and "__STEP__" not in html
