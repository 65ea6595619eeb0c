"""Priority re-scoring and dashboard aggregates on a catalogue of N entries (default 10,000).

- Re-scoring after an admin changes the weights: `priority.recompute_all` (keyset batches of
  scoring columns, one executemany per batch of changed rows) against the plain ORM loop
  (load each entry, `priority.refresh`, flush), on the same database in the same run.
- Dashboard: `dashboard.summary` + counts per organization (SQL GROUP BY, bounded lists)
  against loading every entry and computing the same figures in Python.

Database: a temporary SQLite file, or BENCH_DATABASE_URL (e.g. a PostgreSQL database that
may be emptied).
"""
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date, timedelta

STATUSES = ("draft", "submitted", "changes_requested", "approved", "published", "withdrawn",
            "archived")
WEIGHTS_A = {"demand": 25, "ati_requests": 10, "value": 25, "obligation": 20, "readiness": 10,
             "risk": 10}
WEIGHTS_B = {"demand": 5, "ati_requests": 30, "value": 5, "obligation": 40, "readiness": 10,
             "risk": 10}


def _entries_arg(argv, default=10000):
    for arg in argv:
        if arg.startswith("--entries="):
            return int(arg.split("=", 1)[1])
    return default


def _build(n, db, models):
    """N entries over 40 organizations, inserted in bulk (the ORM path is not measured)."""
    import sqlalchemy as sa
    rng = random.Random(2021)
    orgs = [{"code": f"B{i:03d}", "name_fr": f"Organisme {i}"} for i in range(40)]
    db.session.execute(sa.insert(models.Organization), orgs)
    org_ids = list(db.session.scalars(sa.select(models.Organization.id)))
    today = date.today()
    rows = []
    for i in range(n):
        restricted = i % 9 == 0
        rows.append({
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "reference": f"B-{i:06d}", "organization_id": rng.choice(org_ids),
            "status": rng.choice(STATUSES), "title_fr": f"Jeu de données {i}",
            "classification": "restricted" if restricted else "open",
            "demand": rng.randint(0, 3), "ati_requests": rng.randint(0, 12),
            "value": rng.randint(0, 3), "legal_obligation": i % 4 == 0,
            "readiness": rng.randint(0, 3), "risk": rng.randint(0, 3),
            "planned_release_date": today + timedelta(days=rng.randint(-200, 200)),
        })
    for start in range(0, n, 2000):
        db.session.execute(sa.insert(models.Dataset), rows[start:start + 2000])
    db.session.commit()


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main(argv):
    n = _entries_arg(argv)
    url = os.environ.get("BENCH_DATABASE_URL")
    tmp = None
    if not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/bench.sqlite"
    os.environ["DATABASE_URL"] = url

    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from inventory import create_app, models, priority
    from inventory import dashboard as stats
    from inventory.extensions import db

    app = create_app()
    with app.app_context():
        if url.startswith("postgres"):
            downgrade(revision="base")
        upgrade()
        _build(n, db, models)
        print(f"{n} entries on {db.engine.dialect.name}")

        # Re-scoring: the plain ORM loop (baseline), then the batched update, both changing
        # every scored entry (the weights alternate).
        def orm_loop():
            for ds in db.session.scalars(sa.select(models.Dataset)):
                priority.refresh(ds, WEIGHTS_B)
            db.session.commit()

        base_s, _ = _timed(orm_loop)
        batched_s, changed = _timed(lambda: (priority.recompute_all(WEIGHTS_A),
                                             db.session.commit())[0])
        print(f"re-score, ORM loop (baseline)      {base_s:8.2f} s")
        print(f"re-score, recompute_all            {batched_s:8.2f} s   ratio "
              f"{batched_s / base_s:.2f} ({changed} entries changed)")

        # Dashboard: the same figures computed in Python over every loaded entry (baseline)
        # vs SQL aggregates and bounded lists.
        def python_dashboard():
            db.session.expire_all()
            today = date.today()
            by_org, overdue, top, excluded = {}, [], [], []
            for ds in db.session.scalars(sa.select(models.Dataset)):
                by_org.setdefault(ds.organization_id, Counter())[ds.status] += 1
                if ds.planned_release_date and ds.planned_release_date < today and \
                        ds.actual_release_date is None and \
                        ds.status not in ("published", "withdrawn", "archived"):
                    overdue.append(ds)
                if ds.status in stats.NOT_YET_APPROVED and ds.priority_tier in stats.TIER_RANK:
                    top.append(ds)
                if ds.priority_tier == "excluded" and ds.status != "archived":
                    excluded.append(ds)
            top.sort(key=lambda d: (stats.TIER_RANK[d.priority_tier], -(d.priority_score or 0)))
            return by_org, overdue[:10], top[:10], excluded[:10]

        def sql_summary():
            db.session.expire_all()
            summary = stats.summary(sa.true())
            by_org = stats.status_counts_by(models.Dataset.organization_id, sa.true())
            return summary, by_org

        naive_s, naive = _timed(python_dashboard)
        sql_s, (summary, by_org) = _timed(sql_summary)
        assert {k: dict(v) for k, v in naive[0].items()} == \
            {k: dict(v.counts) for k, v in by_org.items()}
        assert [d.id for d in naive[2]] == [d.id for d in summary["top"].items]
        print(f"dashboard, every entry loaded (baseline) {naive_s:6.3f} s")
        print(f"dashboard, SQL aggregates + lists         {sql_s:6.3f} s   ratio "
              f"{sql_s / naive_s:.2f}")
        if url.startswith("postgres"):
            db.session.remove()
            downgrade(revision="base")
    if tmp is not None:
        tmp.cleanup()
    return {"entries": n, "rescore_orm_s": round(base_s, 3),
            "rescore_batched_s": round(batched_s, 3),
            "rescore_ratio": round(batched_s / base_s, 3),
            "dashboard_python_s": round(naive_s, 4), "dashboard_sql_s": round(sql_s, 4),
            "dashboard_ratio": round(sql_s / naive_s, 3)}


if __name__ == "__main__":
    main(sys.argv[1:])
