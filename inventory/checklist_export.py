"""Checklist exports for a ministry or one entry: PDF (WeasyPrint), XLSX, CSV, Markdown.

Every exporter renders in the requested language (`force_locale`), so the CLI and the web
download produce the same file. The PDF comes from `templates/checklist/pdf.html`; Arabic is
shaped and laid out right to left by WeasyPrint (Pango/HarfBuzz) with the Noto Naskh Arabic
font from Debian's fonts-noto-core.
"""
import re
from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _

from . import babel_locale, sheets
from . import checklist as cl
from . import vocabularies as vocab
from .models import utcnow

FORMATS = ("pdf", "xlsx", "csv", "md")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
RTL = {"ar"}


@dataclass
class Subject:
    """What one export is about: a whole organization or one entry."""

    organization: object
    summary: object = None  # checklist.OrganizationChecklist
    entry: object = None  # checklist.EntryChecklist

    @property
    def is_entry(self):
        return self.entry is not None


def organization_subject(organization):
    return Subject(organization, summary=cl.organization_checklist(organization))


def dataset_subject(dataset):
    return Subject(dataset.organization, entry=cl.entry_checklist(dataset))


def export(subject, fmt, lang):
    """The checklist of `subject` as bytes in format `fmt`, written in `lang`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    with force_locale(babel_locale(lang)):
        return {"pdf": _pdf, "xlsx": _xlsx, "csv": _csv, "md": _markdown}[fmt](subject, lang)


def filename(subject, fmt, lang):
    """ASCII file name: checklist-<ORG>[-<reference>]-<lang>-<date>.<fmt>."""
    parts = ["checklist", subject.organization.code]
    if subject.is_entry:
        parts.append(subject.entry.dataset.reference)
    parts += [lang, date.today().isoformat()]
    return "-".join(parts) + "." + fmt


# --------------------------------------------------------------------------- shared texts

def _when(value):
    if value is None:
        return ""
    return format_datetime(value, "short")


def _who_when(status):
    """'Name, date' of the person (or the entry) that made the status true."""
    if status.state == cl.NA:
        return ""
    tick = status.tick
    if tick is not None and (status.source == "hand" or not tick.done):
        who = tick.by.display_name() if tick.by else _("command line")
        return ", ".join(p for p in (who, _when(tick.at)) if p)
    if status.state == cl.DONE:
        return ", ".join(p for p in (status.by, _when(status.at)) if p)
    return ""


def _evidence(status):
    """(note, link) of the hand tick, if any."""
    tick = status.tick
    if tick is None or status.state == cl.NA:
        return "", ""
    note = tick.note
    if not tick.done:
        note = _("Tick withdrawn.") + (" " + note if note else "")
    return note, tick.evidence_url


def _source(status):
    if status.state == cl.NA:
        return ""
    if status.state == cl.TODO and status.hand:
        return _("To tick by hand")
    return str(cl.SOURCE_LABELS.get(status.source, ""))


def _item_row(status, lang):
    note, link = _evidence(status)
    return [status.item.id, status.item.text(lang), str(status.label), _source(status),
            status.details(), note, link, _who_when(status)]


def _item_header():
    return [_("Item"), _("Requirement"), _("Status"), _("How"), _("Details"), _("Note"),
            _("Evidence link"), _("By, when")]


def _progress_text(progress):
    return _("%(done)s of %(total)s done (%(percent)s %%)", done=progress.done,
             total=progress.applicable, percent=progress.percent)


def _title(dataset, lang):
    return dataset.title(lang) or _("(untitled)")


def _facts(subject, lang):
    """(label, value) lines of the cover / summary sheet."""
    org = subject.organization
    facts = [(_("Organization"), f"{org.name(lang)} ({org.code})"),
             (_("Date"), format_date(date.today(), "long"))]
    if subject.is_entry:
        ds = subject.entry.dataset
        facts += [(_("Entry"), f"{_title(ds, lang)} ({ds.reference})"),
                  (_("Workflow status"), str(vocab.STATUS_LABELS.get(ds.status, ds.status))),
                  (_("Progress"), _progress_text(subject.entry.progress))]
    else:
        s = subject.summary
        facts += [(_("Ministry items"), _progress_text(s.ministry_progress)),
                  (_("Entries in the inventory"), str(len(s.entries))),
                  (_("Dataset items, all entries"), _progress_text(s.dataset_progress))]
    return facts


def _entry_row(entry, lang):
    ds = entry.dataset
    return [ds.reference, _title(ds, lang), str(vocab.STATUS_LABELS.get(ds.status, ds.status)),
            f"{entry.progress.done}/{entry.progress.applicable}", entry.progress.percent,
            " ".join(entry.to_do())]


def _entry_header():
    return [_("Reference"), _("Title"), _("Workflow status"), _("Done"), "%",
            _("Items to do")]


# --------------------------------------------------------------------------- PDF

_STRONG = re.compile(r"[A-Za-z\u00c0-\u024f]|[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")


def text_dir(value, default="ltr"):
    """'rtl' or 'ltr' from the first strong letter of `value` (WeasyPrint has no dir=auto)."""
    match = _STRONG.search(str(value or ""))
    if match is None:
        return default
    return "ltr" if match.group(0).isascii() or match.group(0) < "\u0600" else "rtl"


def compact_ids(ids):
    """'D01 D02 D03 D05' -> 'D01–03, 05': short enough to keep an entry on one line."""
    numbers = [int(i[1:]) for i in ids]
    if not numbers:
        return "—"
    runs, start = [], numbers[0]
    for prev, cur in zip(numbers, numbers[1:] + [None], strict=True):
        if cur != prev + 1:
            runs.append(f"{start:02d}" if start == prev else f"{start:02d}–{prev:02d}")
            start = cur
    return ids[0][0] + ", ".join(runs)


def _css_counter_text():
    """The translated 'Page X of Y' as a CSS `content` value built around page counters."""
    marker_page, marker_pages = "\x01", "\x02"
    text = _("Page %(page)s of %(pages)s", page=marker_page, pages=marker_pages)
    out, buf = [], ""
    for ch in text:
        if ch in (marker_page, marker_pages):
            if buf:
                out.append(_css_string(buf))
            out.append("counter(page)" if ch == marker_page else "counter(pages)")
            buf = ""
        else:
            buf += ch
    if buf:
        out.append(_css_string(buf))
    return " ".join(out)


def _css_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render_pdf_html(subject, lang):
    """The HTML the PDF is made from (also used to test and benchmark the layout)."""
    return render_template(
        "checklist/pdf.html", subject=subject, lang=lang,
        text_dir="rtl" if lang in RTL else "ltr", today=date.today(), generated=utcnow(),
        page_counter=_css_counter_text(), item_row=lambda s: _item_row(s, lang),
        facts=_facts(subject, lang), cl=cl, vocab=vocab, title=_title, compact_ids=compact_ids,
        text_dir_of=text_dir)


def _pdf(subject, lang):
    from weasyprint import HTML
    html = render_pdf_html(subject, lang)
    return HTML(string=html, base_url=str(current_app.root_path)).write_pdf()


# --------------------------------------------------------------------------- XLSX

def _state_style(states):
    def style(row, col, value):
        return sheets.STATE_STYLES.get(states.get((row, col)))
    return style


def _xlsx(subject, lang):
    wb = sheets.new_workbook()
    rtl = lang in RTL
    sheets.table_sheet(wb, _("Summary"), [_("About"), ""], _facts(subject, lang), rtl=rtl,
                       freeze=None)
    if subject.is_entry:
        statuses = subject.entry.statuses
        _items_sheet(wb, _("Checklist"), statuses, lang, rtl)
    else:
        s = subject.summary
        _items_sheet(wb, _("Ministry items"), s.ministry, lang, rtl)
        items = cl.dataset_items()
        header = _entry_header() + [i.id for i in items]
        rows, states = [], {}
        for r, entry in enumerate(s.entries):
            row = _entry_row(entry, lang)
            for c, status in enumerate(entry.statuses, start=len(row)):
                states[(r, c)] = status.state
                row.append(str(status.label))
            rows.append(row)
        widths = [12, 50, 14, 7, 5, 30] + [11] * len(items)
        sheets.table_sheet(wb, _("Entries"), header, rows, rtl=rtl, widths=widths,
                           styles=_state_style(states), freeze="C2")
        counts = [[i.id, i.text(lang), str(cl.explanation(i.id)), s.item_counts[i.id][cl.DONE],
                   s.item_counts[i.id][cl.TODO], s.item_counts[i.id][cl.NA]] for i in items]
        sheets.table_sheet(wb, _("Dataset items"),
                           [_("Item"), _("Requirement"), _("How it is assessed"), _("Done"),
                            _("To do"), _("Does not apply")], counts, rtl=rtl,
                           widths=[7, 60, 60, 8, 8, 10])
    return sheets.workbook_bytes(wb)


def _items_sheet(wb, title, statuses, lang, rtl):
    rows = [_item_row(s, lang) for s in statuses]
    states = {(r, 2): s.state for r, s in enumerate(statuses)}
    sheets.table_sheet(wb, title, _item_header(), rows, rtl=rtl,
                       widths=[7, 60, 14, 16, 40, 40, 30, 24], styles=_state_style(states),
                       freeze="C2")


# --------------------------------------------------------------------------- CSV

def _csv(subject, lang):
    header = [_("Scope"), _("Reference"), _("Title")] + _item_header()
    rows = []
    if subject.is_entry:
        ds = subject.entry.dataset
        rows += [[_("Entry"), ds.reference, _title(ds, lang)] + _item_row(s, lang)
                 for s in subject.entry.statuses]
    else:
        org = subject.organization
        rows += [[_("Organization"), org.code, org.name(lang)] + _item_row(s, lang)
                 for s in subject.summary.ministry]
        for entry in subject.summary.entries:
            ds = entry.dataset
            prefix = [_("Entry"), ds.reference, _title(ds, lang)]
            rows += [prefix + _item_row(s, lang) for s in entry.statuses]
    return sheets.csv_bytes(header, rows)


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|<>#"})


class _Link(str):
    """A checked http(s) address placed in a Markdown cell as is (only pipes encoded), so
    wikis can link it."""


def md_cell(value):
    """A Markdown table cell: special characters escaped (no HTML or links get through),
    line breaks flattened."""
    if isinstance(value, _Link):
        return value.replace("|", "%7C")
    text = "" if value is None else str(value)
    return " ".join(text.split()).translate(_MD_SPECIAL)


def _md_table(header, rows):
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _h in header) + "|"]
    lines += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows]
    return lines


def _markdown(subject, lang):
    org = subject.organization
    lines = [f"# {md_cell(_('Open-data guide checklist'))} — {md_cell(org.name(lang))}", ""]
    lines += [f"- **{md_cell(label)}:** {md_cell(value)}" for label, value in
              _facts(subject, lang)]
    lines.append("")
    header = [_("Item"), _("Requirement"), _("Status"), _("Details"), _("Note"),
              _("Evidence link"), _("By, when")]

    def rows(statuses):
        out = []
        for s in statuses:
            note, link = _evidence(s)
            out.append([s.item.id, s.item.text(lang), s.label, s.details(), note,
                        _Link(link), _who_when(s)])
        return out

    if subject.is_entry:
        lines += _md_table(header, rows(subject.entry.statuses))
    else:
        s = subject.summary
        lines += [f"## {md_cell(_('Ministry items'))}", ""]
        lines += _md_table(header, rows(s.ministry))
        lines += ["", f"## {md_cell(_('Dataset items across the inventory'))}", ""]
        lines += _md_table([_("Item"), _("Requirement"), _("Done"), _("To do"),
                            _("Does not apply")],
                           [[i.id, i.text(lang), s.item_counts[i.id][cl.DONE],
                             s.item_counts[i.id][cl.TODO], s.item_counts[i.id][cl.NA]]
                            for i in cl.dataset_items()])
        lines += ["", f"## {md_cell(_('Entries'))}", ""]
        lines += _md_table(_entry_header(), [_entry_row(e, lang) for e in s.entries])
    lines.append("")
    return "\n".join(lines).encode("utf-8")
