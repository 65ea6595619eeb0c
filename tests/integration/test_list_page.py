"""The inventory list page, made cheap without changing what it shows.

Its total is cached per entries version (search.cached_count): every committed write to the
entries, whatever path it takes (ORM, bulk SQL), changes the version, so the list never shows
a stale count, and a page view does not count again when nothing changed. Its rows are
prepared in Python (views/datasets.py list_rows) and print what the shared macros print."""
import re

import pytest
import sqlalchemy as sa

from inventory.extensions import db
from inventory.models import Dataset, DatasetTheme, EntriesVersion


def _version():
    return db.session.scalar(sa.select(EntriesVersion.version))


def _total(client, path="/datasets"):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    match = re.search(r'class="result-count" role="status">([\d,]+) entr', html)
    return int(match.group(1).replace(",", "")) if match else 0


def test_every_committed_write_to_the_entries_changes_the_version(app_ctx, make):
    org = make.org()
    before = _version()
    dataset = make.dataset(org)
    after_insert = _version()
    assert after_insert != before
    dataset.title_fr = "Autre titre"
    db.session.commit()
    after_update = _version()
    assert after_update != after_insert
    db.session.execute(sa.update(DatasetTheme).where(DatasetTheme.dataset_id == dataset.id)
                       .values(code="HEAL"))
    db.session.commit()
    after_theme = _version()
    assert after_theme != after_update
    db.session.execute(sa.update(Dataset).values(status="archived"))
    db.session.rollback()  # nothing committed: same version
    assert _version() == after_theme
    db.session.execute(sa.delete(DatasetTheme))
    db.session.execute(sa.delete(Dataset))
    db.session.commit()
    assert _version() != after_theme


def test_the_list_total_follows_every_write(admin_client, make):
    org = make.org()
    make.dataset(org)
    assert _total(admin_client) == 1
    assert _total(admin_client, "/datasets?status=submitted") == 0
    assert _total(admin_client, "/datasets?theme=HEAL") == 0
    second = make.dataset(org, status="submitted")
    assert _total(admin_client) == 2
    assert _total(admin_client, "/datasets?status=submitted") == 1
    # Bulk SQL, no ORM object involved: the triggers see it all the same.
    db.session.execute(sa.update(Dataset).where(Dataset.id == second.id).values(status="draft"))
    db.session.execute(sa.update(DatasetTheme).where(DatasetTheme.dataset_id == second.id)
                       .values(code="HEAL"))
    db.session.commit()
    assert _total(admin_client, "/datasets?status=submitted") == 0
    assert _total(admin_client, "/datasets?theme=HEAL") == 1
    db.session.execute(sa.delete(DatasetTheme).where(DatasetTheme.dataset_id == second.id))
    db.session.execute(sa.delete(Dataset).where(Dataset.id == second.id))
    db.session.commit()
    assert _total(admin_client) == 1
    assert _total(admin_client, "/datasets?theme=HEAL") == 0


def _count_statements(sql_statements, fn):
    """(fn(), number of count(*) statements it ran)."""
    result, statements = sql_statements(fn)
    return result, sum("count(*)" in s.lower() for s in statements)


def test_a_repeated_page_view_does_not_count_again(admin_client, make, sql_statements):
    def _counting(fn):
        return _count_statements(sql_statements, fn)
    make.dataset(make.org())
    assert _counting(lambda: _total(admin_client)) == (1, 1)
    assert _counting(lambda: _total(admin_client)) == (1, 0)
    assert _counting(lambda: _total(admin_client, "/datasets?sort=title")) == (1, 0)
    assert _counting(lambda: _total(admin_client, "/datasets?status=draft")) == (1, 1)
    make.dataset(make.org())
    assert _counting(lambda: _total(admin_client)) == (2, 1)
    assert _counting(lambda: _total(admin_client)) == (2, 0)


def test_counts_are_kept_per_visibility(client, login, make):
    health, education = make.org(), make.org()
    for _ in range(2):
        make.dataset(health)
    make.dataset(education)
    login(make.user("officer", [health]))
    assert _total(client) == 2
    login(make.user("officer", [education]))
    assert _total(client) == 1
    login(make.user("admin"))
    assert _total(client) == 3


