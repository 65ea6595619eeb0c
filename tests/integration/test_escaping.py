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
