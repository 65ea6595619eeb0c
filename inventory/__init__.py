"""The inventory Flask application."""
import json
import logging
import sys
import time
from pathlib import Path

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from .config import INSTANCE_DIR, PROJECT_ROOT, Config
from .extensions import (
    SessionCookies,
    babel,
    csrf,
    day_text,
    db,
    decimal_text,
    drop_closed_connection,
    end_request_transaction,
    login_manager,
    migrate,
    moment_text,
)

RTL_LANGUAGES = {"ar"}


def create_app(config=None):
    """Application factory. `config` is a Config class or a dict of overrides."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR),
                template_folder=str(PROJECT_ROOT / "templates"))
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _configure_logging(app)

    if app.config.get("PROXY_FIX_HOPS"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A closed connection is found by `drop_closed_connection`, without a round trip.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "pool_pre_ping": False}
    db.init_app(app)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs before the session is removed.
    app.teardown_appcontext(end_request_transaction)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    app.session_interface = SessionCookies()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    _configure_sqlite(app)
    _configure_postgresql(app)

    from . import auth
    from .errors import register_error_handlers
    from .views import register_blueprints
    app.register_blueprint(auth.bp)
    register_blueprints(app)
    register_error_handlers(app)

    from .cli import register_cli
    register_cli(app)

    # The one place inventory reaches into catalog: registering its blueprint and CLI.
    import catalog
    catalog.init_app(app)

    _register_request_hooks(app)
    _register_template_helpers(app)
    return app


# Dates and numbers follow Tunisian usage: Arabic month names as in Tunisia (جانفي, فيفري…)
# and the Tunisian separators. Messages still come from the `ar` catalog (gettext falls back
# from ar_TN to ar).
FORMAT_LOCALES = {"ar": "ar_TN"}


def babel_locale(lang):
    """The Babel locale used to show `lang` ('ar' -> 'ar_TN'); pass it to `force_locale`."""
    return FORMAT_LOCALES.get(lang, lang)


def select_locale():
    """Babel locale of the request: from ?lang= (remembered), the session, the user's choice,
    or DEFAULT_LOCALE."""
    return babel_locale(_select_language())


def _select_language():
    from flask import current_app, has_request_context
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, jobs: messages in the default language
        return current_app.config["DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        if request.args.get("lang") in languages:  # explicit choice (API docs page links)
            return request.args["lang"]
        return request.accept_languages.best_match(languages) or \
            current_app.config["DEFAULT_LOCALE"]
    lang = session.get("lang")
    if lang in languages:
        return lang
    if current_user and getattr(current_user, "is_authenticated", False) and \
            current_user.locale in languages:
        return current_user.locale
    return current_app.config["DEFAULT_LOCALE"]


def _register_request_hooks(app):
    @app.before_request
    def refuse_nul_in_address():
        # PostgreSQL refuses NUL in text and no page takes one: a clear error rather than a
        # database failure. The API checks its parameters itself, in its own error shape.
        if request.args and not request.path.startswith("/api/") and any(
                "\x00" in key or "\x00" in value
                for key, value in request.args.items(multi=True)):
            from .errors import render_error
            return render_error(400, _("The web address contains a NUL character. Remove it "
                                       "and try again."))

    @app.before_request
    def remember_language():
        g.request_started = time.perf_counter()
        lang = request.args.get("lang")
        if lang in app.config["LANGUAGES"] and session.get("lang") != lang:
            session["lang"] = lang
            session.permanent = True
            if getattr(current_user, "is_authenticated", False) and current_user.locale != lang:
                current_user.locale = lang
                db.session.commit()

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
            if "Cache-Control" not in headers and getattr(current_user, "is_authenticated",
                                                          False):
                headers["Cache-Control"] = "no-store"
        started = g.get("request_started")
        if started is not None and app.config.get("LOG_FORMAT") == "json":
            app.logger.info("request", extra={"fields": {
                "method": request.method, "path": request.path, "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1)}})
        return response


def template_gettext(translations):
    """`_`, `gettext` and `ngettext` for one rendering, bound to `translations`.

    Same behaviour as the callables flask_babel installs in Jinja (jinja2.ext.i18n
    "newstyle": the message is marked safe, then %-formatted with escaped variables; `num` is
    available to ngettext), but without flask_babel's per-call lookup of the request's
    locale and catalog (~30 µs a call; an entry page makes ~150 calls)."""
    @pass_eval_context
    def gettext(eval_ctx, string, /, **variables):
        rv = translations.ugettext(string)
        if eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_eval_context
    def ngettext(eval_ctx, singular, plural, num, /, **variables):
        variables.setdefault("num", num)
        rv = translations.ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def _register_template_helpers(app):
    from flask_babel import format_decimal, get_translations

    from . import vocabularies, workflow

    @app.context_processor
    def inject():
        locale = get_locale()
        lang = locale.language if locale is not None else app.config["DEFAULT_LOCALE"]
        return {
            "lang": lang,
            "text_dir": "rtl" if lang in RTL_LANGUAGES else "ltr",
            "vocab": vocabularies,
            "wf": workflow,
            "languages": app.config["LANGUAGES"],
            # Context variables shadow the environment's globals: templates (and macros
            # imported with context) translate through the catalog resolved once here.
            **template_gettext(get_translations()),
        }

    def template_format_decimal(number, format=None):
        # flask_babel's format_decimal; plain numbers without a pattern kept per process.
        if format is None and type(number) in (int, float):
            return decimal_text(number, get_locale())
        return format_decimal(number, format)

    # flask_babel's date formatting, with days and stored moments kept per process.
    app.jinja_env.globals.update(format_date=day_text, format_datetime=moment_text,
                                 format_decimal=template_format_decimal)

    # Templates' url_for: the addresses every page prints without arguments (the menu) and the
    # static files are kept per process and script root, as url_for built them (about 20 µs
    # each, a dozen a page). Anything else, and any call with an option (`_external`,
    # `_anchor`...), is Flask's own url_for.
    kept_urls = {}

    def template_url_for(endpoint, **values):
        if (values and endpoint != "static") or not has_request_context() or \
                any(key.startswith("_") for key in values):
            return app.url_for(endpoint, **values)
        key = (request.script_root, endpoint, *sorted(values.items()))
        url = kept_urls.get(key)
        if url is None:
            if len(kept_urls) >= 1024:  # a bound: endpoints and static files are few
                kept_urls.clear()
            url = kept_urls[key] = app.url_for(endpoint, **values)
        return url

    app.jinja_env.globals["url_for"] = template_url_for

    @app.template_global()
    def url_with(**changes):
        """The current URL with some query arguments replaced (None removes one)."""
        from urllib.parse import urlencode
        args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
        args += [(k, v) for k, v in changes.items() if v is not None]
        return request.path + ("?" + urlencode(args) if args else "")

    @app.template_filter("dir_of")
    def dir_of(lang_code):
        return "rtl" if lang_code in RTL_LANGUAGES else "ltr"


def _configure_sqlite(app):
    """SQLite: enforce foreign keys, WAL for concurrent readers, wait instead of failing."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            if ":memory:" not in app.config["SQLALCHEMY_DATABASE_URI"] and \
                    app.config["SQLALCHEMY_DATABASE_URI"] != "sqlite://":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.close()


def _configure_postgresql(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    from sqlalchemy import event

    with app.app_context():
        event.listen(db.engine, "checkout", drop_closed_connection)


class _JsonFormatter(logging.Formatter):
    def format(self, record):
        data = {"time": self.formatTime(record), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        data.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def _configure_logging(app):
    if app.config.get("LOG_FORMAT") == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)
