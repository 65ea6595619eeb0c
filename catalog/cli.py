"""`inventory catalog ...` (DCAT-AP export and validation), `inventory ckan ...` (portal
publishing) and `inventory worker` (background jobs). Commits happen here."""
import click


def register_cli(app):
    app.cli.add_command(catalog_cli)
    app.cli.add_command(ckan_cli)


@click.group("catalog", help="The public DCAT-AP catalogue.")
def catalog_cli():
    pass


@click.group("ckan", help="Publishing to the CKAN portal.")
def ckan_cli():
    pass
