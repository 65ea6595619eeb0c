"""The JSON API (/api/v1) with personal tokens, its OpenAPI document and docs page, and the
token section of the profile page."""


def init_app(app):
    """Register the API blueprint (exempt from CSRF: it only accepts Bearer tokens, never
    session cookies) and the profile page's token views."""
    from ..extensions import csrf
    from ..tokens import parse_rate
    from . import profile, views

    parse_rate(app.config["API_RATE_LIMIT"])  # a malformed limit fails at start, not per request
    csrf.exempt(views.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(profile.bp)
    profile.register_template_helpers(app)
