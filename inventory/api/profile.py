"""Personal API tokens on the profile page: create (the secret is shown once, on the page that
answers the form, never in a cookie or a later page) and revoke. Ordinary UI forms with CSRF."""
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from ..extensions import db
from ..models import ApiToken
from ..tokens import TokenError, issue_token, revoke_token, token_status, tokens_of

bp = Blueprint("api_tokens", __name__)


class TokenForm(FlaskForm):
    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100)])
    days = IntegerField(_l("Valid for (days)"), validators=[DataRequired(), NumberRange(min=1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="token", **kwargs)
        maximum = current_app.config["API_TOKEN_MAX_DAYS"]
        self.days.validators = [DataRequired(), NumberRange(
            min=1, max=maximum, message=_l("Between 1 and %(max)s days.", max=maximum))]
        if self.days.data is None and not self.is_submitted():
            self.days.data = min(current_app.config["API_TOKEN_DEFAULT_DAYS"], maximum)


def _profile_page(token_form, status):
    """The profile page with the token form's errors (the profile forms as auth renders them)."""
    from ..auth import PasswordForm, ProfileForm
    user = current_user._get_current_object()
    return render_template("auth/profile.html", form=ProfileForm(obj=user, prefix="profile"),
                           pw_form=PasswordForm(prefix="pw"), user=user,
                           token_form=token_form), status


@bp.post("/profile/tokens")
@login_required
def token_create():
    user = current_user._get_current_object()
    form = TokenForm()
    if not form.validate_on_submit():
        return _profile_page(form, 400)
    try:
        token, secret = issue_token(user, form.name.data, form.days.data)
    except TokenError as exc:
        form.name.errors = [*form.name.errors, exc.message]
        db.session.rollback()
        return _profile_page(form, 400)
    db.session.commit()
    response = make_response(render_template("api/token_created.html", token=token,
                                             secret=secret), 201)
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    revoke_token(token, current_user._get_current_object())
    db.session.commit()
    flash(_("The token %(prefix)s… has been revoked: it no longer works.", prefix=token.prefix),
          "success")
    return redirect(url_for("auth.profile", _anchor="api-tokens"))


def register_template_helpers(app):
    """Globals the profile page's token section uses (auth.profile stays unaware of tokens)."""
    app.add_template_global(tokens_of, "api_tokens_of")
    app.add_template_global(token_status, "api_token_status")
    app.add_template_global(TokenForm, "ApiTokenForm")
