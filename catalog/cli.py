"""`inventory catalog ...` (DCAT-AP export and validation), `inventory ckan ...` (portal
publishing) and `inventory worker` (background jobs). Commits happen here."""
import click
from flask.cli import with_appcontext


def register_cli(app):
    app.cli.add_command(catalog_cli)
    app.cli.add_command(ckan_cli)
    app.cli.add_command(worker_cli)


@click.group("catalog", help="The public DCAT-AP catalogue.")
def catalog_cli():
    pass


@catalog_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["ttl", "xml", "jsonld", "nt"]),
              required=True, help="Turtle, RDF/XML, JSON-LD or N-Triples.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write (default: standard output).")
@with_appcontext
def catalog_export(fmt, output):
    """Write the whole public catalogue, streamed in bounded memory.

    Stale per-entry pieces are rebuilt (and kept) on the way. A file is written under a
    temporary name and renamed at the end, so a failed export never leaves half a file.
    """
    import os
    import time

    from inventory.extensions import db

    from . import fragments

    def commit():
        db.session.commit()
        db.session.expunge_all()  # bounded memory: forget the rows of the last chunk

    started = time.perf_counter()
    size = 0
    if output:
        tmp = f"{output}.part"
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for chunk in fragments.catalog_document(fmt, commit=commit):
                fh.write(chunk)
                size += len(chunk)
        os.replace(tmp, output)
    else:
        out = click.get_text_stream("stdout")
        for chunk in fragments.catalog_document(fmt, commit=commit):
            out.write(chunk)
            size += len(chunk)
        out.flush()
    db.session.commit()
    click.echo(f"catalogue exported ({fmt}, {size:,} characters) in "
               f"{time.perf_counter() - started:.1f} s", err=True)


