"""The wijkcontract as a document: PDF (ReportLab) and HTML, made from one description.

`describe()` turns a version's stored content and its signatures into sections of plain
text; `render_pdf()` and `render_html()` lay that out. Text is Dutch by default (the
contract is the municipality's document) with Babel's Dutch dates ("15 maart 2027").
The PDF uses DejaVu Sans when the system has it and otherwise the Bitstream Vera font that
ships with ReportLab; a character neither font has is replaced by its closest plain form.
"""

from __future__ import annotations

import html
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time

from bot.i18n import _, use_locale
from conversations.answer_texts import category_label, reason_label
from conversations.texts import kind_label
from storage.contracts import COORDINATOR, WIJKRAAD
from storage.models import AfspraakStatus, AnswerCategory, ContractStatus

CONTRACT_LOCALE = "nl"


# ── the description ──────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Line:
    """One line of a table cell."""

    text: str
    bold: bool = False
    muted: bool = False


Cell = list[Line]


@dataclass
class Table:
    """A section's table: column titles, relative widths and rows of cells."""

    columns: list[str]
    widths: list[float]
    rows: list[list[Cell]] = field(default_factory=list)
    empty: str = ""


@dataclass
class Section:
    """A numbered part of the contract."""

    title: str
    intro: str | None
    table: Table


@dataclass
class Document:
    """Everything the contract shows, in reading order."""

    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    preamble: list[str]
    sections: list[Section]
    footer: str
    watermark: str | None
    filename: str


@dataclass(frozen=True)
class SignatureInfo:
    """A signature as the document shows it."""

    party: str
    name: str | None
    signed_at: datetime


def _day(value: str | date | None) -> str:
    """A date as Dutch readers write it: 15 maart 2027."""
    if value is None:
        return "?"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, format="long", locale=Locale.parse(CONTRACT_LOCALE))


def _moment(value: datetime, tz: ZoneInfo) -> str:
    """A moment: 15 maart 2027, 14:05."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    local = aware.astimezone(tz)
    return f'{_day(local.date())}, {format_time(local, "HH:mm", locale=Locale.parse(CONTRACT_LOCALE))}'


def status_text(status: str) -> str:
    """A version's status as the parties read it."""
    return {ContractStatus.CONCEPT: _("concept"), ContractStatus.SIGNING: _("ter ondertekening"),
            ContractStatus.SIGNED: _("getekend")}.get(status, status)


def party_name(party: dict[str, Any], municipality: str | None) -> str:
    """Who a party is."""
    if party["key"] == WIJKRAAD:
        return _("Wijkraad {wijk}").format(wijk=party["name"])
    if party["key"] == COORDINATOR:
        return _("Coördinator wijkgericht werken, gemeente {municipality}").format(municipality=municipality or "?")
    return str(party["name"])


def period_text(content: dict[str, Any]) -> str:
    """1 januari 2027 t/m 31 december 2027."""
    return _("{start} t/m {end}").format(start=_day(content["starts_on"]), end=_day(content["ends_on"]))


