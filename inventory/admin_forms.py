"""Forms of the administration, review and priority pages (shape checks only; the rules that
need the database live in `administration` and `priority`)."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from . import fields as entry_fields
from . import priority, vocabularies
from .administration import ORG_KINDS
from .auth import MAX_PASSWORD


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (rendered by the `field` macro as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        # A stale or forged value gets a field error, not a 500 or a silent drop.
        valid = {str(value) for value, *_rest in self.iter_choices()}
        for value in self.data or ():
            if str(value) not in valid:
                raise ValidationError(_l("“%(value)s” is not one of the choices.", value=value))


def strip(value):
    """Filter: surrounding blanks removed; a text field absent from the post is ""."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else value


def kept_input():
    """The input of this page's form kept when the session expired or the CSRF token went
    stale on submit (`?stash=<token>`, see `auth.stash_and_reauthenticate`), or None. Taking
    it consumes it; the caller is a view (request boundary), so it commits."""
    from .auth import take_stash
    from .extensions import db
    data = take_stash(request.args.get("stash"), request.path)
    if data is not None:
        db.session.commit()
    return data


def page_form(form_class, **kwargs):
    """`form_class(**kwargs)`, filled from the post as usual; on GET, from the input kept by an
    interrupted submit when there is some (then `form.kept` is True)."""
    kept = kept_input() if request.method == "GET" else None
    form = form_class(formdata=kept, **kwargs) if kept is not None else form_class(**kwargs)
    form.kept = kept is not None
    return form


def form_error_list(form, extra=None):
    """(field id, label, messages) of every field in error, for the `error_summary` macro;
    `extra` adds messages that belong to no field."""
    out = [(f.id, f.label.text, f.errors) for f in form if f.errors and f.type != "CSRFTokenField"]
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        out.insert(0, ("", "", [_l("Your form expired: please send it again.")]))
    if extra:
        out.insert(0, ("", "", list(extra)))
    return out


def apply_problems(form, problems):
    """Put domain messages ({field name: [messages]}) under the form's fields; returns the
    messages that match no field."""
    loose = []
    for name, messages in problems.items():
        target = getattr(form, name, None) if name else None
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + list(messages)
        else:
            loose.extend(messages)
    return loose


# --------------------------------------------------------------------------- users

def _password_fields():
    return (
        PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)],
                      description=_l("At least 10 characters, mixing letters with digits, "
                                     "capitals or symbols. Hand it over safely: the person "
                                     "can change it on their profile page.")),
        PasswordField(_l("Repeat the password"), validators=[
            DataRequired(), EqualTo("password", _l("The two passwords differ."))]),
    )


class UserForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[Length(max=200)])
    role = SelectField(_l("Role"), choices=list(vocabularies.ROLE_LABELS.items()),
                       validators=[InputRequired()])
    organizations = MultiCheckboxField(
        _l("Organizations"), coerce=int,
        description=_l("An officer edits the entries of these organizations; a reviewer reviews "
                       "them. Administrators see everything."))


class UserCreateForm(UserForm):
    email = EmailField(_l("E-mail"), filters=[strip], validators=[
        DataRequired(), Length(max=254), Email(message=_l("This is not a valid e-mail address."))])
    password, password_confirm = _password_fields()


class PasswordResetForm(FlaskForm):
    password, password_confirm = _password_fields()


# --------------------------------------------------------------------------- organizations

class OrganizationForm(FlaskForm):
    code = StringField(_l("Code"), filters=[strip, lambda v: v.upper() if v else v],
                       validators=[DataRequired(), Length(max=20)],
                       description=_l("Short uppercase code used in entry references "
                                      "(MESRS-0001) and on the portal. It cannot change once "
                                      "entries exist."))
    name_ar = StringField(_l("Name in Arabic"), filters=[strip], validators=[Length(max=300)])
    name_fr = StringField(_l("Name in French"), filters=[strip], validators=[Length(max=300)])
    name_en = StringField(_l("Name in English"), filters=[strip], validators=[Length(max=300)])
    kind = SelectField(_l("Kind"), choices=list(ORG_KINDS.items()))
    parent_id = SelectField(_l("Parent organization"), coerce=lambda v: int(v) if v else None,
                            validate_choice=True)
    email = EmailField(_l("Contact e-mail"), filters=[strip], validators=[
        Optional(), Length(max=254), Email(message=_l("This is not a valid e-mail address."))])
    website = StringField(_l("Website"), filters=[strip], validators=[Length(max=500)])
    active = BooleanField(_l("Active"))

    def validate_website(self, field):
        from .workflow import is_http_url
        if field.data and not is_http_url(field.data):
            raise ValidationError(_l("Give a full web address starting with http:// or "
                                     "https://."))


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge into"), coerce=lambda v: int(v) if v else None,
                         validators=[InputRequired(_l("Choose the organization that takes "
                                                      "over."))])


