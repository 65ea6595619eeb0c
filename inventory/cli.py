"""The `inventory` command (same as `flask --app wsgi ...`). Commits happen here."""
import sys

import click
from flask import g
from flask.cli import FlaskGroup, with_appcontext

from .extensions import db


def main():
    """Entry point of the `inventory` console script."""
    from . import create_app
    cli = FlaskGroup(create_app=create_app, add_version_option=False,
                     help="Public-data inventory: inventory, review, catalogue, publishing.")
    cli.main(prog_name="inventory")


def register_cli(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(orgs_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(import_register)
    app.cli.add_command(export_cli)
    app.cli.add_command(checklist_cli)
    app.cli.add_command(tokens_cli)


@click.group("users", help="Manage user accounts.")
def users_cli():
    pass


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["officer", "reviewer", "admin"]), required=True)
@click.option("--org", "orgs", multiple=True, metavar="CODE",
              help="Organization code (repeat for several).")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(email, role, orgs, name, password_stdin):
    """Create a user (or update the role/organizations of an existing one)."""
    from .audit import record_audit
    from .auth import hash_password, password_problem
    from .models import Organization, User

    g.channel = "cli"
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.UsageError(f"not an e-mail address: {email!r}")
    organizations = []
    for code in orgs:
        org = db.session.scalar(db.select(Organization).where(Organization.code == code.upper()))
        if org is None:
            raise click.UsageError(f"unknown organization code: {code}")
        organizations.append(org)
    if role in ("officer", "reviewer") and not organizations:
        raise click.UsageError(f"a {role} needs at least one --org")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.UsageError(f"password rejected: {problem}")
    user = db.session.scalar(db.select(User).where(User.email == email))
    created = user is None
    if created:
        user = User(email=email)
        db.session.add(user)
    user.role = role
    user.name = name or user.name
    user.password_hash = hash_password(password)
    user.organizations = organizations
    db.session.flush()
    record_audit(None, "user.create" if created else "user.update", user, email=email, role=role,
                 organizations=[o.code for o in organizations])
    db.session.commit()
    click.echo(f"{'created' if created else 'updated'} {email} ({role}"
               f"{', ' + ', '.join(o.code for o in organizations) if organizations else ''})")


@click.group("orgs", help="Organizations (public bodies).")
def orgs_cli():
    pass


@orgs_cli.command("seed")
@with_appcontext
def orgs_seed():
    """Load the reference ministries (idempotent: edited names are kept)."""
    from .seed import seed_organizations
    created = seed_organizations()
    db.session.commit()
    click.echo(f"{created} organization(s) created")


@click.group("demo", help="Demonstration data.")
def demo_cli():
    pass


@demo_cli.command("load")
@click.option("--datasets", "count", type=click.IntRange(0, 200000), default=60, show_default=True)
@click.option("--seed", type=int, default=2021, show_default=True)
@click.option("--only-if-empty", is_flag=True, help="Do nothing when entries already exist.")
@with_appcontext
def demo_load(count, seed, only_if_empty):
    """Load realistic demo data across ministries and workflow states (idempotent)."""
    from .demo import DEMO_ACCOUNTS, load_demo
    from .models import Dataset

    g.channel = "cli"
    if only_if_empty and db.session.scalar(db.select(db.func.count(Dataset.id))):
        click.echo("entries already exist: demo data not loaded")
    else:
        stats = load_demo(count=count, seed=seed, echo=click.echo)
        click.echo(f"demo data: {stats['created']} entries created, {stats['skipped']} already "
                   f"present")
    click.echo("demo accounts (e-mail / password / role):")
    for email, password, role, orgs in DEMO_ACCOUNTS:
        click.echo(f"  {email:32} {password:20} {role}{' ' + ','.join(orgs) if orgs else ''}")


# --------------------------------------------------------------------------- register & checklist

def _organization(code):
    from .models import Organization
    org = db.session.scalar(db.select(Organization).where(Organization.code == code.upper()))
    if org is None:
        raise click.UsageError(f"unknown organization code: {code}")
    return org


def _write_output(path, data):
    with open(path, "wb") as fh:
        fh.write(data)
    click.echo(f"wrote {path} ({len(data)} bytes)")


LANG_CHOICE = click.Choice(["ar", "fr", "en"])


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", "org_code", required=True, metavar="CODE",
              help="Organization whose inventory receives the rows.")
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--lang", type=LANG_CHOICE, help="Language of the report (default: DEFAULT_LOCALE).")
@click.option("--user", "email", metavar="EMAIL", help="Record the import as made by this user.")
@with_appcontext
def import_register(path, org_code, dry_run, lang, email):
    """Import a register (XLSX or CSV): every problem is reported by row and column; valid rows
    are written as drafts in one transaction. Exit status 1 when anything was reported."""
    from flask import current_app
    from flask_babel import force_locale

    from .models import User
    from .registry_import import import_file, limits

    g.channel = "cli"
    org = _organization(org_code)
    user = None
    if email:
        user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.UsageError(f"unknown user: {email}")
    max_bytes, _rows = limits()
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)  # one byte more than the limit is enough to refuse it

    def progress(p):
        click.echo(f"  {p.phase}: {p.done} rows", err=True)

    with force_locale(lang or current_app.config["DEFAULT_LOCALE"]):
        report = import_file(data, click.format_filename(path), org, user, dry_run, progress)
        if not report.written and not dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        for line in report_lines(report):
            click.echo(line)
    sys.exit(0 if report.ok else 1)


