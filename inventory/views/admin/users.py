"""Admin: user accounts (list, create, edit, reset password, deactivate, delete if unused)."""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import administration
from ...admin_forms import (
    PasswordResetForm,
    UserCreateForm,
    UserForm,
    form_error_list,
    page_form,
)
from ...extensions import db
from ...models import ROLES, User
from ...search import paginate
from . import (
    PER_PAGE,
    bp,
    commit_or_report,
    matching_any,
    organization_choices,
    organizations_by_id,
)

USER_SORTS = {
    "email": (User.email.asc(),),
    "-email": (User.email.desc(),),
    "created": (User.created_at.desc(), User.id.desc()),
    "-created": (User.created_at.asc(), User.id.asc()),
    "login": (User.last_login_at.desc().nulls_last(), User.id.desc()),
    "-login": (User.last_login_at.asc().nulls_first(), User.id.asc()),
}


@bp.route("/users")
def user_list():
    q = (request.args.get("q") or "").strip()[:200]
    role = request.args.get("role", "")
    state = request.args.get("state", "")
    sort = request.args.get("sort", "email")
    sort = sort if sort in USER_SORTS else "email"
    stmt = sa.select(User)
    if q:
        stmt = stmt.where(matching_any((User.email, User.name), q))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    if state in ("active", "inactive"):
        stmt = stmt.where(User.active.is_(state == "active"))
    pagination = paginate(stmt.order_by(*USER_SORTS[sort]), request.args.get("page", 1, type=int),
                          PER_PAGE)
    return render_template("admin/users.html", pagination=pagination, q=q, role=role,
                           state=state, sort=sort,
                           filters_active=bool(q or role in ROLES or state))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = page_form(UserCreateForm)
    form.organizations.choices = organization_choices()
    errors = None
    if form.validate_on_submit():
        done, user, errors = commit_or_report(form, lambda: administration.create_user(
            current_user, form.email.data, form.name.data, form.role.data,
            organizations_by_id(form.organizations.data), form.password.data))
        if done:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_new.html", form=form,
                           errors=form_error_list(form, errors)), status


def _render_edit(user, form, pw_form, errors=None, status=200):
    return render_template("admin/user_edit.html", user=user, form=form, pw_form=pw_form,
                           has_history=administration.user_has_history(user),
                           errors=form_error_list(form, errors),
                           pw_errors=form_error_list(pw_form)), status


def _edit_forms(user, posted):
    """The account form (from the request when `posted`, else from the account) and the
    password form."""
    if posted:
        form = UserForm(prefix="user")
    else:
        # GET (maybe with input kept from an interrupted submit), or the password form's
        # post: the account form then shows the account as it is.
        form = page_form(UserForm, prefix="user", obj=user) if request.method == "GET" else \
            UserForm(formdata=None, prefix="user", obj=user)
        if not getattr(form, "kept", False):
            form.organizations.data = [o.id for o in user.organizations]
    form.organizations.choices = organization_choices(keep=user.organizations)
    return form, PasswordResetForm(prefix="pw")


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id):
    user = db.get_or_404(User, user_id)
    form, pw_form = _edit_forms(user, posted=request.method == "POST")
    if request.method == "GET":
        return _render_edit(user, form, pw_form)
    errors = None
    if form.validate():
        done, changes, errors = commit_or_report(form, lambda: administration.update_user(
            current_user, user, form.name.data, form.role.data,
            organizations_by_id(form.organizations.data)))
        if done:
            flash(_("Account saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _render_edit(user, form, pw_form, errors, 400)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id):
    user = db.get_or_404(User, user_id)
    form, pw_form = _edit_forms(user, posted=False)
    if pw_form.validate():
        done, _result, _errors = commit_or_report(
            pw_form, lambda: administration.reset_password(current_user, user,
                                                           pw_form.password.data))
        if done:
            flash(_("New password set for %(email)s: hand it over safely. Their open sessions "
                    "have been closed.", email=user.email), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return _render_edit(user, form, pw_form, status=400)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_set_active(user_id):
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    done, _result, _errors = commit_or_report(
        None, lambda: administration.set_user_active(current_user, user, active))
    if not done:
        return redirect(url_for("admin.user_edit", user_id=user.id))
    flash(_("%(email)s may sign in again.", email=user.email) if active else
          _("%(email)s is deactivated: they can no longer sign in; their history is kept.",
            email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/delete", methods=["POST"])
def user_delete(user_id):
    user = db.get_or_404(User, user_id)
    email = user.email
    done, _result, _errors = commit_or_report(
        None, lambda: administration.delete_user(current_user, user))
    if not done:
        return redirect(url_for("admin.user_edit", user_id=user_id))
    flash(_("Account %(email)s deleted.", email=email), "success")
    return redirect(url_for("admin.user_list"))