def filename(content: dict[str, Any], number: int) -> str:
    """wijkcontract-leidsebuurt-2027-v2.pdf (without the extension)."""
    slug = "".join(c if c.isalnum() else "-" for c in unicodedata.normalize("NFKD", content["wijk"])
                   .encode("ascii", "ignore").decode().lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    start, end = content["starts_on"][:4], content["ends_on"][:4]
    years = start if start == end else f"{start}-{end}"
    return f"wijkcontract-{slug or 'wijk'}-{years}-v{number}"


def _owner(afspraak: dict[str, Any], municipality: str | None) -> Cell:
    """Who does it."""
    if afspraak["owner_kind"] == "residents":
        lines = [Line(_("Bewoners"), bold=True)]
        if afspraak.get("organisation"):
            lines.append(Line(_("met steun van {organisation}").format(organisation=afspraak["organisation"]),
                              muted=True))
        return lines
    if afspraak["owner_kind"] == "municipality" and not afspraak.get("organisation"):
        return [Line(_("Gemeente {municipality}").format(municipality=municipality or "?"), bold=True)]
    return [Line(afspraak.get("organisation") or "?", bold=True)]


def _afspraak_status(afspraak: dict[str, Any], made_on: date) -> Cell:
    """Open, with progress; done; or past its deadline."""
    if afspraak["status"] == AfspraakStatus.DONE:
        return [Line(_("uitgevoerd"))]
    lines = [Line(_("open, {percent}% klaar").format(percent=afspraak["percent"]) if afspraak["percent"]
                  else _("open"))]
    if date.fromisoformat(afspraak["deadline"]) < made_on:
        lines.append(Line(_("deadline verstreken"), bold=True))
    return lines


def _answer_lines(answer: dict[str, Any]) -> Cell:
    """A partner's answer: who, the category with its date, and the text as written."""
    category = answer["category"]
    detail = ""
    if category == AnswerCategory.WITHIN_PERIOD:
        detail = _("gepland: {date}").format(date=_day(answer["planned_date"]))
    elif category == AnswerCategory.IN_PLANNING:
        detail = _("gepland: {date}").format(date=_day(answer["planning_date"]))
        if answer["planning_adjusted"]:
            detail += "; " + _("de planning wordt aangepast")
        elif answer["planning_adjusted"] is False:
            detail += "; " + _("de planning wordt niet aangepast: {motivation}").format(
                motivation=answer["motivation"] or "")
    elif category == AnswerCategory.PRIORITISATION:
        detail = _("besluit verwacht: {date}").format(date=_day(answer["decision_date"]))
        if answer.get("outcome"):
            detail += "; " + _("uitkomst: {outcome}").format(outcome=answer["outcome"])
    elif category == AnswerCategory.NOT_POSSIBLE:
        detail = _("reden ({kind}): {motivation}").format(kind=reason_label(answer["reason_type"]),
                                                           motivation=answer["motivation"] or "")
    lines = [Line(answer["organisation"], bold=True), Line(category_label(category))]
    if detail:
        lines.append(Line(detail, muted=True))
    lines.append(Line(answer["text"]))
    return lines


def _request_state(request: dict[str, Any]) -> Cell:
    """What became of a request without a partner's answer."""
    state, note = request["state"], request.get("note")
    if state == "melding":
        return [Line(_("Melding: direct doorgezet naar het meldpunt en zo afgehandeld."))]
    if state == "out_of_scope":
        return [Line(_("Valt buiten het wijkcontract."), bold=True), Line(note or "", muted=True)]
    if state == "duplicate":
        return [Line(_("Samengevoegd met {reference}.").format(reference=note or "?"))]
    return [Line(_("Nog geen antwoord: in behandeling."), muted=True)]


def describe(content: dict[str, Any], *, number: int, status: str, signatures: list[SignatureInfo],
             tz: ZoneInfo) -> Document:
    """The contract as sections of text, in the contract's language."""
    with use_locale(CONTRACT_LOCALE):
        return _describe(content, number=number, status=status, signatures=signatures, tz=tz)


def _describe(content: dict[str, Any], *, number: int, status: str, signatures: list[SignatureInfo],
              tz: ZoneInfo) -> Document:
    municipality = content.get("municipality")
    made_on = date.fromisoformat(content["made_on"])
    place = ", ".join(part for part in (
        _("gemeente {name}").format(name=municipality) if municipality else None, content.get("district")) if part)
    facts = [(_("Contractperiode"), period_text(content)),
             (_("Versie"), _("{number} ({status})").format(number=number, status=status_text(status))),
             (_("Stand van zaken op"), _day(made_on))]

    afspraken = Table(columns=["#", _("Wie"), _("Wat"), _("Uiterlijk"), _("Middelen"), _("Status")],
                      widths=[0.04, 0.19, 0.31, 0.13, 0.21, 0.12],
                      empty=_("Er zijn in deze periode (nog) geen afspraken gemaakt."))
    for afspraak in content["afspraken"]:
        what = [Line(afspraak["what"])]
        if afspraak.get("reference"):
            what.append(Line(_("bij verzoek {reference}").format(reference=afspraak["reference"]), muted=True))
        afspraken.rows.append([[Line(str(afspraak["number"]))], _owner(afspraak, municipality), what,
                               [Line(_day(afspraak["deadline"]))],
                               [Line(afspraak["means"] or _("binnen de bestaande middelen"), muted=not afspraak["means"])],
                               _afspraak_status(afspraak, made_on)])

    requests = Table(columns=[_("Verzoek"), _("Wat bewoners vroegen"), _("Antwoord")],
                     widths=[0.19, 0.36, 0.45],
                     empty=_("Er zijn in deze periode (nog) geen verzoeken ingediend."))
    for request in content["requests"]:
        head = [Line(request["reference"], bold=True), Line(kind_label(request["kind"])),
                Line(request["theme"], muted=True), Line(_day(request["filed_on"]), muted=True)]
        answer: Cell = []
        for index, given in enumerate(request["answers"]):
            if index:
                answer.append(Line(""))
            answer += _answer_lines(given)
        requests.rows.append([head, [Line(request["text"])], answer or _request_state(request)])

    signed = {s.party: s for s in signatures}
    signing = Table(columns=[_("Partij"), _("Getekend door"), _("Datum")], widths=[0.46, 0.27, 0.27])
    for party in content["parties"]:
        signature = signed.get(party["key"])
        if signature is None:
            signing.rows.append([[Line(party_name(party, municipality), bold=True)],
                                 [Line(_("nog niet getekend"), muted=True)], [Line("")]])
        else:
            signing.rows.append([[Line(party_name(party, municipality), bold=True)],
                                 [Line(_("✍ {name}").format(name=signature.name or _("een lid")))],
                                 [Line(_moment(signature.signed_at, tz))]])
    sign_intro = {
        ContractStatus.CONCEPT: _("Dit is een concept. Als de coördinator het ter ondertekening aanbiedt, tekenen "
                                  "de partijen hieronder in de chat met Wijkbot."),
        ContractStatus.SIGNING: _("Dit wijkcontract ligt ter ondertekening. Elke partij tekent in de chat met "
                                  "Wijkbot; het is getekend als alle partijen getekend hebben."),
        ContractStatus.SIGNED: _("Alle partijen hebben dit wijkcontract getekend. Afspraak is afspraak."),
    }.get(status, "")

    preamble = [
        _("In dit wijkcontract staat wat bewoners van {wijk} in deze periode hebben gevraagd, welk antwoord elke "
          "partner daarop heeft gegeven en welke afspraken daaruit volgen: wie wat doet, wanneer en met welke "
          "middelen.").format(wijk=content["wijk"]),
        _("Elke vraag krijgt een antwoord. De partners voeren de afspraken uit binnen hun bestaande financiële en "
          "personele middelen: het wijkcontract leidt niet tot uitbreiding, maar tot verschuiving. De inhoud van "
          "elke afspraak is de verantwoordelijkheid van de partner die haar uitvoert."),
    ]
    title = _("Wijkcontract {wijk}").format(wijk=content["wijk"])
    footer = _("{title} · {period} · versie {number} ({status})").format(
        title=title, period=period_text(content), number=number, status=status_text(status))
    return Document(
        title=title, subtitle=place, facts=facts, preamble=preamble,
        sections=[
            Section(_("1. Afspraken"), _("Afspraak is afspraak: de eigenaar meldt de voortgang in Wijkbot en de "
                                         "wijkraad ziet het als een afspraak achterloopt."), afspraken),
            Section(_("2. Verzoeken en antwoorden"), _("Alle verzoeken uit de wijk in deze periode, met het antwoord "
                                                       "van elke partner (de vijf antwoordcategorieën)."), requests),
            Section(_("3. Ondertekening"), sign_intro, signing),
        ],
        footer=footer, watermark=_("CONCEPT") if status == ContractStatus.CONCEPT else None,
        filename=filename(content, number))


# ── PDF ──────────────────────────────────────────────────────────────────────────────────

FONT = "WijkSans"
DEJAVU_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu",
               "/usr/share/fonts/TTF")
