"""Arabic-aware search through the trigram indexes (FTS5 on SQLite, pg_trgm on PostgreSQL):
same answers as folding promises, kept in step with edits and deletions, and answered from
the index rather than a scan."""
import pytest
import sqlalchemy as sa

from inventory.entries import save_entry
from inventory.extensions import db
from inventory.models import Dataset
from inventory.search import DatasetFilters, filtered_datasets, text_conditions


def titles(user, q):
    stmt = filtered_datasets(user, DatasetFilters(q=q, sort="reference"))
    return [d.title_fr or d.title_ar for d in db.session.scalars(stmt)]


@pytest.fixture
def corpus(make):
    org = make.org("MESRS")
    admin = make.user("admin")
    plain = {"description_ar": "وصف", "description_fr": "Description", "keywords_ar": [],
             "keywords_fr": []}
    make.dataset(org, admin, **{**plain, "title_ar": "إحصائيات المؤسسات الجامعية",
                                "title_fr": "Établissements", "keywords_fr": ["université"]})
    make.dataset(org, admin, **{**plain, "title_ar": "مُؤَسَّسَة الطاقة",
                                "title_fr": "Énergie 100% verte",
                                "description_fr": 'Le "bilan" des_sites'})
    make.dataset(org, admin, **{**plain, "title_ar": "قائمة المستشفيات", "title_fr": "Hôpitaux"})
    make.dataset(org, admin, **{**plain, "title_ar": "الماء", "title_fr": "L'eau \\ potable"})
    return admin


@pytest.mark.parametrize("query, expected", [
    ("موسسه", ["Énergie 100% verte"]),            # hamza, ta marbuta and diacritics folded
    ("المؤسسات", ["Établissements"]),
    ("اِحصائيات", ["Établissements"]),              # alef with hamza below / kasra
    ("etablissements", ["Établissements"]),        # Latin accents and case
    ("ENERGIE verte", ["Énergie 100% verte"]),     # every term must match
    ("hopitaux energie", []),
    ("100%", ["Énergie 100% verte"]),              # LIKE wildcards are literal
    ("des_sites", ["Énergie 100% verte"]),
    ('"bilan"', ["Énergie 100% verte"]),           # quotes cannot break the FTS query
    ("hô", ["Hôpitaux"]),                          # a short term scans, same answer
    ("univ", ["Établissements"]),
    ("l'eau", ["L'eau \\ potable"]),               # quotes and backslashes written into
    ("eau \\ pot", ["L'eau \\ potable"]),           # the statement stay text
    ("\\'", []),
    ("x' or '1'='1", []),                          # no way out of the quoted value
    ("x\\' or 1=1 --", []),
])
def test_search_answers(corpus, query, expected):
    assert titles(corpus, query) == expected


def test_index_follows_edits_and_deletions(corpus):
    ds = db.session.scalar(sa.select(Dataset).where(Dataset.title_fr == "Hôpitaux"))
    save_entry(ds, corpus, {"title_fr": "Dispensaires"}, expected_version=ds.version)
    db.session.commit()
    assert titles(corpus, "hopitaux") == []
    assert titles(corpus, "dispensaires") == ["Dispensaires"]
    db.session.delete(ds)
    db.session.commit()
    assert titles(corpus, "dispensaires") == []


def test_search_uses_the_trigram_index(corpus):
    stmt = sa.select(Dataset.id).where(*text_conditions("مستشفيات"))
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(r) for r in conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {compiled}"))
            assert "VIRTUAL TABLE INDEX" in plan, plan
            triggers = set(conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='trigger'").scalars())
            assert {"dataset_search_ai", "dataset_search_ad", "dataset_search_au"} <= triggers
        else:
            # Three rows: make the planner show whether the index can serve the condition.
            conn.exec_driver_sql("SET enable_seqscan = off")
            conn.exec_driver_sql("SET enable_indexscan = off")
            plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}").scalars())
            assert "ix_dataset_search_trgm" in plan, plan


def test_filter_values_are_written_into_the_statement(corpus, sql_statements):
    """Planned for their values (search.planned_in): a prepared statement with bound values
    is planned once for all of them, a poor plan for a rare status or a search term."""
    org_id = db.session.scalar(sa.select(Dataset.organization_id))
    filters = DatasetFilters(q="l'eau", status=["draft"], theme=["EDUC"], tier=["high"],
                             classification=["public"], organization=[org_id], campaign=7)
    _, statements = sql_statements(
        lambda: db.session.scalars(filtered_datasets(corpus, filters)).all())
    [select] = [s for s in statements if "FROM dataset" in s]  # not the lazy loads after it
    for written in ("'draft'", "'EDUC'", "'high'", "'public'", f"IN ({org_id})", "= 7"):
        assert written in select
    if db.engine.dialect.name == "postgresql":
        assert "LIKE '%%l''eau%%'" in select


@pytest.mark.parametrize("status", ["draft' OR '1'='1", "draft\\' OR 1=1 --", "draft'); --"])
def test_written_values_stay_values(corpus, status):
    filters = DatasetFilters(status=[status], theme=[status], sort="reference")
    assert db.session.scalars(filtered_datasets(corpus, filters)).all() == []
    assert db.session.scalars(filtered_datasets(corpus, DatasetFilters(status=["draft"]))).all()
