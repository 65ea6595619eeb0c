"""Publishing to the real CKAN the way `inventory ckan publish --all` does it
(`batch.publish_batch`: unchanged entries recorded as skipped in one commit, the others through
an outbox row each, pipelined: the SHACL gate computed ahead in the gate process, mapping, push
by the writer thread, Publication and audit rows, a commit per entry) against a plain ckanapi
`package_create` loop over the same payloads (the same fields, the package id included), in
the same run, interleaved in chunks of 100, who goes first alternating, so both see the same
portal load; then re-publishing the same entries unchanged (target: 0 writes, < 5 s). The
writer's pacing (CKAN_RATE_PER_SECOND, a deliberate limit) is turned off: the figure is our
overhead. Both organizations exist on the portal before the clock starts.

    python -m bench ckan_publish [--entries=500]

The portal comes from CKAN_URL/CKAN_API_TOKEN, else TEST_CKAN_*, else `.ckan-env` (written by
`make services`). Each run uses fresh organization codes, so runs never collide, and purges
its packages and organizations at the end.
"""
import os
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _portal():
    url = os.environ.get("CKAN_URL") or os.environ.get("TEST_CKAN_URL")
    token = os.environ.get("CKAN_API_TOKEN") or os.environ.get("TEST_CKAN_API_TOKEN")
    env_file = ROOT / ".ckan-env"
    if not url and env_file.exists():
        for part in env_file.read_text().split():
            key, _, value = part.partition("=")
            if key.endswith("CKAN_URL"):
                url = value
            elif key.endswith("CKAN_API_TOKEN"):
                token = value
    return url, token


def _entries(org, n):
    from inventory.entries import create_entry
    from inventory.extensions import db
    out = []
    for i in range(n):
        ds = create_entry(
            org, None, title_ar=f"مجموعة بيانات رقم {i}", title_fr=f"Jeu de données n° {i}",
            description_ar="وصف.", description_fr=f"Description du jeu {i}.",
            keywords_fr=["bench", f"k{i % 7}"], owner_unit="Unité", personal_data="none",
            classification="open", access_rights="PUBLIC", license_code="TN-OPEN",
            contact_name="Cellule", contact_email="opendata@example.org", spatial=["TN"],
            frequency="ANNUAL", languages=["ar", "fr"], temporal_start=date(2020, 1, 1),
            themes=["EDUC", "ECON"],
            distributions=[{"title": "CSV", "format": "CSV",
                            "access_url": f"https://data.example.org/{i}",
                            "download_url": f"https://data.example.org/{i}.csv",
                            "byte_size": 1000 + i}])
        ds.status = "approved"
        out.append(ds)
    db.session.commit()
    return out


def _purge(api, organizations):
    """Take the run's packages and organizations off the portal again (after the clock): a
    local portal that keeps thousands of bench packages searches slowly (its stand-in for
    Solr scans every document), and the tests that share it would time out."""
    for org in organizations:
        while True:
            found = api.action.package_search(fq=f"organization:{org}", rows=1000,
                                              include_private=True, fl="id")["results"]
            if not found:
                break
            for package in found:
                api.action.dataset_purge(id=package["id"])
        api.action.organization_purge(id=org)


