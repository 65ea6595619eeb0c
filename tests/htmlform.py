"""Read a rendered HTML form the way a browser submits it (for test clients).

`form_fields(html, "wizard-form")` returns the (name, value) pairs a browser would post:
text-like inputs and hidden inputs with their value, checked radios and checkboxes, the
selected option of each select (or its first option), textareas with their text. Submit
buttons are left out: tests add the button they press.
"""
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

_TEXT_TYPES = {"text", "hidden", "email", "url", "date", "number", "search", "tel", ""}


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.depth = 0  # >0 while inside the form
        self.fields = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if a.get("id") == self.form_id:
                self.depth = 1
            return
        if not self.depth:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "").lower()
            if kind in _TEXT_TYPES:
                self.fields.append((name, a.get("value") or ""))
            elif kind in ("checkbox", "radio") and "checked" in a:
                self.fields.append((name, a.get("value") or "on"))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["selected"] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.depth:
            self.depth = 0
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Like browsers, drop the one line break that follows <textarea>.
            for newline in ("\r\n", "\n"):
                if text.startswith(newline):
                    text = text[len(newline):]
                    break
            self.fields.append((name, text))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            s = self._select
            value = s["selected"] if s["selected"] is not None else s["first"]
            self.fields.append((s["name"], value or ""))
            self._select = None


def form_fields(html, form_id="wizard-form"):
    """The pairs a browser would post for the form `form_id` of `html` (bytes or str)."""
    reader = _FormReader(form_id)
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    return MultiDict(reader.fields)


def filled(html, form_id="wizard-form", **changes):
    """The form's current values with `changes` applied (a list value sets several values,
    None removes the field), ready for `client.post(data=...)`."""
    data = form_fields(html, form_id)
    for name, value in changes.items():
        data.poplist(name)
        if value is None:
            continue
        for v in value if isinstance(value, list | tuple) else [value]:
            data.add(name, v)
    return data


def input_value(html, name, form_id="wizard-form"):
    return form_fields(html, form_id).get(name)
