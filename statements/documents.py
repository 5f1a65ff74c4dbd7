"""The two documents of a statement, written from the same figures: an HTML page (readable on
screen, printable) and a PDF drawn with fpdf2 (pure Python: no system library to install).

Both read their words from ``texts``, and their amounts and dates from ``statement_view``, so
the two can never disagree.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from django.template.loader import render_to_string
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from crm.formatting import money

from .figures import StatementFigures
from .texts import base_language, statement_locale, statement_words

FONTS = Path(__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]


def statement_view(figures: StatementFigures, *, issued_on=None) -> dict:
    """What both documents show, as the customer reads it: words in their language, amounts in
    their currency with their language's separators."""
    words = statement_words(figures.language)
    locale = statement_locale(figures.language)

    def amount(value: Decimal) -> str:
        return money(value, figures.currency, locale)

    def day(value) -> str:
        return format_date(value, format="medium", locale=locale)

    closing = figures.closing_balance
    if closing > 0:
        balance_note = f"{words['owed']}: {amount(closing)}"
    elif closing < 0:
        balance_note = f"{words['credit']}: {amount(-closing)}"
    else:
        balance_note = words["settled"]
    return {
        "words": words,
        "lang": base_language(figures.language),
        "holder": figures.holder_name,
        "address": figures.address,
        "number": figures.customer.number,
        "kind": words[figures.frequency],
        "period": period_text(figures.period_start, figures.period_end, figures.language),
        "issued_on": day(issued_on or timezone.localdate()),
        "currency": figures.currency,
        "itemised": figures.itemised,
        "summary": [
            (words["opening_balance"], amount(figures.opening_balance)),
            (
                _counted(words, "invoiced", "count_invoices", len(figures.invoices)),
                amount(figures.invoiced),
            ),
            (
                _counted(words, "paid", "count_payments", len(figures.payments)),
                amount(-figures.paid),
            ),
        ],
        "closing": (words["closing_balance"], amount(closing)),
        "balance_note": balance_note,
        "invoice_head": (
            words["invoice_number"],
            words["issued_on"],
            words["due_on"],
            words["amount"],
        ),
        "invoices": [
            Row((line.number, day(line.issued_on), day(line.due_on), amount(line.amount)))
            for line in figures.invoices
        ],
        "payment_head": (
            words["received_on"],
            words["method"],
            words["reference"],
            words["amount"],
        ),
        "payments": [
            Row(
                (
                    day(line.received_on),
                    words.get(line.method, line.method),
                    line.reference,
                    amount(line.amount),
                )
            )
            for line in figures.payments
        ],
    }


def period_text(start, end, language: str) -> str:
    """The period as the statement and its e-mail write it: "1 Nov 2026 \N{EN DASH} 30 Nov 2026"."""
    locale = statement_locale(language)
    return (
        f"{format_date(start, format='medium', locale=locale)} \N{EN DASH} "
        f"{format_date(end, format='medium', locale=locale)}"
    )


def _counted(words: dict, label: str, count_key: str, count: int) -> str:
    """ "Invoiced (2 invoices)": the four languages all say one, and more than one."""
    form = words[f"{count_key}_one" if count == 1 else f"{count_key}_other"]
    return f"{words[label]} ({form.format(count=count)})"


def statement_html(view: dict) -> bytes:
    return render_to_string("statements/statement.html", view).encode("utf-8")


# --- PDF ------------------------------------------------------------------------------------

# DejaVu Sans cut down to Latin, punctuation and currency signs (see fonts/README.md): the
# PDF core fonts know neither "€" nor the narrow spaces French amounts are written with.
_FONT = "DejaVu"
_INK, _MUTED, _RULE, _BAND = (26, 32, 44), (90, 99, 115), (200, 205, 214), (238, 241, 246)


@cache
def _font_files() -> tuple[str, str]:
    return (
        str(FONTS / "DejaVuSans-statement.ttf"),
        str(FONTS / "DejaVuSans-Bold-statement.ttf"),
    )


class _StatementPdf(FPDF):
    def __init__(self, view: dict):
        super().__init__(format="A4")
        self.view = view
        regular, bold = _font_files()
        self.add_font(_FONT, "", regular)
        self.add_font(_FONT, "B", bold)
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(f"{view['words']['title']} {view['number']}")
        self.set_lang(view["lang"])
        self.set_creator("CRM statements")

    def footer(self):
        self.set_y(-14)
        self.set_font(_FONT, "", 8)
        self.set_text_color(*_MUTED)
        words = self.view["words"]
        self.cell(0, 5, words["footer"], align="L")
        self.cell(0, 5, words["page"].format(page=self.page_no()), align="R")


def statement_pdf(view: dict) -> bytes:
    words = view["words"]
    pdf = _StatementPdf(view)
    pdf.add_page()
    width = pdf.epw

    pdf.set_text_color(*_INK)
    pdf.set_font(_FONT, "B", 18)
    pdf.cell(width, 9, words["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 10)
    pdf.set_text_color(*_MUTED)
    pdf.cell(width, 6, view["kind"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    top = pdf.get_y()
    pdf.set_text_color(*_INK)
    pdf.set_font(_FONT, "B", 11)
    pdf.cell(width / 2, 6, view["holder"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 10)
    for line in view["address"]:
        pdf.cell(width / 2, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    bottom = pdf.get_y()

    pdf.set_y(top)
    facts = (
        (words["customer_number"], view["number"]),
        (words["period"], view["period"]),
        (words["issued"], view["issued_on"]),
        (words["currency"], view["currency"]),
    )
    for label, value in facts:
        pdf.set_x(pdf.l_margin + width / 2)
        pdf.set_font(_FONT, "", 9)
        pdf.set_text_color(*_MUTED)
        pdf.cell(width / 4, 5, label)
        pdf.set_font(_FONT, "B", 9)
        pdf.set_text_color(*_INK)
        pdf.cell(width / 4, 5, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(bottom, pdf.get_y()) + 6)

    _heading(pdf, words["summary"])
    pdf.set_font(_FONT, "", 10)
    pdf.set_draw_color(*_RULE)
    for label, value in view["summary"]:
        pdf.cell(width * 0.7, 7, label, border="B")
        pdf.cell(width * 0.3, 7, value, border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "B", 11)
    pdf.set_fill_color(*_BAND)
    label, value = view["closing"]
    pdf.cell(width * 0.7, 9, label, fill=True)
    pdf.cell(width * 0.3, 9, value, align="R", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 10)
    pdf.cell(width, 7, view["balance_note"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    if view["itemised"]:
        pdf.ln(4)
        _heading(pdf, words["invoices"])
        _table(pdf, view["invoice_head"], view["invoices"], words["none_invoices"])
        pdf.ln(4)
        _heading(pdf, words["payments"])
        _table(pdf, view["payment_head"], view["payments"], words["none_payments"])
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font(_FONT, "B", 12)
    pdf.set_text_color(*_INK)
    pdf.cell(pdf.epw, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _table(pdf: FPDF, head: tuple[str, ...], rows: list[Row], empty: str) -> None:
    if not rows:
        pdf.set_font(_FONT, "", 10)
        pdf.set_text_color(*_MUTED)
        pdf.cell(pdf.epw, 6, empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*_INK)
        return
    pdf.set_draw_color(*_RULE)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_font(_FONT, "", 9)
    with pdf.table(
        col_widths=(3, 2, 2, 2),
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD", color=_MUTED),
        line_height=6,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_mode="NONE",
    ) as table:
        table.row(head)
        for row in rows:
            table.row(row.cells)
