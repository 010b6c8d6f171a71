"""One self-contained HTML file: inline CSS, PNG figures embedded as base64, no link to anything."""

from __future__ import annotations

import base64
from html import escape

from bcigui.core.report.contents import SessionReport
from bcigui.core.report.document import Bullets, Heading, Image, Para, Table, document, title

CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #1b1b1b; margin: 0;
       background: #f4f5f7; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 32px 48px; background: white; }
h1 { font-size: 1.55em; margin: 0.2em 0 0.1em; }
.sub { color: #555; margin: 0 0 1em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #1f5fa8; padding-bottom: 3px; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1.1em 0 0.4em; color: #333; }
p { line-height: 1.45; margin: 0.5em 0; }
p.note { color: #555; font-size: 0.9em; }
p.good { border-left: 5px solid #2e7d32; background: #eef7ee; padding: 6px 10px; font-weight: bold; }
p.bad { border-left: 5px solid #c62828; background: #fbeeee; padding: 6px 10px; font-weight: bold; }
ul { line-height: 1.45; padding-left: 1.3em; }
section.summary ul { font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; width: 100%; }
table.small { font-size: 0.82em; }
th, td { border: 1px solid #cfd3d8; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #e8edf4; }
td { overflow-wrap: anywhere; }
tr.good td:nth-child(2) { color: #2e7d32; font-weight: bold; }
tr.warn td:nth-child(2) { color: #b46900; font-weight: bold; }
tr.bad td { background: #fbeeee; }
tr.bad td:nth-child(2) { color: #c62828; font-weight: bold; }
tr.total td { font-weight: bold; background: #f4f5f7; }
table.kv td:first-child { font-weight: bold; white-space: nowrap; background: #f7f8fa; }
figure { margin: 0.8em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e5e8; }
figcaption { font-size: 0.86em; color: #555; margin-top: 3px; }
footer { color: #777; font-size: 0.8em; margin-top: 2em; }
@media print { body { background: white; } main { padding: 0; } h2 { break-after: avoid; }
               figure, table { break-inside: avoid; } }
"""


def render_html(rep: SessionReport) -> str:
    """The report as one HTML string (UTF-8, nothing external)."""
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             f"<title>{escape(title(rep))}</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>",
             f"<h1>{escape(title(rep))}</h1>",
             f'<p class="sub">{escape(str(rep.session_dir))} &middot; generated {escape(rep.generated)}</p>']
    open_section = False
    for b in document(rep):
        if isinstance(b, Heading):
            if b.level == 1:
                if open_section:
                    parts.append("</section>")
                cls = ' class="summary"' if b.text == "Summary" else ""
                parts.append(f"<section{cls}>")
                open_section = True
                parts.append(f"<h2>{escape(b.text)}</h2>")
            else:
                parts.append(f"<h3>{escape(b.text)}</h3>")
        elif isinstance(b, Para):
            cls = f' class="{b.style}"' if b.style != "normal" else ""
            parts.append(f"<p{cls}>{escape(b.text)}</p>")
        elif isinstance(b, Bullets):
            parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Table):
            parts.append(_table(b))
        elif isinstance(b, Image):
            data = base64.b64encode(b.figure.png).decode("ascii")
            parts.append(f'<figure><img alt="{escape(b.figure.title)}" src="data:image/png;base64,{data}">'
                         f"<figcaption><b>{escape(b.figure.title)}.</b> {escape(b.figure.caption)}</figcaption>"
                         "</figure>")
    if open_section:
        parts.append("</section>")
    parts.append(f"<footer>bcigui {escape(rep.versions.get('bcigui', ''))} &middot; report built in "
                 f"{rep.build_seconds:.1f} s</footer>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _table(t: Table) -> str:
    kv = not any(t.header)
    classes = " ".join(c for c in ("kv" if kv else "", "small" if t.small else "") if c)
    out = [f'<table class="{classes}">' if classes else "<table>"]
    if not kv:
        out.append("<tr>" + "".join(f"<th>{escape(h)}</th>" for h in t.header) + "</tr>")
    for i, row in enumerate(t.rows):
        style = t.row_styles[i] if i < len(t.row_styles) else ""
        cls = f' class="{style}"' if style else ""
        out.append(f"<tr{cls}>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "".join(out)
