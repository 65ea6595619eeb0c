"""The spreadsheet register of a ministry: download (XLSX/CSV), blank template, and import
with a dry run.

The import page streams its report: progress lines first (the page shows the latest one as
a live progress bar, without JavaScript), then the report. This works the same on the
embedded default (one process) and behind gunicorn; a reverse proxy is told not to buffer.
A checked file is kept for a day under the instance folder, so "import the valid rows now"
does not need a second upload.
"""
import json
import secrets
import tempfile
import time
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    stream_template,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField

from .. import registry_export as rx
from .. import registry_import as ri
from .. import workflow
from ..extensions import db
from ..vocabularies import current_locale
from .checklist import load_organization, paginate_list, visible_organizations

bp = Blueprint("registry", __name__)
UPLOAD_LIFETIME = 24 * 3600
PROBLEMS_SHOWN = 1000


class ImportForm(FlaskForm):
    file = FileField(_l("Register file (XLSX or CSV)"), validators=[
        FileRequired(_l("Choose the file to import."))])
    dry_run = BooleanField(_l("Only check the file (dry run): write nothing"), default=True)


class ConfirmImportForm(FlaskForm):
    token = HiddenField()


def _language():
    lang = request.args.get("language") or current_locale()
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    return lang


def _attachment(body, mimetype, name):
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@bp.route("/register")
@login_required
def register_index():
    orgs = visible_organizations(current_user)
    if len(orgs) == 1:
        return redirect(url_for("registry.organization_register", code=orgs[0].code))
    pagination = paginate_list(orgs, request.args.get("page", 1, type=int), 50)
    return render_template("registry/index.html", pagination=pagination)


@bp.route("/organizations/<code>/register")
@login_required
def organization_register(code):
    org = load_organization(code, workflow.can_export_register)
    max_bytes, max_rows = ri.limits()
    return render_template("registry/register.html", org=org, form=ImportForm(),
                           can_import=workflow.can_import_register(current_user, org),
                           max_mb=round(max_bytes / 1024 / 1024, 1), max_rows=max_rows)


@bp.route("/organizations/<code>/register/export")
@login_required
def register_export(code):
    org = load_organization(code, workflow.can_export_register)
    fmt, lang = request.args.get("format", "xlsx"), _language()
    if fmt not in rx.FORMATS:
        abort(404)
    # Written to a temporary file (a large register never sits in memory), then sent.
    spool = tempfile.TemporaryFile()
    rx.write_register(spool, org, fmt, lang)
    spool.seek(0)
    response = send_file(spool, mimetype=rx.MEDIA_TYPES[fmt], as_attachment=True,
                         download_name=rx.register_filename(org, fmt, lang), etag=False,
                         last_modified=None)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/register/template")
@login_required
def register_template():
    lang = _language()
    return _attachment(rx.template_workbook(lang), rx.MEDIA_TYPES["xlsx"],
                       rx.register_filename(None, "xlsx", lang, template=True))


# --------------------------------------------------------------------------- import

def _uploads():
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep_upload(data, filename, org):
    """Store a checked file for a later real import; drop uploads older than a day."""
    folder = _uploads()
    now = time.time()
    for old in folder.glob("*"):
        if now - old.stat().st_mtime > UPLOAD_LIFETIME:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps(
        {"user": current_user.id, "org": org.id, "filename": filename}))
    return token


def _take_upload(token, org):
    """(data, filename) of a kept upload of this user for this organization, or None."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _uploads()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.bin"
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("user") != current_user.id or meta.get("org") != org.id or \
                time.time() - data_path.stat().st_mtime > UPLOAD_LIFETIME:
            return None
        return data_path.read_bytes(), meta.get("filename", "")
    except (OSError, ValueError):
        return None


def _drop_upload(token):
    for suffix in (".bin", ".json"):
        (_uploads() / f"{token}{suffix}").unlink(missing_ok=True)


@bp.route("/organizations/<code>/register/import", methods=["POST"])
@login_required
def register_import(code):
    org = load_organization(code, workflow.can_import_register)
    max_bytes, max_rows = ri.limits()
    confirm = ConfirmImportForm()
    if request.form.get("token"):
        if not confirm.validate_on_submit():
            abort(400)
        upload = _take_upload(confirm.token.data, org)
        if upload is None:
            return render_template("registry/register.html", org=org, form=ImportForm(),
                                   can_import=True, max_mb=round(max_bytes / 1024 / 1024, 1),
                                   max_rows=max_rows, expired=True), 410
        data, filename = upload
        return _stream_report(org, data, filename, dry_run=False, token=confirm.token.data)
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("registry/register.html", org=org, form=form, can_import=True,
                               max_mb=round(max_bytes / 1024 / 1024, 1),
                               max_rows=max_rows), 422
    data = form.file.data.read(max_bytes + 1)
    filename = (form.file.data.filename or "")[:200]
    token = None
    if form.dry_run.data and 0 < len(data) <= max_bytes:
        token = _keep_upload(data, filename, org)
    return _stream_report(org, data, filename, dry_run=form.dry_run.data, token=token)


def _stream_report(org, data, filename, dry_run, token):
    """The report page, streamed: progress while the file is read and written."""
    outcome = {}

    def events():
        report = yield from ri.run_import(data, filename, org, current_user, dry_run)
        if report.written:
            try:
                db.session.commit()
            except Exception:  # the commit itself failed: nothing was written
                db.session.rollback()
                current_app.logger.exception("register import commit failed")
                report.written, report.created, report.updated = False, 0, 0
                report.file_error = _l("The import could not be written: nothing was "
                                       "imported. Try again.")
        else:
            db.session.rollback()
        if not dry_run and token:
            _drop_upload(token)
        outcome["report"] = report

    body = stream_template("registry/import_report.html", org=org, events=events(),
                           outcome=outcome, filename=filename, dry_run=dry_run, token=token,
                           confirm=ConfirmImportForm(token=token), shown=PROBLEMS_SHOWN)
    return Response(body, mimetype="text/html", headers={
        "X-Accel-Buffering": "no", "Cache-Control": "no-store"})