@catalog_cli.command("validate")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--details", is_flag=True, help="Also list every result (focus node, message).")
@with_appcontext
def catalog_validate(file, details):
    """Check FILE (or the live public catalogue) against the DCAT-AP 3.0.1 SHACL shapes.

    Exit status 1 when there is any violation. The live catalogue is checked one chunk of
    entries at a time, so memory stays bounded.
    """
    from inventory.extensions import db

    from . import shacl
    from .fragments import validate_catalogue

    if file:
        try:
            report = shacl.validate_file(file)
        except Exception as exc:  # a file that is not RDF: say so, do not crash
            raise click.ClickException(f"{file}: not readable as RDF ({exc})") from exc
        source = file
    else:
        report = validate_catalogue(commit=db.session.commit)
        db.session.commit()
        source = "the public catalogue"
    click.echo(f"DCAT-AP 3.0.1 check of {source}")
    for severity, classes, path, component, count in shacl.summary(report):
        click.echo(f"  {severity:<9} {classes:<32} {path:<30} {component:<34} x{count}")
    if details:
        for r in report.results:
            click.echo(f"  - {r.severity}: {r.focus} {r.path}: {r.message}"
                       + (f" (value: {r.value})" if r.value else ""))
    click.echo(f"  {len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    if report.violations:
        raise SystemExit(1)


@catalog_cli.command("refresh")
@with_appcontext
def catalog_refresh():
    """Rebuild every stale stored piece of the public catalogue (e.g. after a deploy)."""
    from inventory.extensions import db

    from . import fragments

    count = fragments.refresh_all(commit=db.session.commit)
    db.session.commit()
    click.echo(f"{count} entr{'y' if count == 1 else 'ies'} rebuilt")


# --------------------------------------------------------------------------- ckan

@click.group("ckan", help="Publishing to the CKAN portal.")
def ckan_cli():
    pass


@ckan_cli.command("publish")
@click.option("--all", "all_", is_flag=True, help="Every approved public entry.")
@click.option("--dataset", "dataset_uuid", metavar="UUID", help="One entry.")
@click.option("--dry-run", is_flag=True, help="Say what would be done; write nothing.")
@click.option("--force", is_flag=True, help="Push even entries the portal already has as they are.")
@with_appcontext
def ckan_publish(all_, dataset_uuid, dry_run, force):
    """Push approved entries to the portal; prints a summary; exit 1 if any failed."""
    import sys

    from flask import g

    from inventory.extensions import db
    from inventory.models import Dataset

    from . import batch, jobs
    from .ckan import PublishError, error_message
    from .publish import client_from_app, eligible_query
    from .publish import dry_run as what_if

    if bool(all_) == bool(dataset_uuid):
        raise click.UsageError("give either --all or --dataset UUID")
    g.channel = "cli"
    if dataset_uuid:
        datasets = db.session.scalars(db.select(Dataset).where(Dataset.uuid == dataset_uuid)).all()
        if not datasets:
            raise click.UsageError(f"no entry with uuid {dataset_uuid}")
    else:
        datasets = db.session.scalars(eligible_query()).all()
    queue = jobs.get_queue()
    try:
        client = client_from_app(pace=queue.writer.pace)
    except PublishError as exc:
        if not dry_run:
            click.echo(f"error: {error_message(exc.code)} ({exc.detail})", err=True)
            raise SystemExit(1) from exc
        client = None
    if dry_run:
        counts = {}
        for ds in datasets:
            action = what_if(ds, client)
            counts[action] = counts.get(action, 0) + 1
            click.echo(f"{ds.reference:14} {ds.uuid}  would: {action}")
        click.echo("dry run: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                   if counts else "dry run: nothing to publish")
        raise SystemExit(1 if set(counts) & {"not_publishable", "shacl"} else 0)

    with click.progressbar(length=len(datasets), label="publishing", file=sys.stderr,
                           show_pos=True) as bar:
        batch_id, counts, failed = batch.publish_batch(datasets, queue, client, force=force,
                                                       progress=bar.update)
    for pub in failed:
        ds = pub.dataset
        fields = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in
                           (pub.field_errors or {}).items())
        click.echo(f"FAILED {ds.reference} {ds.uuid}: {error_message(pub.error_code)}"
                   f"{' — ' + pub.error_message if pub.error_message else ''}"
                   f"{' [' + fields + ']' if fields else ''}", err=True)
    click.echo(f"batch {batch_id}: {len(datasets)} entries — published {counts['ok']}, "
               f"unchanged/skipped {counts['skipped']}, failed {counts['failed']}"
               f" (client writes: {client.writes})")
    raise SystemExit(1 if failed else 0)


@ckan_cli.command("reconcile")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report.")
@with_appcontext
def ckan_reconcile(as_json):
    """Report drift: published entries missing on the portal, portal datasets of our
    organizations the inventory does not know, datasets edited on the portal."""
    import json

    from .ckan import PublishError, error_message
    from .publish import client_from_app
    from .reconcile import reconcile

    try:
        report = reconcile(client_from_app())
    except PublishError as exc:
        click.echo(f"error: {error_message(exc.code)} ({exc.detail})", err=True)
        raise SystemExit(1) from exc
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
        return
    for item in report.missing:
        click.echo(f"MISSING  {item.reference} {item.name}: {item.reason}")
    for item in report.extra:
        click.echo(f"UNKNOWN  {item.name} ({item.organization}): {item.title}")
    for item in report.edited:
        click.echo(f"EDITED   {item.reference} {item.name}"
                   f"{' (local changes not pushed yet)' if item.local_changes else ''}")
        for diff in item.diffs:
            click.echo(f"    {diff.field}: inventory={diff.ours!r} portal={diff.theirs!r}")
    click.echo(f"reconcile: {len(report.missing)} missing, {len(report.extra)} unknown on the "
               f"portal, {len(report.edited)} edited on the portal, {report.in_sync} in sync")


# --------------------------------------------------------------------------- worker

@click.command("worker")
@click.option("--poll", type=float, default=0.5, show_default=True,
              help="Seconds between queue polls when idle.")
@with_appcontext
def worker_cli(poll):
    """Run background jobs (portal publishing) until interrupted."""
    import signal
    import threading

    from flask import current_app

    from . import jobs

    queue = jobs.get_queue()
    stop = threading.Event()

    def _stop(signum, _frame):
        click.echo(f"worker: signal {signum}, finishing the current job", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(f"worker: queue {queue.backend} ({queue.name}), portal "
               f"{current_app.config.get('CKAN_URL') or '(not configured)'}", err=True)
    jobs.run_worker(queue, stop, poll=poll)
    click.echo("worker: stopped", err=True)
