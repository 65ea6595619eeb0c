"""The checklist items printed from Python (inventory/checklist_html.py) print what the former
`item_row` macro printed, kept here as the reference, for every kind of item status."""
from datetime import datetime

import pytest
from flask import render_template_string

from inventory import checklist as cl
from inventory.checklist_html import checklist_items
from inventory.models import ChecklistTick

# The former macro of templates/checklist/_macros.html, verbatim.
MACRO = """{% from "_macros/forms.html" import csrf with context %}
{% macro state_badge(s) %}<span class="state state--{{ s.state }}">{{ s.label }}</span>{% endmacro %}
{#- One item: wording, status, why, evidence and (when allowed) the tick form.
    `tick_url`: the form's action with `__ITEM__` for the item id; `edit_url`: the entry's edit
    page with `__FIELD__` for a missing field's name (None: not allowed). -#}
{% macro item_row(s, tick_url=None, edit_url=None) %}
<li class="checklist__item checklist__item--{{ s.state }}" id="item-{{ s.item.id }}">
  <div class="checklist__head">
    <span class="checklist__id" dir="ltr">{{ s.item.id }}</span>
    <span class="checklist__text">{{ s.item.text(lang) }}</span>
    {{ state_badge(s) }}
  </div>
  <div class="checklist__body">
    {% if s.state == 'na' %}
      <p class="muted">{{ s.reason }}</p>
    {% elif s.source == 'hand' and s.tick %}
      <p class="muted">{{ _("Ticked by %(who)s on %(when)s.", who=(s.tick.by.display_name() if s.tick.by else _("command line")), when=format_datetime(s.tick.at, 'medium')) }}</p>
    {% elif s.state == 'done' %}
      <p class="muted">{{ cl.SOURCE_LABELS.get(s.source, '') }}{% if s.at %} — <time datetime="{{ s.at.isoformat() }}">{{ format_datetime(s.at, 'medium') }}</time>{% endif %}{% if s.by %} — <bdi>{{ s.by }}</bdi>{% endif %}</p>
    {% endif %}
    {% if s.state == 'todo' and s.missing %}
      <p>{{ _("Still missing:") }}</p>
      <ul class="checklist__missing">
        {% for name, message in s.missing %}
        <li>{% if edit_url and name not in ('status',) %}<a href="{{ edit_url|replace('__FIELD__', name) }}">{{ message or field_label(name) }}</a>{% else %}{{ message or field_label(name) }}{% endif %}</li>
        {% endfor %}
      </ul>
    {% endif %}
    {% if s.tick and s.state != 'na' %}
      {% if not s.tick.done %}<p class="muted">{{ _("Tick withdrawn by %(who)s on %(when)s.", who=(s.tick.by.display_name() if s.tick.by else _("command line")), when=format_datetime(s.tick.at, 'medium')) }}</p>{% endif %}
      {% if s.tick.note %}<p class="checklist__note"><bdi>{{ s.tick.note }}</bdi></p>{% endif %}
      {% if s.tick.evidence_url %}<p><a href="{{ s.tick.evidence_url }}" rel="noopener noreferrer" class="url" dir="ltr">{{ s.tick.evidence_url }}</a></p>{% endif %}
    {% endif %}
    {% if tick_url and s.hand and s.state != 'na' %}
    <details class="checklist__tick">
      <summary>{{ _("Update the tick") if s.source == 'hand' else _("Tick by hand") }}<span class="visually-hidden"> — {{ s.item.id }}</span></summary>
      <form method="post" action="{{ tick_url|replace('__ITEM__', s.item.id) }}">
        {{ csrf() }}
        <input type="hidden" name="done" value="1">
        <div class="field">
          <label class="field__label" for="note-{{ s.item.id }}">{{ _("Note (decision, document, where the evidence is)") }}</label>
          <textarea id="note-{{ s.item.id }}" name="note" maxlength="5000" dir="auto">{{ s.tick.note if s.tick else '' }}</textarea>
        </div>
        <div class="field">
          <label class="field__label" for="evidence-{{ s.item.id }}">{{ _("Evidence link") }}</label>
          <input type="url" id="evidence-{{ s.item.id }}" name="evidence_url" maxlength="2000" dir="ltr" value="{{ s.tick.evidence_url if s.tick else '' }}" placeholder="https://">
        </div>
        <button type="submit" class="button button--primary">{{ _("Mark as done") }}</button>
      </form>
      {% if s.source == 'hand' %}
      <form method="post" action="{{ tick_url|replace('__ITEM__', s.item.id) }}" class="inline-form" data-confirm="{{ _('Mark item %(item)s as not done?', item=s.item.id) }}">
        {{ csrf() }}
        <input type="hidden" name="done" value="0">
        <input type="hidden" name="note" value="{{ s.tick.note }}">
        <input type="hidden" name="evidence_url" value="{{ s.tick.evidence_url }}">
        <button type="submit" class="button button--danger">{{ _("Mark as not done") }}</button>
      </form>
      {% endif %}
    </details>
    {% endif %}
  </div>
</li>
{% endmacro %}
{% for s in statuses %}{{ item_row(s, tick_url=tick_url, edit_url=edit_url) }}{% endfor %}"""  # noqa: E501


