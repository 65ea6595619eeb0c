"""Bulk generation of a national-scale inventory for benchmarks (not for tests).

`generate(app, entries=100_000, organizations=400)` fills an empty, migrated database with
realistic entries (Arabic and French titles combined from the demo templates, every workflow
state, 1–3 distributions, themes) using executemany in chunks: the ORM one by one would take
longer than the benchmark itself. Derived columns (folded search text, priority score and
tier) are computed with the application's own functions so queries see what the app writes.
"""
import random
import uuid
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from inventory import priority
from inventory.demo import GOVERNORATES, TEMPLATES
from inventory.extensions import db
from inventory.models import (
    ChecklistTick,
    Dataset,
    DatasetTheme,
    Distribution,
    Organization,
    Publication,
    ReviewEvent,
    User,
)

NAMESPACE = uuid.UUID("0b3c7f1e-2a44-4d1a-9c55-be0c4b000100")
STATUSES = (["draft"] * 3 + ["submitted"] * 2 + ["changes_requested", "approved", "approved",
            "published", "published", "withdrawn", "archived"])
SUBJECT_SUFFIXES = [("حسب الولاية", "par gouvernorat"), ("حسب الجنس", "par sexe"),
                    ("حسب السنة", "par année"), ("حسب القطاع", "par secteur"),
                    ("حسب المعتمدية", "par délégation"), ("الشهرية", "mensuel"),
                    ("الجهوية", "régional"), ("الوطنية", "national")]
CHUNK = 5000


def _organizations(n):
    rows = []
    for i in range(n):
        code = f"B{i:03d}"
        rows.append({"code": code, "name_ar": f"الهيكل العمومي عدد {i}",
                     "name_fr": f"Organisme public n° {i}", "name_en": "", "kind":
                     "ministry" if i < 25 else ("establishment" if i < 200 else "municipality"),
                     "email": "", "website": "", "active": True, "entry_seq": 0,
                     "created_at": datetime(2026, 1, 1), "updated_at": datetime(2026, 1, 1)})
    return rows


