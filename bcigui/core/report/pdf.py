"""PDF rendering with fpdf2: flowing text, real tables and the PNG figures, A4, selectable text.

Fonts are the DejaVu family bundled with matplotlib (full Unicode: µ, ², ±, ×), so nothing is
fetched and every machine renders the same.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from bcigui.core.report.contents import SessionReport
from bcigui.core.report.document import Bullets, Heading, Image, Para, Table, document, title

BLUE = (31, 95, 168)
GREY = (85, 85, 85)
GOOD, WARN, BAD = (46, 125, 50), (180, 105, 0), (198, 40, 40)
GOOD_BG, BAD_BG, HEAD_BG, TOTAL_BG = (238, 247, 238), (251, 238, 238), (232, 237, 244), (244, 245, 247)
FONT = "DejaVu"


def _font_files() -> dict[str, Path]:
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {"": ttf / "DejaVuSans.ttf", "B": ttf / "DejaVuSans-Bold.ttf", "I": ttf / "DejaVuSans-Oblique.ttf"}


def render_pdf(rep: SessionReport) -> bytes:
    """The report as PDF bytes."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    doc_title = title(rep)

    class _PDF(FPDF):
        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font(FONT, "", 7.5)
            self.set_text_color(*GREY)
            self.cell(0, 5, doc_title, align="L")
            self.ln(7)

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 7.5)
            self.set_text_color(*GREY)
            self.cell(0, 5, f"generated {rep.generated} · page {self.page_no()}/{{nb}}", align="C")

    pdf = _PDF(format="A4", unit="mm")
    for style, path in _font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(doc_title)
    pdf.set_author(f"bcigui {rep.versions.get('bcigui', '')}")
    pdf.set_creator("bcigui report")
    pdf.add_page()
    pdf.set_font(FONT, "B", 17)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(0, 8, doc_title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(0, 4.5, f"{rep.session_dir} · generated {rep.generated}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    width = pdf.epw
    for b in document(rep):
        if isinstance(b, Heading):
            _heading(pdf, b)
        elif isinstance(b, Para):
            _para(pdf, b)
        elif isinstance(b, Bullets):
            pdf.set_font(FONT, "", 9.5)
            pdf.set_text_color(0, 0, 0)
            for item in b.items:
                pdf.set_x(pdf.l_margin + 2)
                pdf.cell(4, 5, "•")
                pdf.multi_cell(width - 6, 5, item, align="L", new_x="LMARGIN", new_y="NEXT")
                pdf.ln(0.8)
            pdf.ln(1)
        elif isinstance(b, Table):
            _table(pdf, b, FontFace)
        elif isinstance(b, Image):
            _image(pdf, b)
    return bytes(pdf.output())


def _heading(pdf, b: Heading) -> None:
    need = 40 if b.level == 1 else 28  # keep a heading with what follows
    if pdf.get_y() + need > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.set_text_color(0, 0, 0)
    if b.level == 1:
        pdf.ln(3)
        pdf.set_font(FONT, "B", 13)
        pdf.multi_cell(0, 7, b.text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(*BLUE)
        pdf.set_line_width(0.6)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.ln(2.5)
    else:
        pdf.ln(1.5)
        pdf.set_font(FONT, "B", 10.5)
        pdf.multi_cell(0, 6, b.text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.5)


def _para(pdf, b: Para) -> None:
    if b.style in ("good", "bad"):
        colour, bg = (GOOD, GOOD_BG) if b.style == "good" else (BAD, BAD_BG)
        pdf.set_font(FONT, "B", 10)
        pdf.set_text_color(0, 0, 0)
        pdf.set_fill_color(*bg)
        y0 = pdf.get_y()
        pdf.set_x(pdf.l_margin + 2.5)
        pdf.multi_cell(pdf.epw - 2.5, 5.5, b.text, fill=True, padding=(1.2, 2, 1.2, 2), align="L", new_x="LMARGIN",
                       new_y="NEXT")
        y1 = pdf.get_y()
        if y1 > y0:  # not split across pages
            pdf.set_fill_color(*colour)
            pdf.rect(pdf.l_margin, y0, 1.6, y1 - y0, style="F")
        pdf.ln(1.5)
        return
    if b.style == "note":
        pdf.set_font(FONT, "", 8.3)
        pdf.set_text_color(*GREY)
    else:
        pdf.set_font(FONT, "", 9.5)
        pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(0, 4.6 if b.style == "note" else 5, b.text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _table(pdf, t: Table, FontFace) -> None:
    kv = not any(t.header)
    size = 7.6 if t.small else 8.8
    pdf.set_font(FONT, "", size)
    pdf.set_text_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)  # cells without a style are not filled with a previous colour
    pdf.set_draw_color(200, 204, 210)
    pdf.set_line_width(0.2)
    widths = t.widths or [1] * len(t.rows[0] if t.rows else t.header)
    head = FontFace(emphasis="BOLD", fill_color=HEAD_BG)
    with pdf.table(col_widths=tuple(widths), width=pdf.epw, text_align="LEFT", line_height=size * 0.48,
                   first_row_as_headings=not kv, headings_style=head, padding=(0.8, 1.2),
                   v_align="TOP") as table:
        if not kv:
            row = table.row()
            for h in t.header:
                row.cell(h)
        for i, cells in enumerate(t.rows):
            style = t.row_styles[i] if i < len(t.row_styles) else ""
            row = table.row()
            for j, c in enumerate(cells):
                face = None
                if kv and j == 0:
                    face = FontFace(emphasis="BOLD", fill_color=TOTAL_BG)
                elif style == "total":
                    face = FontFace(emphasis="BOLD", fill_color=TOTAL_BG)
                elif style == "bad":
                    face = FontFace(emphasis="BOLD" if j == 1 else None, color=BAD if j == 1 else None,
                                    fill_color=BAD_BG)
                elif style in ("good", "warn") and j == 1:
                    face = FontFace(emphasis="BOLD", color=GOOD if style == "good" else WARN)
                row.cell(str(c), style=face)  # fpdf2 breaks over-long words (hashes) itself
    pdf.ln(2)


def _image(pdf, b: Image) -> None:
    from PIL import Image as PILImage

    from bcigui.core.report.figures import DPI

    png = b.figure.png
    with PILImage.open(io.BytesIO(png)) as im:
        w_px, h_px = im.size
    w = min(pdf.epw, w_px / DPI * 25.4 * 0.85)
    h = w * h_px / w_px
    pdf.set_font(FONT, "B", 8)
    text_w = pdf.get_string_width(b.figure.title + ". ")
    pdf.set_font(FONT, "", 8)
    text_w += pdf.get_string_width(b.figure.caption)
    caption_h = 4.2 * (math.ceil(text_w / (pdf.epw * 0.95)) + 0.5) + 3
    room = pdf.h - pdf.b_margin - pdf.get_y() - caption_h
    if h > room >= 0.7 * h:  # shrink a little rather than leave half a page empty
        w, h = w * room / h, room
    elif h > room:
        pdf.add_page()
    x = pdf.l_margin + (pdf.epw - w) / 2
    pdf.image(io.BytesIO(png), x=x, y=pdf.get_y(), w=w, h=h)
    pdf.set_y(pdf.get_y() + h + 1)
    pdf.set_text_color(*GREY)
    pdf.set_font(FONT, "B", 8)
    pdf.write(4.2, b.figure.title + ". ")
    pdf.set_font(FONT, "", 8)
    pdf.write(4.2, b.figure.caption)
    pdf.ln(7)
