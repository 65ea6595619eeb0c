"""Messages built from user input are escaped in pages: a translated (lazy) message formatted
with a hostile value must not become markup."""
import io

from flask import render_template_string
from flask_babel import lazy_gettext as _l

HOSTILE = '<img src=x onerror="alert(1)">'


def test_lazy_message_with_user_input_is_escaped(app_ctx):
    with app_ctx.test_request_context():
        html = render_template_string("{{ m }}", m=_l("Unknown ground: %(codes)s.",
                                                      codes=HOSTILE))
    assert "<img" not in html and "&lt;img" in html


def test_import_report_escapes_cell_values_in_messages(client, make, login):
    org = make.org("MESRS")
    login(make.user("officer", [org]))
    data = f"Title in French,Update frequency\nFiche,{HOSTILE}\n".encode()
    response = client.post(f"/organizations/{org.code}/register/import",
                           data={"file": (io.BytesIO(data), "fiches.csv"), "dry_run": "y"},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "&lt;img src=x" in html  # the problem is reported...
    assert "<img src=x" not in html  # ...as text, never as markup


def test_template_gettext_escapes_variables_and_follows_the_request_language(app_ctx):
    # Templates translate through callables bound once per rendering (inventory.
    # template_gettext): same escaping and formatting as jinja2's i18n "newstyle" ones.
    template = ('{{ _("Inventory") }}|{{ _("Draft %(ref)s created. Fill it in step by step: '
                'every step saves.", ref=ref) }}|{{ ngettext("%(num)s entry", "%(num)s entries", '
                'n) }}|{{ ngettext("%(num)s entry", "%(num)s entries", 1, num="<1>") }}')
    with app_ctx.test_request_context("/?lang=fr"):
        app_ctx.preprocess_request()
        html = render_template_string(template, ref=HOSTILE, n=3)
    inventory, created, three, one = html.split("|")
    assert inventory == "Inventaire"
    assert "&lt;img" in created and "<img" not in created and created.startswith("Brouillon")
    assert three == "3 fiches"
    assert one == "&lt;1&gt; fiche"