def _lines(html):
    return [line.strip() for line in str(html).splitlines() if line.strip()]


def _statuses(dataset, people):
    """Real statuses of `dataset`, then one of every other kind, with hostile text."""
    d_items, m_items = cl.dataset_items(), cl.ministry_items()
    at = datetime(2026, 5, 31, 23, 30)  # the next day in Tunis
    hand = ChecklistTick(item_id="D02", done=True, note='<i>vu</i> "ok"',
                         evidence_url='https://example.org/a?b=1&c="2"', by=people, at=at)
    by_cli = ChecklistTick(item_id="D08", done=True, note="", evidence_url="", by=None, at=at)
    withdrawn = ChecklistTick(item_id="D09", done=False, note="retiré <b>",
                              evidence_url="https://example.org/x", by=people,
                              at=datetime(2026, 1, 2, 9, 0))
    return cl.dataset_statuses(dataset, people=True) + [
        cl.ItemStatus(d_items[0], cl.NA, reason="Ne s'applique pas <b>"),
        cl.ItemStatus(d_items[1], cl.NA, reason=cl.STATE_LABELS[cl.NA], tick=hand),
        cl.ItemStatus(d_items[1], cl.DONE, "hand", tick=hand, hand=True, at=at,
                      by="<Agent>"),
        cl.ItemStatus(d_items[7], cl.DONE, "hand", tick=by_cli, hand=True, at=at),
        cl.ItemStatus(d_items[8], cl.TODO, "", tick=withdrawn, hand=True),
        cl.ItemStatus(d_items[4], cl.TODO, "entry", hand=True, missing=[
            ("title_fr", None), ("status", "Le statut <doit> changer"),
            ("other_constraints", cl.SOURCE_LABELS["entry"])]),
        cl.ItemStatus(d_items[5], cl.TODO, "entry", hand=False, missing=[("keywords_ar", None)]),
        cl.ItemStatus(d_items[6], cl.DONE, "entry", at=at, by="Rédacteur & co"),
        cl.ItemStatus(d_items[6], cl.DONE, "workflow"),
        cl.ItemStatus(m_items[0], cl.TODO, hand=True),
        cl.ItemStatus(m_items[1], cl.DONE, "hand", tick=hand, hand=True, at=at, by="x"),
    ]


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
@pytest.mark.parametrize("allowed", [True, False])
def test_checklist_items_print_what_the_macro_printed(app, make, lang, allowed):
    people = make.user("admin", name="<Admin> & co")
    dataset = make.dataset(make.org(), people, status="submitted")
    statuses = _statuses(dataset, people)
    urls = {"tick_url": "/datasets/u/checklist/__ITEM__" if allowed else None,
            "edit_url": "/datasets/u/edit?field=__FIELD__&x=1" if allowed else None}
    with app.test_request_context(f"/datasets?lang={lang}"):
        app.preprocess_request()
        expected = render_template_string(MACRO, statuses=statuses, **urls)
        printed = checklist_items(statuses, **urls)
    assert _lines(printed) == _lines(expected)
    assert "<i>vu</i>" not in printed and "&lt;Admin&gt; &amp; co" in printed
    assert ('name="csrf_token"' in printed) == allowed