def main(argv):
    n = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--entries=")), 500)
    url, token = _portal()
    if not (url and token):
        print("skipped: no CKAN (set CKAN_URL/CKAN_API_TOKEN or run `make services`)")
        return {"skipped": True}
    tmp = tempfile.mkdtemp(prefix="bench-ckan-")
    os.environ["INSTANCE_PATH"] = tmp
    from flask_migrate import upgrade

    from catalog import batch, jobs
    from catalog.ckan import CkanClient
    from catalog.ckan_package import package_from_dataset
    from catalog.publish import eligible_query
    from inventory import create_app
    from inventory.extensions import db
    from inventory.models import Dataset, Organization

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                      "CKAN_URL": url, "CKAN_API_TOKEN": token, "QUEUE_URL": "memory://",
                      "CKAN_RATE_PER_SECOND": 0})
    with app.app_context():
        upgrade()
        tag = uuid.uuid4().hex[:6].upper()
        ours_org = Organization(code=f"BA{tag}", name_ar="وزارة", name_fr="Ministère A")
        base_org = Organization(code=f"BB{tag}", name_ar="وزارة", name_fr="Ministère B")
        db.session.add_all([ours_org, base_org])
        db.session.commit()
        datasets = _entries(ours_org, n)

        client = CkanClient(url, token, timeout=60)
        portal = client.profile()
        base_uri = app.config["CATALOG_BASE_URI"]
        payloads = []
        for ds in datasets:  # the same payloads, under the baseline organization
            payload = package_from_dataset(ds, portal, base_uri)
            payload["name"] = payload["name"].replace(ours_org.code.lower(),
                                                      base_org.code.lower())
            payload["owner_org"] = base_org.code.lower()
            # Ours sends the entry's UUID as the package id (a lost response is then found by
            # id, never duplicated); the same payload carries an id of its own here. CKAN
            # checks an explicit id: about 2.5% more per create, measured.
            payload["id"] = str(uuid.uuid4())
            payloads.append(payload)
        # Both organizations exist before the clock starts (CKAN takes seconds to create
        # one): the figures compare package writes.
        client.call("organization_create", write=True, name=base_org.code.lower(),
                    title="baseline")
        client.organization_ensure(ours_org)
        import ckanapi
        plain = ckanapi.RemoteCKAN(url, apikey=token)

        queue = jobs.get_queue()
        ours_s = base_s = 0.0
        chunk = 100
        summary = {"ok": 0, "failed": 0, "skipped": 0}

        def publish_chunk(ids):
            # What `inventory ckan publish --all` does (batch.publish_batch).
            chunk_datasets = db.session.scalars(eligible_query().where(
                Dataset.id.in_(ids))).all()
            _batch, counts, _failed = batch.publish_batch(chunk_datasets, queue, client)
            return counts

        def plain_chunk(chunk_payloads):
            for payload in chunk_payloads:
                plain.action.package_create(**payload)

        ids = [ds.id for ds in datasets]
        for number, start in enumerate(range(0, n, chunk)):
            # Who goes first alternates: the portal slows down as it fills up.
            for side in (("ours", "plain") if number % 2 == 0 else ("plain", "ours")):
                t0 = time.perf_counter()
                if side == "ours":
                    part = publish_chunk(ids[start:start + chunk])
                    ours_s += time.perf_counter() - t0
                    for key in summary:
                        summary[key] += part[key]
                else:
                    plain_chunk(payloads[start:start + chunk])
                    base_s += time.perf_counter() - t0
        writes_before = client.writes
        t0 = time.perf_counter()
        again = {"skipped": 0}
        for start in range(0, n, chunk):
            again["skipped"] += publish_chunk(ids[start:start + chunk])["skipped"]
        republish_s = time.perf_counter() - t0
        republish_writes = client.writes - writes_before
        _purge(plain, [ours_org.code.lower(), base_org.code.lower()])

    figures = {
        "entries": n,
        "publish_s": round(ours_s, 2), "baseline_package_create_s": round(base_s, 2),
        "ratio": round(ours_s / base_s, 3) if base_s else None,
        "published_ok": summary["ok"], "published_failed": summary["failed"],
        "republish_unchanged_s": round(republish_s, 2),
        "republish_writes": republish_writes, "republish_skipped": again["skipped"],
    }
    print(f"publish {n} entries: ours {ours_s:.1f} s vs plain ckanapi package_create "
          f"{base_s:.1f} s -> ratio {figures['ratio']} (target <= 1.2); "
          f"ok {summary['ok']}, failed {summary['failed']}")
    print(f"re-publish {n} unchanged entries: {republish_s:.2f} s, {republish_writes} writes "
          f"(target: 0 writes, < 5 s); skipped {again['skipped']}")
    return figures