def generate(app, entries=100_000, organizations=400, distributions=(1, 3), seed=7, echo=print):
    """Fill the (empty, migrated) database of `app`; returns the number of entries."""
    rng = random.Random(seed)
    weights = priority.DEFAULT_WEIGHTS
    with app.app_context():
        conn = db.session.connection()
        conn.execute(sa.insert(Organization), _organizations(organizations))
        org_ids = list(db.session.scalars(sa.select(Organization.id).order_by(Organization.id)))
        org_codes = dict(db.session.execute(sa.select(Organization.id, Organization.code)).tuples().all())
        seq = dict.fromkeys(org_ids, 0)
        base = datetime(2026, 6, 1)
        dataset_id = 0
        for start in range(0, entries, CHUNK):
            ds_rows, theme_rows, dist_rows = [], [], []
            for i in range(start, min(entries, start + CHUNK)):
                dataset_id += 1
                template = TEMPLATES[i % len(TEMPLATES)]
                (_org, theme, t_ar, t_fr, d_ar, d_fr, k_ar, k_fr, freq, formats, source,
                 hvd) = template
                suffix_ar, suffix_fr = SUBJECT_SUFFIXES[(i // len(TEMPLATES)) % 8]
                year = 2010 + i % 16
                org_id = org_ids[i % len(org_ids)]
                seq[org_id] += 1
                status = STATUSES[i % len(STATUSES)]
                restricted = i % 9 == 4
                ds = Dataset(
                    title_ar=f"{t_ar} {suffix_ar} {year}", title_fr=f"{t_fr} {suffix_fr} {year}",
                    title_en="", description_ar=d_ar, description_fr=d_fr, description_en="",
                    keywords_ar=list(k_ar), keywords_fr=list(k_fr), keywords_en=[],
                    classification="restricted" if restricted else "open",
                    demand=rng.randint(0, 3), ati_requests=rng.randint(0, 12),
                    value=rng.randint(0, 3), legal_obligation=i % 4 == 0,
                    readiness=rng.randint(0, 3), risk=rng.randint(0, 3), hvd_category=hvd)
                ds.reference = f"{org_codes[org_id]}-{seq[org_id]:04d}"
                ds.refresh_search_text()
                result = priority.compute(ds, weights)
                updated = base - timedelta(minutes=i * 3)
                ds_rows.append({
                    "id": dataset_id,
                    "uuid": str(uuid.uuid5(NAMESPACE, str(i))), "reference": ds.reference,
                    "organization_id": org_id, "status": status, "version": 1,
                    "created_at": updated - timedelta(days=30), "updated_at": updated,
                    "title_ar": ds.title_ar, "title_fr": ds.title_fr, "title_en": "",
                    "description_ar": d_ar, "description_fr": d_fr, "description_en": "",
                    "keywords_ar": list(k_ar), "keywords_fr": list(k_fr), "keywords_en": [],
                    "owner_unit": "Direction des statistiques", "steward": "", "source_system":
                    source, "storage_location": "", "volume": "", "update_mechanism": "",
                    "personal_data": "none", "personal_data_categories": "",
                    "classification": ds.classification,
                    "restriction_grounds": ["PUBLIC_SECURITY"] if restricted else [],
                    "harm_note": "", "public_interest_note": "", "proportionality_note": "",
                    "restriction_review_date": date(2027, 6, 30) if restricted else None,
                    "other_constraints": "",
                    "access_rights": "RESTRICTED" if restricted else "PUBLIC",
                    "license_code": None if restricted else "TN-OPEN", "legal_basis": "",
                    "landing_page": f"https://data.example.org/{i}", "documentation_url": "",
                    "contact_name": "Cellule open data",
                    "contact_email": "opendata@example.org", "hvd_category": hvd,
                    "spatial": ["TN"] if i % 3 else rng.sample(GOVERNORATES, 2),
                    "temporal_start": date(year, 1, 1), "temporal_end": date(year, 12, 31),
                    "frequency": freq, "languages": ["ar", "fr"],
                    "demand": ds.demand, "ati_requests": ds.ati_requests, "value": ds.value,
                    "legal_obligation": ds.legal_obligation, "readiness": ds.readiness,
                    "risk": ds.risk, "priority_score": result.score,
                    "priority_tier": result.tier, "priority_override_reason": "",
                    "search_text": ds.search_text,
                    "submitted_at": updated if status != "draft" else None,
                    "approved_at": updated if status in ("approved", "published") else None,
                })
                theme_rows.append({"dataset_id": dataset_id, "code": theme})
                if i % 5 == 0:
                    theme_rows.append({"dataset_id": dataset_id, "code": "GOVE" if theme !=
                                       "GOVE" else "ECON"})
                if not restricted:
                    count = rng.randint(*distributions)
                    for position, fmt in enumerate((formats * 3)[:count]):
                        dist_rows.append({
                            "dataset_id": dataset_id, "position": position,
                            "title": f"{t_fr} — {fmt}", "description": "",
                            "access_url": f"https://data.example.org/{i}/{position}",
                            "download_url": f"https://data.example.org/{i}/{position}."
                                            f"{fmt.lower()}",
                            "format": fmt, "media_type": "", "byte_size": rng.randint(
                                1000, 10_000_000), "license_code": None,
                            "availability": "STABLE"})
            conn.execute(sa.insert(Dataset), ds_rows)
            conn.execute(sa.insert(DatasetTheme), theme_rows)
            if dist_rows:
                conn.execute(sa.insert(Distribution), dist_rows)
            db.session.commit()
            conn = db.session.connection()
            if echo:
                echo(f"  generated {min(entries, start + CHUNK):,} / {entries:,} entries")
        for org_id, last in seq.items():
            conn.execute(sa.update(Organization).where(Organization.id == org_id)
                         .values(entry_seq=last))
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('dataset', 'id'), "
                                 "(SELECT max(id) FROM dataset))")
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
        db.session.commit()
    return entries


def admin_user(app, email="bench-admin@example.org", password="Bench-admin-2026"):
    """An admin account for load generators to sign in with; returns (email, password)."""
    from inventory.auth import hash_password
    with app.app_context():
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            db.session.add(User(email=email, role="admin", name="Bench",
                                password_hash=hash_password(password)))
            db.session.commit()
    return email, password


def give_a_history(app, dataset_uuid):
    """Give a published entry what a real one has and bulk generation leaves out (once: an
    entry that has review events is left as it is): its review events (submitted, changes
    requested with a field comment, submitted again, approved, published), two portal attempts
    (a time-out, then a success), its portal state and a hand-ticked checklist item. The entry
    page shows all of them, so a page measured on a bare entry would do less than a real
    one."""
    with app.app_context():
        ds = db.session.scalar(sa.select(Dataset).where(Dataset.uuid == dataset_uuid))
        if ds is None or ds.status != "published" or db.session.scalar(
                sa.select(ReviewEvent.id).where(ReviewEvent.dataset_id == ds.id).limit(1)):
            return
        officer = _bench_user("bench-officer@example.org", "officer", "Amel Ben Salah",
                              ds.organization)
        reviewer = _bench_user("bench-reviewer@example.org", "reviewer", "Karim Jaziri")
        start = ds.updated_at - timedelta(days=30)
        steps = [
            ("submit", "draft", "submitted", officer, "", {}),
            ("request_changes", "submitted", "changes_requested", reviewer,
             "Préciser la licence et la fréquence de mise à jour.",
             {"license_code": "Choisir une licence ouverte.",
              "frequency": "La fréquence annoncée ne correspond pas aux fichiers."}),
            ("submit", "changes_requested", "submitted", officer, "Licence et fréquence revues.",
             {}),
            ("approve", "submitted", "approved", reviewer, "", {}),
            ("publish", "approved", "published", None, "", {}),
        ]
        for day, (action, before, after, actor, comment, fields) in enumerate(steps):
            db.session.add(ReviewEvent(
                dataset_id=ds.id, actor_id=actor.id if actor else None,
                at=start + timedelta(days=day * 5), action=action, from_status=before,
                to_status=after, comment=comment, field_comments=fields))
        published_at = start + timedelta(days=20)
        name = f"inventory-{ds.reference.lower()}"
        db.session.add_all([
            Publication(dataset_id=ds.id, at=published_at, action="publish", outcome="failed",
                        attempt=1, error_code="timeout",
                        error_message="HTTPSConnectionPool: read timed out (30 s)"),
            Publication(dataset_id=ds.id, at=published_at + timedelta(minutes=5),
                        action="publish", outcome="ok", attempt=2, ckan_id=str(uuid.uuid4()),
                        ckan_name=name, duration_ms=840),
            ChecklistTick(item_id="D02", dataset_id=ds.id, organization_id=ds.organization_id,
                          done=True, by_id=officer.id, at=start + timedelta(days=1),
                          note="Décision du comité de pilotage du 12 mai, procès-verbal n° 7.",
                          evidence_url="https://intranet.example.tn/pv/7"),
        ])
        ds.ckan_state, ds.ckan_name = "active", name
        ds.ckan_url = f"https://data.example.tn/dataset/{name}"
        ds.ckan_synced_at = published_at + timedelta(minutes=5)
        db.session.commit()


def _bench_user(email, role, name, organization=None):
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, role=role, name=name, password_hash="!")
        if organization is not None:
            user.organizations.append(organization)
        db.session.add(user)
        db.session.flush()
    return user
