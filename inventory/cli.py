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
