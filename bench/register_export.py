"""Register export of one large body in bounded memory: peak RSS of `inventory export register`
(streamed: entries read 500 at a time, rows written as they come) at 5,000 and 20,000 entries,
against the same export with every entry loaded first and the file built in memory (what the
export did before it streamed), in the same run. Each measurement runs in its own process
(peak RSS of that process, `ru_maxrss`). Target: the streamed export's peak memory does not
grow with the register (bounded), and stays well below the in-memory baseline.

    python -m bench register_export [--sizes=5000,20000]
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_MEASURE = r"""
import resource, sys, time
from inventory import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
mode, fmt, out = sys.argv[2], sys.argv[3], sys.argv[4]
with app.app_context():
    from inventory import registry_export as rx
    from inventory.models import Organization
    from inventory.extensions import db
    org = db.session.scalar(db.select(Organization).where(Organization.code == "B000"))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    if mode == "streamed":
        with open(out, "wb") as fh:
            rx.write_register(fh, org, fmt, "ar")
    else:  # baseline: every entry in memory, then the whole file as bytes
        from inventory.models import Dataset
        datasets = list(db.session.scalars(db.select(Dataset).where(
            Dataset.organization_id == org.id).order_by(Dataset.reference)))
        data = rx.export_register(org, fmt, "ar", datasets=datasets)
        open(out, "wb").write(data)
    print(round(time.perf_counter() - t0, 2), base // 1024,
          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _measure(url, mode, fmt, out):
    result = subprocess.run([sys.executable, "-c", _MEASURE, url, mode, fmt, out], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    seconds, before, peak = result.stdout.split()[-3:]
    return {"seconds": float(seconds), "rss_before_mb": int(before), "peak_rss_mb": int(peak),
            "bytes": os.path.getsize(out)}


def main(argv):
    sizes = next((a.split("=", 1)[1] for a in argv if a.startswith("--sizes=")), "5000,20000")
    sizes = [int(x) for x in sizes.split(",")]
    from flask_migrate import upgrade

    from bench._generate import generate
    from inventory import create_app
    work = Path(tempfile.mkdtemp(prefix="bench-register-export-"))
    results = {}
    for n in sizes:
        url = f"sqlite:///{work}/register-{n}.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
        started = time.perf_counter()
        generate(app, entries=n, organizations=1, echo=lambda _m: None)
        print(f"  {n:,} entries of one body generated in {time.perf_counter() - started:.0f} s",
              flush=True)
        for fmt in ("xlsx", "csv"):
            for mode in ("streamed", "in memory (baseline)"):
                key = "streamed" if mode == "streamed" else "baseline"
                figures = _measure(url, key, fmt, str(work / f"out-{n}-{key}.{fmt}"))
                results[f"{n} {fmt} {key}"] = figures
                print(f"  {n:>6,} entries {fmt:4} {mode:21} peak RSS {figures['peak_rss_mb']:4} MB"
                      f" (after start-up {figures['rss_before_mb']} MB)  "
                      f"{figures['seconds']:6.1f} s  {figures['bytes'] / 1e6:6.1f} MB file",
                      flush=True)
    return results
