"""The inventory list's total is cached per entries version (search.cached_count): every
committed write to the entries, whatever path it takes (ORM, bulk SQL), changes the version,
so the list never shows a stale count; and a page view does not count again when nothing
changed."""
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


@pytest.fixture
def admin_client(client, login, make):
    login(make.user("admin"))
    return client


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


def _counting(fn):
    """(fn(), number of count(*) statements it ran)."""
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)
    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        result = fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
    return result, sum("count(*)" in s.lower() for s in statements)


def test_a_repeated_page_view_does_not_count_again(admin_client, make):
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
