"""Appeal letters as Word documents (``claimcheck appeals --docx DIR``).

Built from the same :class:`claimcheck.appeals.letter.AppealLetter` rows as the appeal sheets, so the
two never differ.  python-docx is optional (``pip install 'claimcheck-billing[docx]'``); without it
``--docx`` stops with one clear line before anything is written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from ..reader import UnusableInput
from .formats import dollars, short_date
from .letter import TABLE_HEADER

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def require_docx():
    """The python-docx module, or :class:`UnusableInput` saying how to install it."""
    try:
        import docx  # noqa: F401
    except ImportError:
        raise UnusableInput("--docx needs the python-docx package: pip install 'claimcheck-billing[docx]' (or pip install python-docx)") from None
    return docx


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return short_date(v)
    if isinstance(v, float):
        return f"{v:,.2f}" if v != int(v) else f"{int(v)}"
    return str(v)


#: The letter table's money column (Charge): shown as $165.00.
_MONEY_COL = TABLE_HEADER.index("Charge")


def file_name(claim_id: str) -> str:
    safe = _UNSAFE.sub("-", str(claim_id)).strip(" .-") or "claim"
    return f"Appeal {safe}.docx"


#: Letter paper with 0.65" side margins: the width a table spans, in inches.
SIDE_MARGIN_IN = 0.65
_TEXT_WIDTH_IN = 8.5 - 2 * SIDE_MARGIN_IN
#: About how many characters of 9-point table text fit in an inch.
_CHARS_PER_INCH = 15.0


def column_widths(block: list[list[str]], total: float = _TEXT_WIDTH_IN) -> list[float]:
    """Column widths (inches) for a table of these cell texts: every column at least as wide as
    its longest word (so no word is split inside a cell), the room left shared by how much text
    each column holds."""
    cols = max(len(r) for r in block)

    def column(c):
        return [r[c] if c < len(r) else "" for r in block]

    floor = [max([len(w) for t in column(c) for w in t.split()] + [2]) / _CHARS_PER_INCH + 0.12 for c in range(cols)]
    want = [max([len(t) for t in column(c)] + [2]) / _CHARS_PER_INCH + 0.12 for c in range(cols)]
    if sum(floor) >= total:
        return [total * f / sum(floor) for f in floor]
    widths = list(floor)
    extra = total - sum(floor)
    need = [w - f for w, f in zip(want, floor)]
    if sum(need) <= extra:
        widths = list(want)
        spare = total - sum(widths)
        return [w + spare * w / sum(widths) for w in widths]
    return [f + extra * n / sum(need) for f, n in zip(floor, need)]


def _table(document, block: list[list[str]], bold, Inches, Pt):
    """A grid table with column widths from its content (autofit off, so Word and LibreOffice
    keep them); ``bold(r, c)`` says which cells are bold."""
    table = document.add_table(rows=len(block), cols=len(block[0]))
    table.style = "Table Grid"
    table.autofit = False
    widths = column_widths(block)
    for c, width in enumerate(widths):
        table.columns[c].width = Inches(width)
    for r, cells_ in enumerate(block):
        for c, text in enumerate(cells_):
            cell = table.cell(r, c)
            cell.width = Inches(widths[c])
            para = cell.paragraphs[0]
            para.paragraph_format.space_after = Pt(0)
            run = para.add_run(text)
            run.font.size = Pt(9)
            run.bold = bold(r, c)
    return table


def write_letter(letter, path: str | os.PathLike) -> Path:
    """Write one letter as a .docx file: US Letter, one page where the content allows (compact
    spacing), tables sized to their content, the closing kept with the signature."""
    docx = require_docx()
    from docx.shared import Inches, Pt, RGBColor

    document = docx.Document()
    for section in document.sections:
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        section.left_margin = section.right_margin = Inches(SIDE_MARGIN_IN)
        section.top_margin = section.bottom_margin = Inches(0.45)
    style = document.styles["Normal"]
    style.font.name = "Liberation Serif"
    style.font.size = Pt(10)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.space_after = Pt(1)
    style.paragraph_format.line_spacing = 1.0
    for name, size, before in (("Heading 1", 12, 4), ("Heading 2", 10.5, 5), ("Heading 3", 10, 3)):
        h = document.styles[name]
        h.font.size = Pt(size)
        h.font.color.rgb = RGBColor(0x1F, 0x38, 0x64)
        h.paragraph_format.space_before = Pt(before)
        h.paragraph_format.space_after = Pt(1)
        h.paragraph_format.keep_with_next = True
    rows = letter.rows()
    i = 0
    gap = False  # a blank row: a little space before the next paragraph
    while i < len(rows):
        kind, cells = letter.body[i].kind, rows[i]
        para = None
        if kind in ("field", "table_header") and document.element.body[-2].tag.endswith("}tbl"):
            spacer = document.add_paragraph()  # two tables in a row would merge into one grid
            spacer.paragraph_format.space_after = Pt(0)
            spacer.paragraph_format.line_spacing = Pt(6)
        if kind == "title":
            para = document.add_heading(_text(cells[0]), level=1)
            para.paragraph_format.space_before = Pt(0)
        elif kind in ("heading", "subheading"):
            para = document.add_heading(_text(cells[0]), level=2 if kind == "heading" else 3)
        elif kind == "text":
            para = document.add_paragraph(_text(cells[0]))
        elif kind == "blank":
            gap = True
        elif kind == "check":
            para = document.add_paragraph(f"{_text(cells[0])} {_text(cells[1])}")
            para.paragraph_format.space_after = Pt(0)
            para.paragraph_format.left_indent = Inches(0.2)
        elif kind == "field":
            # Consecutive field rows become one two-pair table.
            block = []
            while i < len(rows) and letter.body[i].kind == "field":
                block.append([_text(v) for v in (rows[i][0], rows[i][1], rows[i][3], rows[i][4])])
                i += 1
            _table(document, block, lambda r, c: c in (0, 2), Inches, Pt)
            gap = True
            continue
        elif kind == "table_header":
            block = [[_text(v) for v in rows[i]]]
            i += 1
            while i < len(rows) and letter.body[i].kind in ("table_row", "table_total"):
                block.append([dollars(v) if c == _MONEY_COL and isinstance(v, float) else _text(v)
                              for c, v in enumerate(rows[i])])
                i += 1
            _table(document, block, lambda r, c: r == 0, Inches, Pt)
            gap = True
            continue
        if para is not None and gap and kind not in ("heading", "subheading"):
            para.paragraph_format.space_before = Pt(6)
        if para is not None:
            gap = False
        i += 1
    # Keep the closing, the signature line and the signer's lines together on one page, with
    # room to sign above the line.
    # On a letter longer than a page, the enclosures list, the last sentence and the closing
    # move together, so the last page never holds only the signature.
    closing = False
    paragraphs = document.paragraphs
    tail = next((k for k, p in enumerate(paragraphs) if p.text == "Enclosures" and p.style.name.startswith("Heading")),
                None)
    for k, p in enumerate(paragraphs):
        if (tail is not None and k >= tail) or (k + 1 < len(paragraphs) and paragraphs[k + 1].text == "Sincerely,"):
            p.paragraph_format.keep_with_next = True
        if p.text == "Sincerely,":
            closing = True
        elif closing and p.text.startswith("____"):
            p.paragraph_format.space_before = Pt(12)
        if closing:
            p.paragraph_format.keep_with_next = True
            p.paragraph_format.space_after = Pt(0)
    if closing:
        document.paragraphs[-1].paragraph_format.keep_with_next = False
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from ..atomic import replacing

    with replacing(path) as tmp:  # a whole letter or none, even with two runs into one folder
        document.save(str(tmp))
    return path


def write_letters(plan, folder: str | os.PathLike) -> list[Path]:
    """Write every letter of an :class:`~claimcheck.appeals.plan.AppealPlan` into ``folder``."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UnusableInput(f"--docx {folder}: not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    out = []
    for letter in plan.letters:
        name = file_name(letter.claim_id)
        stem, n = name[:-5], 2
        while name.lower() in used:
            name = f"{stem} ({n}).docx"
            n += 1
        used.add(name.lower())
        out.append(write_letter(letter, folder / name))
    return out
