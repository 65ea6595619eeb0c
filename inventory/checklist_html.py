"""The checklist's items as HTML, built in Python once per request.

An entry page shows twenty items; printed by a Jinja macro, with its lazy labels, dates and
nested macros, they cost about a quarter of the page's CPU. Labels are translated through the
catalog looked up once, and each distinct date is formatted once. The markup is the one the
former `item_row` macro printed (tests/integration/test_checklist_items.py keeps a copy of
that macro and compares).
"""
from flask_babel import get_translations
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .checklist import DONE, NA, SOURCE_LABELS, TODO
from .extensions import lazy_text, moment_text
from .fields import field_label
from .vocabularies import current_locale


def checklist_items(statuses, tick_url=None, edit_url=None):
    """The `<li>` of each item status in `statuses`, as one safe string.

    `tick_url`: the tick form's action with `__ITEM__` for the item id; `edit_url`: the
    entry's edit page with `__FIELD__` for a missing field's name (None: not allowed)."""
    translations = get_translations()

    def _(message, **variables):
        # As templates translate: the message is markup, the variables are escaped.
        text = Markup(translations.ugettext(message))
        return text % variables if variables else text

    lang = current_locale()
    dates = {}

    def when(moment):
        if moment not in dates:
            dates[moment] = moment_text(moment, "medium")
        return dates[moment]

    def who(tick):
        return tick.by.display_name() if tick.by else _("command line")

    source_labels = {code: lazy_text(label) for code, label in SOURCE_LABELS.items()}
    # Messages stay out of the f-strings below: Babel does not extract calls inside them.
    still_missing = _("Still missing:")
    note_label = _("Note (decision, document, where the evidence is)")
    evidence_label = _("Evidence link")
    mark_done = _("Mark as done")
    mark_not_done = _("Mark as not done")
    csrf = None
    out = []
    for s in statuses:
        item_id = escape(s.item.id)
        out.append(
            f'<li class="checklist__item checklist__item--{escape(s.state)}" id="item-{item_id}">\n'
            f'<div class="checklist__head">\n'
            f'<span class="checklist__id" dir="ltr">{item_id}</span>\n'
            f'<span class="checklist__text">{escape(s.item.text(lang))}</span>\n'
            f'<span class="state state--{escape(s.state)}">{escape(s.label)}</span>\n'
            f'</div>\n<div class="checklist__body">\n')
        if s.state == NA:
            out.append(f'<p class="muted">{escape(s.reason)}</p>\n')
        elif s.source == "hand" and s.tick:
            ticked = _("Ticked by %(who)s on %(when)s.", who=who(s.tick), when=when(s.tick.at))
            out.append(f'<p class="muted">{ticked}</p>\n')
        elif s.state == DONE:
            line = escape(source_labels.get(s.source, ""))
            if s.at:
                line += Markup(' — <time datetime="%s">%s</time>') % (s.at.isoformat(),
                                                                      when(s.at))
            if s.by:
                line += Markup(" — <bdi>%s</bdi>") % s.by
            out.append(f'<p class="muted">{line}</p>\n')
        if s.state == TODO and s.missing:
            out.append(f'<p>{still_missing}</p>\n<ul class="checklist__missing">\n')
            for name, message in s.missing:
                text = escape(message or field_label(name))
                if edit_url and name not in ("status",):
                    href = escape(edit_url.replace("__FIELD__", name))
                    out.append(f'<li><a href="{href}">{text}</a></li>\n')
                else:
                    out.append(f"<li>{text}</li>\n")
            out.append("</ul>\n")
        tick = s.tick
        if tick and s.state != NA:
            if not tick.done:
                withdrawn = _("Tick withdrawn by %(who)s on %(when)s.", who=who(tick),
                              when=when(tick.at))
                out.append(f'<p class="muted">{withdrawn}</p>\n')
            if tick.note:
                out.append(f'<p class="checklist__note"><bdi>{escape(tick.note)}</bdi></p>\n')
            if tick.evidence_url:
                url = escape(tick.evidence_url)
                out.append(f'<p><a href="{url}" rel="noopener noreferrer" class="url" '
                           f'dir="ltr">{url}</a></p>\n')
        if tick_url and s.hand and s.state != NA:
            if csrf is None:
                csrf = escape(generate_csrf())
            action = escape(tick_url.replace("__ITEM__", s.item.id))
            summary = _("Update the tick") if s.source == "hand" else _("Tick by hand")
            note = escape(tick.note if tick else "")
            evidence = escape(tick.evidence_url if tick else "")
            out.append(
                f'<details class="checklist__tick">\n'
                f'<summary>{summary}<span class="visually-hidden"> — {item_id}</span></summary>\n'
                f'<form method="post" action="{action}">\n'
                f'<input type="hidden" name="csrf_token" value="{csrf}">\n'
                f'<input type="hidden" name="done" value="1">\n'
                f'<div class="field">\n'
                f'<label class="field__label" for="note-{item_id}">'
                f'{note_label}</label>\n'
                f'<textarea id="note-{item_id}" name="note" maxlength="5000" dir="auto">'
                f'{note}</textarea>\n'
                f'</div>\n'
                f'<div class="field">\n'
                f'<label class="field__label" for="evidence-{item_id}">'
                f'{evidence_label}</label>\n'
                f'<input type="url" id="evidence-{item_id}" name="evidence_url" '
                f'maxlength="2000" dir="ltr" value="{evidence}" placeholder="https://">\n'
                f'</div>\n'
                f'<button type="submit" class="button button--primary">'
                f'{mark_done}</button>\n'
                f'</form>\n')
            if s.source == "hand":
                confirm = _("Mark item %(item)s as not done?", item=s.item.id)
                out.append(
                    f'<form method="post" action="{action}" class="inline-form" '
                    f'data-confirm="{confirm}">\n'
                    f'<input type="hidden" name="csrf_token" value="{csrf}">\n'
                    f'<input type="hidden" name="done" value="0">\n'
                    f'<input type="hidden" name="note" value="{escape(tick.note)}">\n'
                    f'<input type="hidden" name="evidence_url" '
                    f'value="{escape(tick.evidence_url)}">\n'
                    f'<button type="submit" class="button button--danger">'
                    f'{mark_not_done}</button>\n'
                    f'</form>\n')
            out.append("</details>\n")
        out.append("</div>\n</li>\n")
    return Markup("".join(out))