def report_lines(report):
    """The import report as plain text lines (in the current locale)."""
    from flask_babel import gettext as _
    if report.file_error is not None:
        return [_("File rejected: %(message)s", message=str(report.file_error))]
    lines = [_("%(rows)s rows read (%(empty)s empty rows skipped).", rows=report.rows,
               empty=report.empty_rows)]
    if report.dry_run:
        lines.append(_("Dry run, nothing written: %(create)s to create, %(update)s to update, "
                       "%(same)s unchanged, %(bad)s with problems, %(locked)s not editable.",
                       create=report.created, update=report.updated, same=report.unchanged,
                       bad=report.invalid, locked=report.not_editable))
    else:
        lines.append(_("Imported: %(create)s created, %(update)s updated, %(same)s unchanged, "
                       "%(bad)s with problems, %(locked)s not editable.",
                       create=report.created, update=report.updated, same=report.unchanged,
                       bad=report.invalid, locked=report.not_editable))
    for column in report.ignored_columns:
        lines.append(_("Column not recognised, ignored: %(column)s", column=column))
    for p in report.problems:
        lines.append(_("Row %(row)s, column %(column)s, value “%(value)s”: %(message)s",
                       row=p.row, column=p.column, value=p.value, message=str(p.message)))
    return lines


@click.group("export", help="Export the inventory register.")
def export_cli():
    pass


@export_cli.command("register")
@click.option("--org", "org_code", required=True, metavar="CODE")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), required=True)
@click.option("--lang", type=LANG_CHOICE, help="Language of the headers and labels.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_register(org_code, fmt, lang, output):
    """Every entry of the organization, public and internal fields, one row each."""
    from flask import current_app

    from .registry_export import write_register
    org = _organization(org_code)
    with open(output, "wb") as fh:  # streamed: a large register never sits in memory
        write_register(fh, org, fmt, lang or current_app.config["DEFAULT_LOCALE"])
        size = fh.tell()
    click.echo(f"wrote {output} ({size} bytes)")


@click.group("checklist", help="The open-data guide checklist.")
def checklist_cli():
    pass


@checklist_cli.command("export")
@click.option("--org", "org_code", metavar="CODE", help="A ministry's checklist.")
@click.option("--dataset", "dataset_uuid", metavar="UUID", help="One entry's checklist.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "xlsx", "csv", "md"]), required=True)
@click.option("--lang", type=LANG_CHOICE, required=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def checklist_export(org_code, dataset_uuid, fmt, lang, output):
    """The checklist of a ministry (with every entry summarised) or of one entry."""
    from . import checklist_export as ce
    from .models import Dataset
    if bool(org_code) == bool(dataset_uuid):
        raise click.UsageError("give either --org CODE or --dataset UUID")
    if org_code:
        subject = ce.organization_subject(_organization(org_code))
    else:
        dataset = db.session.scalar(db.select(Dataset).where(Dataset.uuid == dataset_uuid))
        if dataset is None:
            raise click.UsageError(f"unknown entry: {dataset_uuid}")
        subject = ce.dataset_subject(dataset)
    _write_output(output, ce.export(subject, fmt, lang))
@click.group("tokens", help="Personal API tokens.")
def tokens_cli():
    pass


def _user_by_email(email):
    from .models import User
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.UsageError(f"no user with the e-mail {email!r}")
    return user


@tokens_cli.command("create")
@click.argument("email")
@click.option("--days", type=int, default=None,
              help="Lifetime in days (default API_TOKEN_DEFAULT_DAYS, at most API_TOKEN_MAX_DAYS).")
@click.option("--name", default="command line", show_default=True, help="Name shown on the profile.")
@with_appcontext
def tokens_create(email, days, name):
    """Print a new personal API token for EMAIL (shown once: only its hash is kept)."""
    from .tokens import TokenError, issue_token

    g.channel = "cli"
    user = _user_by_email(email)
    try:
        token, secret = issue_token(user, name, days)
    except TokenError as exc:
        raise click.UsageError(str(exc.message)) from None
    db.session.commit()
    click.echo(secret)
    click.echo(f"token {token.prefix}… for {user.email} ({user.role}), expires "
               f"{token.expires_at:%Y-%m-%d %H:%M} UTC; it will not be shown again", err=True)


@tokens_cli.command("list")
@click.argument("email")
@with_appcontext
def tokens_list(email):
    """List EMAIL's tokens (prefix, state, expiry, last use)."""
    from .models import ApiToken
    from .tokens import token_status

    user = _user_by_email(email)
    for token in db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)
                                    .order_by(ApiToken.created_at)):
        last = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.prefix}…  {token_status(token):8} expires "
                   f"{token.expires_at:%Y-%m-%d}  last used {last}  {token.name}")


@tokens_cli.command("revoke")
@click.argument("prefix")
@with_appcontext
def tokens_revoke(prefix):
    """Revoke the token whose visible beginning is PREFIX (e.g. inv_AbCd1234)."""
    from .models import ApiToken
    from .tokens import revoke_token

    g.channel = "cli"
    prefix = prefix.rstrip("…. ")
    tokens = db.session.scalars(db.select(ApiToken).where(ApiToken.prefix == prefix)).all()
    if len(tokens) != 1:
        raise click.UsageError(f"{len(tokens)} tokens start with {prefix!r}: expected one")
    revoke_token(tokens[0], None)
    db.session.commit()
    click.echo(f"revoked {prefix}… of {tokens[0].user.email}")
