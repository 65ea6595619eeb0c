"""Admin: priority weights (with a re-scoring of every entry) and the read-only browser of the
controlled vocabularies."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ... import priority
from ... import vocabularies as vocab
from ...admin_forms import PriorityWeightsForm, form_error_list, page_form
from ...audit import record_audit
from ...extensions import db
from . import bp


@bp.route("/priority", methods=["GET", "POST"])
def priority_weights():
    current = priority.get_weights()
    form = page_form(PriorityWeightsForm, data=current if request.method == "GET" else None)
    if request.method == "POST" and request.form.get("defaults"):
        form = PriorityWeightsForm(formdata=None, data=priority.DEFAULT_WEIGHTS)
        return render_template("admin/priority.html", form=form, current=current,
                               defaults=priority.DEFAULT_WEIGHTS, errors=[],
                               labels=priority.WEIGHT_LABELS)
    if form.validate_on_submit():
        new = priority.set_weights({key: getattr(form, key).data
                                    for key in priority.DEFAULT_WEIGHTS})
        changed = priority.recompute_all(new)
        record_audit(current_user, "settings.priority_weights", None, before=current, after=new,
                     rescored=changed)
        db.session.commit()
        flash(_("Weights saved. %(count)s entries changed score or tier.", count=changed),
              "success")
        return redirect(url_for("admin.priority_weights"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/priority.html", form=form, current=current,
                           defaults=priority.DEFAULT_WEIGHTS, errors=form_error_list(form),
                           labels=priority.WEIGHT_LABELS), status


# name -> (title, loader); reference lists carry their own labels, the application's own
# enumerations are translated through Babel.
VOCABULARIES = {
    "themes": (_l("Themes (EU data themes)"), vocab.themes),
    "frequencies": (_l("Update frequencies"), vocab.frequencies),
    "access_rights": (_l("Access rights"), vocab.access_rights),
    "restriction_grounds": (_l("Restriction grounds (Organic Law 2016-22, art. 24)"),
                            vocab.restriction_grounds),
    "hvd_categories": (_l("High-value dataset categories"), vocab.hvd_categories),
    "licences": (_l("Licences"), vocab.licences),
    "formats": (_l("Formats"), vocab.formats),
    "languages": (_l("Languages"), vocab.languages),
    "availability": (_l("Planned availability"), vocab.availabilities),
    "governorates": (_l("Governorates"), vocab.governorates),
    "statuses": (_l("Workflow statuses"), lambda: vocab.STATUS_LABELS),
    "classifications": (_l("Openness"), lambda: vocab.CLASSIFICATION_LABELS),
    "personal_data": (_l("Personal data"), lambda: vocab.PERSONAL_DATA_LABELS),
    "tiers": (_l("Priority tiers"), lambda: vocab.TIER_LABELS),
    "roles": (_l("Roles"), lambda: vocab.ROLE_LABELS),
}


def _rows(terms):
    """(code, {lang: label}, uri) of each term, labels in ar/fr/en whatever the UI language."""
    rows = []
    for code, term in terms.items():
        if isinstance(term, vocab.Term):
            labels = {lang: term.labels.get(lang, "") for lang in ("ar", "fr", "en")}
            rows.append((code, labels, term.uri))
        else:
            labels = {}
            for lang in ("ar", "fr", "en"):
                with force_locale(lang):
                    labels[lang] = str(term)
            rows.append((code, labels, ""))
    return rows


@bp.route("/vocabularies")
def vocabulary_list():
    lists = [(name, title, len(loader())) for name, (title, loader) in VOCABULARIES.items()]
    return render_template("admin/vocabularies.html", lists=lists)


@bp.route("/vocabularies/<name>")
def vocabulary_detail(name):
    if name not in VOCABULARIES:
        abort(404)
    title, loader = VOCABULARIES[name]
    return render_template("admin/vocabulary.html", name=name, title=title,
                           rows=_rows(loader()))
