"""Generate N public inventory entries (3 distributions each) in a fresh SQLite database, by
bulk inserts (Core executemany, not the ORM one by one). Used by `bench/catalog_export.py`."""
import random
import uuid
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from inventory.demo import TEMPLATES
from inventory.extensions import db
from inventory.models import Dataset, DatasetTheme, Distribution, Organization
from inventory.seed import seed_organizations

FORMATS = ("CSV", "XLSX", "JSON", "GEOJSON", "PDF", "XML")
GOVERNORATES = ("TN-11", "TN-12", "TN-13", "TN-21", "TN-51", "TN-61", "TN-71", "TN-81")
BATCH = 5000


def generate(count, seed=2021):
    """Insert `count` approved, public, open entries; returns the number inserted."""
    seed_organizations()
    db.session.commit()
    orgs = {o.code: o.id for o in db.session.scalars(sa.select(Organization))}
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    next_id = 1
    for offset in range(0, count, BATCH):
        datasets, themes, dists = [], [], []
        for i in range(offset, min(count, offset + BATCH)):
            t = TEMPLATES[i % len(TEMPLATES)]
            org_code, theme = t[0], t[1]
            year = 2010 + i % 15
            moment = start + timedelta(minutes=i)
            datasets.append({
                "id": next_id, "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "reference": f"{org_code}-{i + 1:07d}", "organization_id": orgs[org_code],
                "status": "approved", "version": 1, "created_at": moment,
                "updated_at": moment, "approved_at": moment,
                "title_ar": f"{t[2]} ({year})", "title_fr": f"{t[3]} ({year})",
                "title_en": "", "description_ar": t[4], "description_fr": t[5],
                "description_en": "", "keywords_ar": list(t[6]), "keywords_fr": list(t[7]),
                "keywords_en": [], "owner_unit": "Direction des statistiques",
                "steward": "", "source_system": t[10], "storage_location": "", "volume": "",
                "update_mechanism": "", "personal_data": "none",
                "personal_data_categories": "", "classification": "open",
                "restriction_grounds": [], "harm_note": "", "public_interest_note": "",
                "proportionality_note": "", "other_constraints": "",
                "access_rights": "PUBLIC", "license_code": "TN-OPEN",
                "legal_basis": "", "landing_page": f"https://data.example.org/{i}",
                "documentation_url": "", "contact_name": "Cellule open data",
                "contact_email": "opendata@example.org", "hvd_category": t[11],
                "spatial": ["TN"] if i % 3 else rng.sample(GOVERNORATES, 2),
                "temporal_start": date(year, 1, 1), "temporal_end": date(year, 12, 31),
                "frequency": t[8], "languages": ["ar", "fr"], "legal_obligation": False,
                "priority_override_reason": "", "search_text": ""})
            themes.append({"dataset_id": next_id, "code": theme})
            for position in range(3):
                fmt = FORMATS[(i + position) % len(FORMATS)]
                dists.append({
                    "dataset_id": next_id, "position": position,
                    "title": f"{t[3]} — {fmt}", "description": "",
                    "access_url": f"https://data.example.org/{i}/{position}",
                    "download_url": f"https://data.example.org/{i}/{position}.{fmt.lower()}",
                    "format": fmt, "media_type": "", "byte_size": rng.randint(1000, 10**8),
                    "availability": "STABLE"})
            next_id += 1
        db.session.execute(sa.insert(Dataset), datasets)
        db.session.execute(sa.insert(DatasetTheme), themes)
        db.session.execute(sa.insert(Distribution), dists)
        db.session.commit()
    return count
