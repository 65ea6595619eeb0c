"""One measured variant of the catalogue export, run in its own process so that its peak
memory is its own: `python -m bench._catalog_variant VARIANT OUTPUT` with DATABASE_URL set.
Prints one JSON line: seconds, peak RSS (MB), bytes written.

Variants:
  build              rebuild every entry's stored pieces (what a deploy that changes the
                     mapping costs once; edits rebuild one entry at a time)
  stream-ttl|nt      the streamed export from the stored pieces (`inventory catalog export`)
  baseline-ttl|nt    the naive export: one rdflib Graph of the same triples, then serialize
  shacl              per-entry SHACL validation (the conformance panel's check)
"""
import json
import os
import resource
import sys
import time


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(variant, output):
    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    from catalog import dcat, fragments
    from catalog.namespaces import new_graph
    from inventory import create_app
    from inventory.extensions import db
    from inventory.models import Dataset

    app = create_app()
    with app.app_context():
        started, cpu_started = time.perf_counter(), time.process_time()
        written = 0
        extra = {}
        if variant == "build":
            extra["rebuilt"] = fragments.refresh_all(commit=lambda: (db.session.commit(),
                                                                     db.session.expunge_all()))
        elif variant.startswith("stream-"):
            fmt = variant.split("-", 1)[1]
            with open(output, "w", encoding="utf-8") as fh:
                for chunk in fragments.catalog_document(fmt, commit=db.session.commit):
                    fh.write(chunk)
        elif variant.startswith("baseline-"):
            fmt = {"ttl": "turtle", "nt": "nt"}[variant.split("-", 1)[1]]
            graph = new_graph()
            header, _keys = fragments.catalog_header()
            graph += header
            last = 0
            while True:  # the entries are read in chunks; only the graph holds everything
                chunk = db.session.scalars(
                    sa.select(Dataset).where(fragments.public_filter(), Dataset.id > last)
                    .order_by(Dataset.id).limit(1000)
                    .options(selectinload(Dataset.distributions),
                             selectinload(Dataset.theme_rows))).all()
                if not chunk:
                    break
                for dataset in chunk:
                    dcat.dataset_to_rdf(dataset, graph)
                last = chunk[-1].id
                db.session.expunge_all()
            extra["triples"] = len(graph)
            with open(output, "wb") as fh:
                graph.serialize(fh, format=fmt, encoding="utf-8")
        elif variant == "shacl":
            from catalog import shacl
            shacl.shapes_graph()  # parsed once per process, as in the app
            datasets = db.session.scalars(sa.select(Dataset).order_by(Dataset.id).limit(50)
                                          .options(selectinload(Dataset.distributions))).all()
            started, cpu_started = time.perf_counter(), time.process_time()
            for dataset in datasets:
                shacl.validate(dcat.dataset_graph(dataset))
            extra["per_entry_ms"] = round((time.perf_counter() - started) * 1000
                                          / len(datasets), 1)
            # CPU time too: on a shared machine, wall time also counts the neighbours' work
            extra["per_entry_cpu_ms"] = round((time.process_time() - cpu_started) * 1000
                                              / len(datasets), 1)
        else:
            raise SystemExit(f"unknown variant {variant}")
        seconds = time.perf_counter() - started
        extra["cpu_seconds"] = round(time.process_time() - cpu_started, 2)
        if variant.startswith(("stream-", "baseline-")):
            written = os.path.getsize(output)
    print(json.dumps({"variant": variant, "seconds": round(seconds, 2),
                      "peak_rss_mb": round(peak_rss_mb(), 1), "bytes": written, **extra}))


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "/dev/null")