# --------------------------------------------------------------------------- campaigns

class CampaignForm(FlaskForm):
    name_ar = StringField(_l("Name in Arabic"), filters=[strip], validators=[Length(max=300)])
    name_fr = StringField(_l("Name in French"), filters=[strip], validators=[Length(max=300)])
    name_en = StringField(_l("Name in English"), filters=[strip], validators=[Length(max=300)])
    description = TextAreaField(_l("Description"), filters=[strip],
                                validators=[Length(max=5000)])
    organizations = MultiCheckboxField(
        _l("Organizations taking part"), coerce=int,
        description=_l("Leave empty for a campaign open to every organization."))
    sectors = MultiCheckboxField(_l("Priority sectors (themes)"))
    start_date = DateField(_l("Start"), validators=[Optional()])
    deadline = DateField(_l("Deadline"), validators=[Optional()],
                         description=_l("Entries of the campaign not approved by then are "
                                        "shown as overdue."))
    active = BooleanField(_l("Active"))


# --------------------------------------------------------------------------- priority

class PriorityWeightsForm(FlaskForm):
    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not any(f.data for f in self.weight_fields()):
            first = next(iter(self.weight_fields()))
            first.errors.append(_l("At least one weight must be above zero."))
            return False
        return ok

    def weight_fields(self):
        return [getattr(self, key) for key in priority.DEFAULT_WEIGHTS]


for _key, _label in priority.WEIGHT_LABELS.items():
    setattr(PriorityWeightsForm, _key, IntegerField(
        _label, validators=[InputRequired(), NumberRange(min=0, max=priority.MAX_WEIGHT)]))


class PriorityOverrideForm(FlaskForm):
    tier = RadioField(_l("Tier"), choices=[(t, vocabularies.TIER_LABELS[t])
                                           for t in priority.OVERRIDE_TIERS],
                      validators=[InputRequired(_l("Choose a tier."))])
    reason = TextAreaField(_l("Reason"), filters=[strip],
                           validators=[DataRequired(), Length(max=2000)],
                           description=_l("Why the computed tier does not fit: for example a "
                                          "ministerial priority or a pending legal obligation."))


# --------------------------------------------------------------------------- review

REVIEW_COMMENT_MAX = 5000
FIELD_COMMENT_MAX = 2000


class ReviewForm(FlaskForm):
    """Approve, or request changes with an overall comment and/or a comment per field
    (`fc_<field name>`, one per field of `inventory.fields`)."""

    decision = RadioField(_l("Decision"), choices=[
        ("approve", _l("Approve the entry")),
        ("request_changes", _l("Request changes from the officers"))],
        validators=[InputRequired(_l("Choose a decision."))])
    comment = TextAreaField(_l("Overall comment"), filters=[strip],
                            validators=[Length(max=REVIEW_COMMENT_MAX)])
    version = HiddenField()

    def field_comments(self):
        """{field name: comment} of the comments typed, in the order of the fields."""
        out = {}
        for spec in entry_fields.FIELDS:
            value = (getattr(self, f"fc_{spec.name}").data or "").strip()
            if value:
                out[spec.name] = value
        return out

    def comment_fields_by_step(self):
        """[(Step, [form field])] for the per-field comment groups."""
        return [(step, [getattr(self, f"fc_{spec.name}")
                        for spec in entry_fields.fields_of_step(step.key)])
                for step in entry_fields.STEPS if entry_fields.fields_of_step(step.key)]


for _spec in entry_fields.FIELDS:
    setattr(ReviewForm, f"fc_{_spec.name}", TextAreaField(
        _spec.label, filters=[strip], validators=[Length(max=FIELD_COMMENT_MAX)]))
