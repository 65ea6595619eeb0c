"""Catalogue export at scale: the streamed export from stored per-entry pieces against the
naive one-Graph rdflib baseline, measured in the same run on the same generated database.

    python -m bench catalog_export [--sizes=10000,100000] [--baseline-budget=900]

For each size: generate N approved public entries with 3 distributions each (bulk insert
into a temporary SQLite file), then run each variant in its own process (so peak memory is
the variant's own): build the stored pieces once, stream Turtle and N-Triples, baseline
Turtle and N-Triples; and the per-entry SHACL time of the conformance panel.
Targets at 100,000 entries: Turtle >= 5x faster than the baseline, peak RSS < 400 MB.
Wall and CPU seconds are both printed: the machine is shared, and wall time also counts the
neighbours' work.

rdflib's Turtle serializer slows down quadratically with the number of distinct IRI
"namespaces" (every dataset and download address adds one: `get_longest_namespace` scans
them all for each IRI), so the Turtle baseline cannot finish at 100,000 entries. A variant
still running after the budget is stopped and reported as "> budget": the speed-up printed
is then a lower bound (">= N"), and its peak memory the peak reached until then.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("build", "stream-ttl", "stream-nt", "baseline-ttl", "baseline-nt", "shacl")


def _generate(url, count):
    from flask_migrate import upgrade

    from bench._catalog_data import generate
    from inventory import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        generate(count)


def _vm_hwm_mb(pid):
    """Peak resident memory of a running process (Linux /proc), in MB."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _variant(url, variant, workdir, budget):
    """Run one variant in its own process; past `budget` seconds it is stopped and reported
    as not finished (its time is then a lower bound)."""
    output = str(Path(workdir) / f"{variant}.out")
    env = dict(os.environ, DATABASE_URL=url, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench._catalog_variant", variant, output],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = 0.0
    try:
        while proc.poll() is None:
            peak = max(peak, _vm_hwm_mb(proc.pid))
            if time.perf_counter() - started > budget:
                proc.kill()
                proc.wait()
                return {"variant": variant, "seconds": None, "stopped_after": budget,
                        "peak_rss_mb": round(peak, 1)}
            time.sleep(0.5)
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{variant} failed:\n{stderr[-3000:]}")
        return json.loads(stdout.strip().splitlines()[-1])
    finally:
        if os.path.exists(output):
            os.remove(output)


def _seconds(r):
    if r["seconds"] is None:
        return f"> {r['stopped_after']:.0f} s (stopped)"
    return f"{r['seconds']:>8.2f} s"


def _compare(results, fmt):
    stream, base, build = results[f"stream-{fmt}"], results[f"baseline-{fmt}"], \
        results["build"]
    finished = base["seconds"] is not None
    base_s = base["seconds"] if finished else base["stopped_after"]
    bound = "" if finished else ">= "
    figures = {
        f"speedup_{fmt}": f"{bound}{base_s / max(stream['seconds'], 1e-6):.1f}",
        f"cold_speedup_{fmt}": f"{bound}{base_s / max(stream['seconds'] + build['seconds'], 1e-6):.1f}",
    }
    print(f"  {fmt}: streamed {stream['seconds']:.2f} s vs baseline {_seconds(base).strip()} "
          f"-> x{figures[f'speedup_{fmt}']} (after rebuilding every stored piece first: "
          f"x{figures[f'cold_speedup_{fmt}']}); peak RSS {stream['peak_rss_mb']:.0f} MB vs "
          f"{bound}{base['peak_rss_mb']:.0f} MB", flush=True)
    return figures


def measure(count, budget):
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as workdir:
        url = f"sqlite:///{workdir}/bench.sqlite"
        started = time.perf_counter()
        # A separate process: the generator's memory must not count in any variant.
        subprocess.run([sys.executable, "-c",
                        f"from bench.catalog_export import _generate; _generate({url!r}, "
                        f"{count})"], cwd=ROOT, check=True, capture_output=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
        print(f"  {count:,} entries generated in {time.perf_counter() - started:.1f} s",
              flush=True)
        results = {}
        for variant in VARIANTS:
            r = results[variant] = _variant(url, variant, workdir, budget)
            print(f"  {variant:<13} {_seconds(r)}"
                  + (f" (CPU {r['cpu_seconds']:.2f} s)" if "cpu_seconds" in r else "")
                  + f"  peak RSS {r['peak_rss_mb']:>7.1f} MB"
                  + (f"  {r['bytes'] / 1e6:,.1f} MB written" if r.get("bytes") else "")
                  + (f"  {r['per_entry_ms']} ms/entry (CPU {r['per_entry_cpu_ms']} ms)"
                     if "per_entry_ms" in r else ""), flush=True)
        db_size = os.path.getsize(f"{workdir}/bench.sqlite")
    figures = {"entries": count, "database_mb": round(db_size / 1e6, 1), **results}
    for fmt in ("ttl", "nt"):
        figures.update(_compare(results, fmt))
    return figures


def main(argv):
    sizes = [10_000, 100_000]
    budget = 900.0
    for arg in argv:
        if arg.startswith("--sizes="):
            sizes = [int(x) for x in arg.split("=", 1)[1].split(",") if x]
        elif arg.startswith("--baseline-budget="):
            budget = float(arg.split("=", 1)[1])
    out = {}
    for count in sizes:
        print(f"catalogue export, {count:,} entries x 3 distributions (a variant is stopped "
              f"after {budget:.0f} s)", flush=True)
        out[str(count)] = measure(count, budget)
    return out
