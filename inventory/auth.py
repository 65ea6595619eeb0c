"""Accounts: password hashing, sign-in with throttling, sessions, role checks, and keeping
typed input when a session expires in the middle of a form."""
import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from .extensions import db, login_manager
from .form_inputs import TextShape
from .models import FormStash, LoginAttempt, User, utcnow
from .reference_cache import remember_versions, version_columns

bp = Blueprint("auth", __name__)

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
STASH_LIFETIME = timedelta(days=1)
MAX_PASSWORD = 512


def hash_password(password):
    return _hasher.hash(password)


def check_password(user, password):
    """True when `password` matches; rehashes transparently when parameters changed."""
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def password_problem(password):
    """A translated reason why `password` is too weak, or None."""
    if len(password) < 10:
        return _("Use at least 10 characters.")
    if len(password) > MAX_PASSWORD:
        return _("The password is too long.")
    if password.lower() == password and password.isalpha():
        return _("Mix letters with digits, capitals or symbols.")
    return None


# Every request loads its user: one joined query for the user and their organizations costs
# half the CPU of the relationship's default (a second, "selectin" query). The data versions
# the page's caches are kept under come with it (one query, not three). Built once: a
# statement's cache key is computed once per statement object, and building and keying this
# one cost about 0.4 ms a request.
USER_WITH_VERSIONS = (sa.select(User, *version_columns()).where(User.id == sa.bindparam("uid"))
                      .options(joinedload(User.organizations)))


@login_manager.user_loader
def load_user(user_id):
    uid, _sep, stamp = (user_id or "").partition(":")
    if not uid.isdigit():
        return None
    row = db.session.execute(USER_WITH_VERSIONS, {"uid": int(uid)}).unique().first()
    if row is None:
        return None
    user, *versions = row
    remember_versions(*versions)
    if not user.active or user.session_stamp != stamp:
        return None
    return user


def role_required(*roles):
    """View decorator: signed in and one of `roles` (admins pass every role check)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles and not current_user.is_admin:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def client_ip():
    return (request.remote_addr or "")[:64]


# --------------------------------------------------------------------------- throttling

def login_throttled(email):
    """True when too many recent failures for this account or this address."""
    cfg = current_app.config
    since = utcnow() - cfg["LOGIN_FAILURE_WINDOW"]
    q = db.select(db.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    by_email = db.session.scalar(q.where(LoginAttempt.email == email))
    by_ip = db.session.scalar(q.where(LoginAttempt.ip == client_ip()))
    limit = cfg["LOGIN_MAX_FAILURES"]
    return by_email >= limit or by_ip >= limit * 4


def record_login_attempt(email, success):
    db.session.add(LoginAttempt(email=email[:254], ip=client_ip(), success=success))
    if success:  # a successful sign-in clears this account's failure count
        db.session.execute(db.delete(LoginAttempt).where(
            LoginAttempt.email == email, LoginAttempt.success.is_(False)))


# --------------------------------------------------------------------------- form stash

def stash_form():
    """Keep the posted form (minus secrets) and return the stash token."""
    payload = {k: request.form.getlist(k) for k in request.form
               if k not in ("csrf_token", "password", "password_confirm", "new_password")}
    token = secrets.token_urlsafe(32)
    db.session.add(FormStash(token=token, path=request.path, payload=payload))
    db.session.execute(db.delete(FormStash).where(FormStash.created_at < utcnow() - STASH_LIFETIME))
    db.session.commit()
    return token


def take_stash(token, path):
    """Return the stashed payload for this path (as a MultiDict) and delete it, or None."""
    from werkzeug.datastructures import MultiDict
    if not token:
        return None
    stash = db.session.get(FormStash, token)
    if stash is None or stash.path != path:
        return None
    db.session.delete(stash)
    db.session.flush()
    return MultiDict([(k, v) for k, values in stash.payload.items() for v in values])


def stash_and_reauthenticate():
    """Session gone in the middle of a form: keep the input, ask to sign in, come back."""
    token = stash_form() if request.method == "POST" and request.form else None
    target = request.path + (("?" + urlencode({"stash": token})) if token else "")
    if current_user.is_authenticated:  # signed in, but the form's CSRF token had expired
        if token:
            flash(_("Your form had expired. Your input has been kept: check it and save "
                    "again."), "warning")
        return redirect(target)
    if token:
        flash(_("Your session has expired. Your input has been kept: sign in again to continue."),
              "warning")
    else:
        flash(_("Please sign in to continue."), "info")
    return redirect(url_for("auth.login", next=target))


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        from .errors import render_error
        return render_error(401)
    return stash_and_reauthenticate()


def safe_next(target):
    """Only same-site relative paths are followed after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# --------------------------------------------------------------------------- views

class LoginForm(FlaskForm):
    # TextShape: no control characters (PostgreSQL refuses NUL in the attempts query).
    email = EmailField(_l("E-mail"), validators=[DataRequired(), TextShape(254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    locale = SelectField(_l("Interface language"),
                         # each language named in itself, marked so screen readers say it right
                         choices=[("ar", "العربية", {"lang": "ar"}), ("fr", "Français", {"lang": "fr"}),
                                  ("en", "English", {"lang": "en"})])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"),
                                 validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    password_confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))])


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or url_for("datasets.dataset_list"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if login_throttled(email):
            record_login_attempt(email, False)
            db.session.commit()
            minutes = int(current_app.config["LOGIN_FAILURE_WINDOW"].total_seconds() // 60)
            form.form_errors.append(_("Too many failed attempts. Wait %(minutes)s minutes and "
                                      "try again.", minutes=minutes))
            status = 429
        else:
            user = db.session.scalar(db.select(User).where(User.email == email))
            if check_password(user, form.password.data) and user.active:
                record_login_attempt(email, True)
                user.last_login_at = utcnow()
                lang = session.get("lang") or user.locale
                session.clear()  # no session fixation: a fresh session after sign-in
                login_user(user)
                session.permanent = True
                if lang:
                    session["lang"] = lang
                db.session.commit()
                return redirect(next_url or url_for("datasets.dataset_list"))
            record_login_attempt(email, False)
            db.session.commit()
            form.form_errors.append(_("Unknown e-mail or wrong password."))
            status = 401
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form, next=next_url), status


@bp.route("/logout", methods=["POST"])
def logout():
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user, prefix="profile")
    pw_form = PasswordForm(prefix="pw")
    if request.method == "POST" and "profile-name" in request.form and form.validate_on_submit():
        user.name = form.name.data.strip()
        user.locale = form.locale.data
        session["lang"] = user.locale
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.profile"))
    if request.method == "POST" and "pw-new_password" in request.form and pw_form.validate_on_submit():
        if not check_password(user, pw_form.current_password.data):
            pw_form.current_password.errors.append(_("This is not your current password."))
        elif problem := password_problem(pw_form.new_password.data):
            pw_form.new_password.errors.append(problem)
        else:
            user.password_hash = hash_password(pw_form.new_password.data)
            user.session_stamp = secrets.token_hex(16)  # signs out other sessions
            db.session.commit()
            login_user(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, pw_form=pw_form, user=user)