DEJAVU = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf")
VERA = ("Vera.ttf", "VeraBd.ttf", "VeraIt.ttf", "VeraBI.ttf")
FRAME_PADDING = 6  # points: ReportLab's frame keeps this inside the margins
KEEP_ROWS_TOGETHER = 12  # a table this short starts on the page its heading is on, whole
ROW_SPLIT_MIN = 36  # points: a row taller than what is left of a page may be split, in parts at least this high


def _font_files() -> tuple[Path, ...]:
    """DejaVu Sans from the system when it is complete there, else ReportLab's own Bitstream Vera."""
    for folder in DEJAVU_DIRS:
        paths = tuple(Path(folder) / name for name in DEJAVU)
        if all(path.is_file() for path in paths):
            return paths
    import reportlab

    return tuple(Path(reportlab.__file__).parent / "fonts" / name for name in VERA)


@cache
def _fonts() -> frozenset[int]:
    """Register the font family once; returns the code points the regular font has."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold, italic, bold_italic = _font_files()
    names = (FONT, f"{FONT}-Bold", f"{FONT}-Italic", f"{FONT}-BoldItalic")
    for name, path in zip(names, (regular, bold, italic, bold_italic), strict=True):
        pdfmetrics.registerFont(TTFont(name, str(path)))
    for (is_bold, is_italic), name in zip(((0, 0), (1, 0), (0, 1), (1, 1)), names, strict=True):
        addMapping(FONT, is_bold, is_italic, name)
    face = pdfmetrics.getFont(FONT).face  # type: ignore[attr-defined]
    return frozenset(face.charToGlyph)


def printable(text: str, available: frozenset[int] | None = None) -> str:
    """The text with each character the font lacks replaced by its plain form (é→e, ĳ→ij), or dropped."""
    have = available if available is not None else _fonts()
    out = []
    for char in text:
        if ord(char) in have or char in "\n\t":
            out.append(char)
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) in have)
        if plain:
            out.append(plain)
        elif unicodedata.category(char)[0] in "LN":
            out.append("?")
        # symbols, emoji, joiners and variation selectors without a glyph are left out
    return "".join(out)


def _para(text: str) -> str:
    """Text as ReportLab paragraph markup."""
    return xml_escape(printable(text).replace("€ ", "€\u00a0")).replace("\n", "<br/>")


def render_pdf(document: Document) -> bytes:
    """The contract as an A4 PDF (the same bytes for the same document)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable
    from reportlab.platypus import TableStyle

    _fonts()
    ink, muted_ink, accent, rule = (colors.HexColor("#1d2b36"), colors.HexColor("#5b6770"),
                                    colors.HexColor("#0b5e7a"), colors.HexColor("#c9d3da"))
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12, textColor=ink, alignment=TA_LEFT)
    styles = {
        "title": ParagraphStyle("title", parent=base, fontName=f"{FONT}-Bold", fontSize=20, leading=25,
                                textColor=accent),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15, textColor=muted_ink),
        "h2": ParagraphStyle("h2", parent=base, fontName=f"{FONT}-Bold", fontSize=13, leading=17, textColor=accent,
                             spaceBefore=10, spaceAfter=3),
        "intro": ParagraphStyle("intro", parent=base, textColor=muted_ink, spaceAfter=6),
        "body": ParagraphStyle("body", parent=base, spaceAfter=5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "head": ParagraphStyle("head", parent=base, fontName=f"{FONT}-Bold", fontSize=8.5, leading=11,
                               textColor=colors.white),
        "fact": ParagraphStyle("fact", parent=base, fontSize=9.5, leading=13),
    }

    def cell(lines: Cell) -> Paragraph:
        parts = []
        for line in lines:
            text = _para(line.text)
            if line.bold:
                text = f"<b>{text}</b>"
            if line.muted:
                text = f'<font color="#5b6770">{text}</font>'
            parts.append(text)
        return Paragraph("<br/>".join(parts), styles["cell"])

    margin = 18 * mm
    width = A4[0] - 2 * margin - 2 * FRAME_PADDING
    story: list[Any] = [Paragraph(_para(document.title), styles["title"])]
    if document.subtitle:
        story.append(Paragraph(_para(document.subtitle), styles["subtitle"]))
    story.append(Spacer(1, 4 * mm))
    facts = PdfTable([[Paragraph(f"<b>{_para(k)}</b>", styles["fact"]), Paragraph(_para(v), styles["fact"])]
                      for k, v in document.facts], colWidths=[42 * mm, width - 42 * mm], hAlign="LEFT")
    facts.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.4, rule), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    story += [facts, Spacer(1, 4 * mm)]
    story += [Paragraph(_para(text), styles["body"]) for text in document.preamble]
    for section in document.sections:
        heading = [Paragraph(_para(section.title), styles["h2"])]
        if section.intro:
            heading.append(Paragraph(_para(section.intro), styles["intro"]))
        table = section.table
        if not table.rows:
            story.append(KeepTogether([*heading, Paragraph(_para(table.empty), styles["body"])]))
            continue
        data = [[Paragraph(_para(title), styles["head"]) for title in table.columns]]
        data += [[cell(lines) for lines in row] for row in table.rows]
        pdf_table = PdfTable(data, colWidths=[width * w for w in table.widths], repeatRows=1, splitInRow=ROW_SPLIT_MIN,
                             hAlign="LEFT")
        pdf_table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), accent),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f5f7")]),
            ("LINEBELOW", (0, 1), (-1, -1), 0.4, rule),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]))
        if len(table.rows) <= KEEP_ROWS_TOGETHER:
            story.append(KeepTogether([*heading, pdf_table]))
        else:  # a long table starts under its heading, on a new page unless a good part of this one is left
            story += [CondPageBreak(60 * mm), *heading, pdf_table]

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        if document.watermark:
            canvas.setFont(f"{FONT}-Bold", 90)
            canvas.setFillColor(colors.HexColor("#0b5e7a"), alpha=0.06)
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -30, printable(document.watermark))
            canvas.rotate(-45)
            canvas.translate(-A4[0] / 2, -A4[1] / 2)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(muted_ink)
        canvas.setStrokeColor(rule)
        left, right = margin + FRAME_PADDING, A4[0] - margin - FRAME_PADDING
        canvas.line(left, 14 * mm, right, 14 * mm)
        canvas.drawString(left, 10 * mm, printable(document.footer))
        canvas.drawRightString(right, 10 * mm, printable(_page_label(doc.page)))
        canvas.restoreState()

    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=20 * mm, title=printable(document.title), author="Wijkbot",
                            subject=printable(document.footer), invariant=1)
    pdf.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _page_label(page: int) -> str:
    """Pagina 2."""
    with use_locale(CONTRACT_LOCALE):
        return _("pagina {page}").format(page=page)


