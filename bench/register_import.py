"""Register import of 10,000 rows against only reading the same file with openpyxl (read-only
mode), in the same run. Target: the whole import at most 3x the bare read.

Figures: bare read, dry run, real import (written and committed), re-import of the exported
register (every row unchanged), export of the register; each with its ratio to the bare read.
Runs on a temporary SQLite file built by the migrations (the embedded default).
"""
import io
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROWS = 10_000


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def bare_read(data):
    """What any reader must do at least: open the workbook read-only and touch every cell."""
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    cells = 0
    for row in ws.iter_rows(values_only=True):
        cells += len(row)
    wb.close()
    return cells


def synthetic_entries(org, count, seed=7):
    """`count` unsaved entries with realistic, varied content (from the demo templates)."""
    from inventory.demo import TEMPLATES, _fields
    from inventory.entries import set_distributions, set_themes
    from inventory.models import Dataset
    rng = random.Random(seed)
    out = []
    for i in range(count):
        fields = _fields(TEMPLATES[i % len(TEMPLATES)], rng, i)
        fields.update(title_ar=f"{fields['title_ar']} — {i}", title_fr=f"{fields['title_fr']} — {i}",
                      next_update_due=date(2026, 1 + i % 12, 1 + i % 28))
        themes, dists = fields.pop("themes"), fields.pop("distributions")
        fields.pop("campaign_id", None)
        ds = Dataset(organization=org, reference=None, status="draft", **fields)
        set_themes(ds, themes)
        set_distributions(ds, dists)
        out.append(ds)
    return out


def main(argv):
    from flask_migrate import upgrade

    from inventory import create_app
    from inventory.config import TestConfig
    from inventory.extensions import db
    from inventory.models import Dataset, Organization
    from inventory.registry_export import export_register
    from inventory.registry_import import import_file

    rows = int(next((a.split("=", 1)[1] for a in argv if a.startswith("--rows=")), ROWS))
    tmp = tempfile.mkdtemp(prefix="bench-register-")

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        REGISTER_IMPORT_MAX_BYTES = 200 * 1024 * 1024
        REGISTER_IMPORT_MAX_ROWS = 100_000

    app = create_app(BenchConfig)
    figures = {"rows": rows, "database": "sqlite"}
    with app.app_context():
        upgrade()  # the real schema, with the search-index triggers every insert fires
        source = Organization(code="BENCHSRC", name_fr="Source", name_ar="مصدر")
        org = Organization(code="BENCH", name_fr="Ministère du banc d'essai",
                           name_ar="وزارة الاختبار")
        db.session.add_all([source, org])
        db.session.commit()
        entries = synthetic_entries(source, rows)
        data = export_register(source, "xlsx", "fr", datasets=entries)
        db.session.rollback()  # the synthetic entries were never meant to be saved
        figures["file_mb"] = round(len(data) / 1024 / 1024, 2)

        # Every figure is the faster of two runs: the machine's load varies during a run.
        t_read, cells = _timed(lambda: bare_read(data))
        figures["cells"] = cells
        t_dry = min(_timed(lambda: import_file(data, "bench.xlsx", org, dry_run=True))[0]
                    for _ in range(2))
        dry = import_file(data, "bench.xlsx", org, dry_run=True)
        assert dry.ok and dry.created == rows, dry.problems[:3]

        def real(target):
            report = import_file(data, "bench.xlsx", target, dry_run=False)
            db.session.commit()
            assert report.written and report.created == rows
            return report
        spare = Organization(code="BENCH2", name_fr="Second ministère", name_ar="وزارة ثانية")
        db.session.add(spare)
        db.session.commit()
        t_import = min(_timed(lambda: real(org))[0], _timed(lambda: real(spare))[0])
        assert db.session.scalar(db.select(db.func.count(Dataset.id)).where(
            Dataset.organization_id == org.id)) == rows

        t_export, exported = _timed(lambda: export_register(org, "xlsx", "fr"))
        db.session.expire_all()
        t_again, again = _timed(lambda: import_file(exported, "again.xlsx", org, dry_run=False))
        db.session.commit()
        assert again.unchanged == rows and again.created == 0, (again.created, again.problems[:3])
        # The baseline again at the end: the machine's load varies; keep the faster read.
        t_read = min(t_read, _timed(lambda: bare_read(data))[0])

    for name, seconds in (("bare openpyxl read-only read (baseline)", t_read),
                          ("dry run (read + check)", t_dry),
                          ("import (read + check + write + commit)", t_import),
                          ("re-import of the exported register (all unchanged)", t_again),
                          ("export of the register (XLSX)", t_export)):
        print(f"{name:55} {seconds:7.2f} s   x{seconds / t_read:4.2f}")
    print(f"file: {figures['file_mb']} MB, {rows} rows, {cells} cells; database: "
          f"{figures['database']}; target: import <= 3x the bare read -> "
          f"{'met' if t_import <= 3 * t_read else 'NOT met'}")
    figures.update(bare_read_s=round(t_read, 2), dry_run_s=round(t_dry, 2),
                   import_s=round(t_import, 2), reimport_s=round(t_again, 2),
                   export_s=round(t_export, 2), import_ratio=round(t_import / t_read, 2),
                   dry_run_ratio=round(t_dry / t_read, 2),
                   reimport_ratio=round(t_again / t_read, 2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
