"""The checklist PDF of a ministry with 1,000 entries: seconds, pages, bytes.

Same-run baselines: computing the statuses (the database and rules part) and rendering the
HTML the PDF is made from; the PDF figure is what WeasyPrint adds on top. Also the one-entry
PDF, for scale. Runs on a temporary SQLite file built by the migrations.
"""
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRIES = 1000


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _pages(pdf):
    """Page count read by poppler's pdfinfo (WeasyPrint compresses its object streams)."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return int(re.search(rb"Pages:\s+(\d+)", info.stdout).group(1))


def populate(org, user, count, seed=11):
    """`count` realistic entries (demo templates) in every workflow state, with hand ticks."""
    from inventory import checklist as cl
    from inventory import workflow
    from inventory.demo import TEMPLATES, _fields
    from inventory.entries import create_entry
    from inventory.extensions import db
    rng = random.Random(seed)
    for i in range(count):
        fields = _fields(TEMPLATES[i % len(TEMPLATES)], rng, i)
        fields.pop("campaign_id", None)
        fields.update(title_ar=f"{fields['title_ar']} — {i}", source_system="Système")
        ds = create_entry(org, user, **fields)
        if i % 3 == 1 and not workflow.submission_problems(ds):
            workflow.submit(ds, user)
            workflow.approve(ds, user)
            if i % 2:
                workflow.mark_published(ds)
        if i % 4 == 0 and ds.classification in ("open", "open_after_treatment"):
            cl.tick_item(user, "D02", dataset=ds, note="Mission de service public",
                         evidence_url="https://example.tn/missions")
        if i % 200 == 199:
            db.session.commit()
    for n in (1, 3, 4, 7):
        cl.tick_item(user, f"M{n:02d}", organization=org, note="مقرر عدد 12 لسنة 2024",
                     evidence_url="https://example.tn/decision")
    db.session.commit()


def main(argv):
    from flask_babel import force_locale
    from flask_migrate import upgrade

    from inventory import checklist as cl
    from inventory import checklist_export as ce
    from inventory import create_app
    from inventory.config import TestConfig
    from inventory.extensions import db
    from inventory.models import Organization, User

    count = int(next((a.split("=", 1)[1] for a in argv if a.startswith("--entries=")),
                     ENTRIES))
    tmp = tempfile.mkdtemp(prefix="bench-checklist-")

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"

    app = create_app(BenchConfig)
    figures = {"entries": count}
    with app.app_context():
        upgrade()  # the real schema, with the search-index triggers every insert fires
        org = Organization(code="MESRS", name_ar="وزارة التعليم العالي والبحث العلمي",
                           name_fr="Ministère de l'Enseignement supérieur et de la Recherche "
                                   "scientifique")
        user = User(email="bench@example.org", name="Leila Ben Salah", role="admin")
        db.session.add_all([org, user])
        db.session.commit()
        t_load, _ = _timed(lambda: populate(org, user, count))
        print(f"(set-up: {count} entries created in {t_load:.1f} s)")
        for lang in ("ar", "fr"):
            db.session.expire_all()
            t_status, subject = _timed(lambda: ce.organization_subject(org))
            with force_locale(lang):
                t_html, html = _timed(lambda lang=lang, s=subject: ce.render_pdf_html(s, lang))
            t_pdf, pdf = _timed(lambda lang=lang, s=subject: ce.export(s, "pdf", lang))
            pages = _pages(pdf)
            print(f"ministry PDF ({lang}), {count} entries:")
            print(f"  statuses computed (baseline)      {t_status:7.2f} s")
            print(f"  HTML rendered (baseline)          {t_html:7.2f} s   "
                  f"({len(html) / 1024:.0f} KiB)")
            print(f"  PDF (HTML + WeasyPrint layout)    {t_pdf:7.2f} s   x{t_pdf / t_html:.0f} "
                  f"the HTML; {pages} pages, {len(pdf) / 1024:.0f} KiB, "
                  f"{t_pdf / pages:.2f} s/page")
            figures[f"pdf_{lang}_s"] = round(t_pdf, 2)
            figures[f"pdf_{lang}_pages"] = pages
            figures[f"pdf_{lang}_kib"] = round(len(pdf) / 1024)
            figures[f"statuses_{lang}_s"] = round(t_status, 2)
            figures[f"html_{lang}_s"] = round(t_html, 2)
        entry = subject.summary.entries[0].dataset
        t_one, pdf = _timed(lambda: ce.export(ce.dataset_subject(entry), "pdf", "ar"))
        print(f"one entry's PDF (ar): {t_one:.2f} s, {_pages(pdf)} pages")
        figures["entry_pdf_s"] = round(t_one, 2)
        progress = subject.summary.dataset_progress
        figures["dataset_items_done"] = f"{progress.done}/{progress.applicable}"
        assert len(subject.summary.entries) == count and cl.items()
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
