"""Blueprints of the inventory UI (each view: load -> authorize -> act)."""


def register_blueprints(app):
    from . import admin, checklist, dashboard, datasets, health, registry, review, wizard
    app.register_blueprint(health.bp)
    app.register_blueprint(datasets.bp)
    app.register_blueprint(wizard.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(checklist.bp)
    app.register_blueprint(registry.bp)
    from .. import api
    api.init_app(app)