# ── HTML ─────────────────────────────────────────────────────────────────────────────────

CSS = """
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #1d2b36; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; font-size: 0.95rem; line-height: 1.45; }
h1 { color: #0b5e7a; margin-bottom: 0.2rem; } h2 { color: #0b5e7a; margin-top: 2rem; }
.subtitle, .muted, .intro { color: #5b6770; }
dl.facts { display: grid; grid-template-columns: 12rem 1fr; gap: 0.2rem 1rem; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th { background: #0b5e7a; color: #fff; text-align: left; padding: 0.35rem; }
td { vertical-align: top; padding: 0.35rem; border-bottom: 1px solid #c9d3da; }
tr:nth-child(even) td { background: #f1f5f7; }
.watermark { display: inline-block; border: 2px solid #0b5e7a; color: #0b5e7a; padding: 0 0.4rem;
             font-weight: bold; letter-spacing: 0.1em; }
footer { margin-top: 2rem; color: #5b6770; font-size: 0.8rem; border-top: 1px solid #c9d3da; padding-top: 0.5rem; }
"""


def render_html(document: Document) -> str:
    """The contract as one self-contained HTML page."""
    def cell(lines: Cell) -> str:
        parts = []
        for line in lines:
            text = html.escape(line.text).replace("\n", "<br>")
            if line.bold:
                text = f"<strong>{text}</strong>"
            if line.muted:
                text = f'<span class="muted">{text}</span>'
            parts.append(text)
        return "<br>".join(parts)

    out = ["<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(document.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<header>"]
    if document.watermark:
        out.append(f'<p><span class="watermark">{html.escape(document.watermark)}</span></p>')
    out.append(f"<h1>{html.escape(document.title)}</h1>")
    if document.subtitle:
        out.append(f'<p class="subtitle">{html.escape(document.subtitle)}</p>')
    out.append('<dl class="facts">')
    out += [f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in document.facts]
    out += ["</dl>", "</header>", "<main>"]
    out += [f"<p>{html.escape(text)}</p>" for text in document.preamble]
    for section in document.sections:
        out.append(f"<section><h2>{html.escape(section.title)}</h2>")
        if section.intro:
            out.append(f'<p class="intro">{html.escape(section.intro)}</p>')
        table = section.table
        if not table.rows:
            out.append(f"<p>{html.escape(table.empty)}</p></section>")
            continue
        out.append("<table><thead><tr>" + "".join(
            f'<th style="width:{w * 100:.0f}%">{html.escape(c)}</th>' for c, w in zip(table.columns, table.widths,
                                                                                     strict=True))
                   + "</tr></thead><tbody>")
        out += ["<tr>" + "".join(f"<td>{cell(lines)}</td>" for lines in row) + "</tr>" for row in table.rows]
        out.append("</tbody></table></section>")
    out += ["</main>", f"<footer>{html.escape(document.footer)}</footer>", "</body>", "</html>", ""]
    return "\n".join(out)
