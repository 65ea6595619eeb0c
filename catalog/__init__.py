"""DCAT-AP catalogue and CKAN publishing. Reads `inventory`; never imported by it except in
`inventory.create_app`, which calls `init_app`."""


def init_app(app):
    """Register the catalogue's blueprints and CLI commands on the inventory app."""
    from . import cli, jobs, publishing_views, views
    app.register_blueprint(views.bp)
    app.register_blueprint(publishing_views.bp)
    cli.register_cli(app)
    jobs.init_app(app)
