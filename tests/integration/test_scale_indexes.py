"""The review queue, the dashboards and the portal's count are answered from indexes rather
than by reading the entries table: at national scale (100,000 entries) each such read cost
20-130 ms on PostgreSQL (migration dashboard_indexes).

Each page's statements are captured with their parameters as the page runs them, then
explained on the test database. SQLite plans by the shape of the query: its plan names the
index it takes. PostgreSQL costs plans by statistics that a test database of a few rows does
not have, and would rather read the table or any other index: each index is checked in a
transaction that drops the entries' other indexes (except the unique ones) and is rolled back,
with reading the table made a last resort, so that the plan shows whether that index serves
the statement."""
from datetime import date

import pytest

from inventory.extensions import db

PAGES = {
    "/review": {"ix_dataset_status_submitted"},
    "/dashboard": {"ix_dataset_status_tier", "ix_dataset_release_due",
                   "ix_dataset_classification_review"},
    "/publications": {"ix_dataset_status_open"},
}


def _selects(sql_statements, client, path):
    """The SELECT statements the request of `path` runs, with their parameters."""
    response, statements = sql_statements(lambda: client.get(path), with_parameters=True)
    assert response.status_code == 200
    return [(statement, parameters) for statement, parameters in statements
            if statement.lstrip().upper().startswith("SELECT")]


def _plans(statements, index):
    """The plans of `statements`, made with `index` as the entries' only non-unique index
    on PostgreSQL."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return [" ".join(str(row) for row in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", parameters))
                for statement, parameters in statements]
        try:  # one transaction, rolled back
            others = conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'dataset' "
                "AND indexname <> %(index)s AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
                {"index": index}).scalars().all()
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")  # an error, never a hang
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            for name in others:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
            plans = ["\n".join(conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)
                               .scalars()) for statement, parameters in statements]
        finally:
            conn.rollback()
        return plans


@pytest.mark.parametrize("path, indexes", PAGES.items())
def test_page_reads_its_indexes(make, client, login, sql_statements, path, indexes):
    admin = make.user("admin")
    login(admin)
    org = make.org()
    overdue = {"planned_release_date": date(2020, 1, 1),
               "restriction_review_date": date(2020, 1, 1)}
    for status in ("draft", "submitted", "approved"):
        make.dataset(org, admin, status=status, **overdue)
    statements = _selects(sql_statements, client, path)
    db.session.remove()  # no transaction of the test's may hold the table
    for index in indexes:
        plans = _plans(statements, index)
        assert any(index in plan for plan in plans), "\n\n".join(plans)


def test_top_priorities_are_ranked_from_the_index(make, client, login, sql_statements):
    """The dashboard ranks the entries still to approve by their ids alone, from
    ix_dataset_status_tier, and reads only the rows it shows."""
    admin = make.user("admin")
    login(admin)
    org = make.org()
    entries = [make.dataset(org, admin, status=status, title_fr=f"Entrée {status}")
               for status in ("draft", "submitted", "changes_requested")]
    titles = [e.title_fr for e in entries]
    statements = _selects(sql_statements, client, "/dashboard")
    ranked = [(s, p) for s, p in statements if "priority_score" in s and "IN (SELECT" in s]
    assert len(ranked) == 1, [s[:200] for s, _p in statements]
    db.session.remove()
    plan, = _plans(ranked, "ix_dataset_status_tier")
    assert "ix_dataset_status_tier" in plan, plan
    html = client.get("/dashboard").get_data(as_text=True)
    assert all(title in html for title in titles)