# The row as the shared macros render it (templates/_macros/ui.html): the list page prints
# rows prepared in Python (views/datasets.py list_rows) and must print the very same markup.
MACRO_ROW = """{% from "_macros/ui.html" import status_badge, tier_badge, dataset_title with context %}
{%- for ds in datasets %}
    <tr>
      <td><a href="{{ url_for('datasets.dataset_detail', dataset_uuid=ds.uuid) }}" dir="ltr">{{ ds.reference }}</a></td>
      <td><a href="{{ url_for('datasets.dataset_detail', dataset_uuid=ds.uuid) }}">{{ dataset_title(ds) }}</a></td>
      <td><abbr title="{{ ds.organization.name(lang) }}">{{ ds.organization.code }}</abbr></td>
      <td>{{ status_badge(ds.status) }}</td>
      <td>{{ tier_badge(ds.priority_tier) }}{% if ds.priority_score is not none %} <span class="muted">{{ format_decimal(ds.priority_score) }}</span>{% endif %}</td>
      <td><time datetime="{{ ds.updated_at.isoformat() }}">{{ format_date(ds.updated_at, 'medium') }}</time></td>
    </tr>
{%- endfor %}"""  # noqa: E501


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_list_rows_print_what_the_shared_macros_print(admin_client, make, lang):
    from datetime import datetime

    from flask import render_template_string
    org = make.org()
    untitled = make.dataset(org, complete=False)
    french_only = make.dataset(org, status="submitted", title_ar="",
                               description_ar="", title_fr="Budget <2026>")
    scored = make.dataset(org, status="approved")
    # Just before midnight UTC is the next day in Tunis: dates follow the user's timezone.
    untitled.updated_at = datetime(2026, 5, 31, 23, 30)
    french_only.updated_at = datetime(2026, 5, 31, 22, 0)
    scored.priority_score, scored.priority_tier = None, None
    db.session.commit()
    html = admin_client.get(f"/datasets?lang={lang}").get_data(as_text=True)
    body = html[html.index("<tbody>") + len("<tbody>"):html.index("  </tbody>")]
    datasets = db.session.scalars(sa.select(Dataset).order_by(Dataset.updated_at.desc(),
                                                              Dataset.id.desc())).all()
    with admin_client.application.test_request_context(f"/datasets?lang={lang}"):
        admin_client.application.preprocess_request()
        expected = render_template_string(MACRO_ROW, datasets=datasets)
    rows = [line.strip() for line in body.splitlines() if line.strip()]
    assert rows == [line.strip() for line in expected.splitlines() if line.strip()]
    assert 'lang="fr" dir="ltr">Budget &lt;2026&gt;</bdi>' in body
    assert lang != "en" or '<span class="muted">(untitled)</span>' in body


def test_organization_filter_options_are_escaped_and_keep_the_choice(admin_client, make):
    hostile = make.org(name_fr='<img src=x onerror="alert(1)">')
    other = make.org()
    html = admin_client.get(f"/datasets?lang=fr&organization={hostile.id}").get_data(as_text=True)
    assert (f'<option value="{hostile.id}" selected>{hostile.code} — &lt;img src=x '
            'onerror=&#34;alert(1)&#34;&gt;</option>') in html
    assert f'<option value="{other.id}" >{other.code} — Ministère' in html
    assert "<img src=x" not in html


@pytest.mark.parametrize("path", ["/datasets", "/review", "/publications", "/admin/users",
                                  "/admin/organizations"])
@pytest.mark.parametrize("query", ["q=a%00b", "status=%00", "a%00=1"])
@pytest.mark.parametrize("lang, message", [("fr", "web contient un caractère NUL"),
                                           ("ar", "يحتوي عنوان الواب على حرف NUL")])
def test_a_nul_in_the_address_is_a_clear_error(admin_client, path, query, lang, message):
    """PostgreSQL refuses NUL in text: a translated 400 page, never a database failure."""
    assert admin_client.get(f"/datasets?lang={lang}").status_code == 200
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["organization=%C2%B2", "campaign=%C2%B2",
                                   "organization=99999999999999999999",
                                   "campaign=99999999999999999999"])
def test_numbers_that_cannot_be_ids_are_ignored(admin_client, make, query):
    """`²` passes str.isdigit but not int(); ids are 32-bit: the filter is dropped, as any
    malformed filter value is, instead of failing the page."""
    org = make.org()
    make.dataset(org)
    assert _total(admin_client, f"/datasets?{query}") == 1
