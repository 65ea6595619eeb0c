"""DCAT-AP catalogue and CKAN publishing. Reads `inventory`; never imported by it except in
`inventory.create_app`, which calls `init_app`."""


def init_app(app):
    """Register the catalogue's blueprints, CLI commands, jobs and template helpers."""
    from . import cli, jobs, publishing_views, views
    app.register_blueprint(views.bp)
    app.register_blueprint(publishing_views.bp)
    cli.register_cli(app)
    jobs.init_app(app)
    _register_template_helpers(app)


def _register_template_helpers(app):
    from flask import g

    @app.template_global()
    def catalog_conformance(dataset):
        """The entry's DCAT-AP conformance and quality (computed once per request)."""
        from .conformance import entry_conformance
        cache = g.setdefault("catalog_conformance", {})
        if dataset.id not in cache:
            cache[dataset.id] = entry_conformance(dataset)
        return cache[dataset.id]
