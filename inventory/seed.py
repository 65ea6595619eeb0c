"""Reference data loaded into the database (organizations from the reference ministries)."""
from .extensions import db
from .models import Organization
from .vocabularies import ministries


def seed_organizations():
    """Create missing reference ministries; never overwrite names an admin edited.
    Returns the number created."""
    existing = set(db.session.scalars(db.select(Organization.code)))
    created = 0
    for row in ministries():
        if row["code"] in existing:
            continue
        db.session.add(Organization(code=row["code"], name_ar=row["name_ar"],
                                    name_fr=row["name_fr"], kind="ministry"))
        created += 1
    db.session.flush()
    return created
