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
from .letter import TABLE_HEADER, dollars, short_date

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


def write_letter(letter, path: str | os.PathLike) -> Path:
    """Write one letter as a .docx file."""
    docx = require_docx()
    from docx.shared import Inches, Pt

    document = docx.Document()
    for section in document.sections:
        section.left_margin = section.right_margin = Inches(0.75)
        section.top_margin = section.bottom_margin = Inches(0.75)
    style = document.styles["Normal"]
    style.font.size = Pt(10)
    rows = letter.rows()
    i = 0
    while i < len(rows):
        kind, cells = letter.body[i].kind, rows[i]
        if kind == "title":
            document.add_heading(_text(cells[0]), level=1)
        elif kind in ("heading", "subheading"):
            document.add_heading(_text(cells[0]), level=2 if kind == "heading" else 3)
        elif kind == "text":
            document.add_paragraph(_text(cells[0]))
        elif kind == "blank":
            pass
        elif kind == "check":
            document.add_paragraph(f"{_text(cells[0])} {_text(cells[1])}")
        elif kind == "field":
            # Consecutive field rows become one two-pair table.
            block = []
            while i < len(rows) and letter.body[i].kind == "field":
                block.append(rows[i])
                i += 1
            table = document.add_table(rows=len(block), cols=4)
            table.style = "Table Grid"
            for r, cells_ in enumerate(block):
                for c, v in enumerate((cells_[0], cells_[1], cells_[3], cells_[4])):
                    cell = table.cell(r, c)
                    cell.text = _text(v)
                    if c in (0, 2) and cell.paragraphs[0].runs:
                        cell.paragraphs[0].runs[0].bold = True
            continue
        elif kind == "table_header":
            block = [rows[i]]
            i += 1
            while i < len(rows) and letter.body[i].kind in ("table_row", "table_total"):
                block.append(rows[i])
                i += 1
            table = document.add_table(rows=len(block), cols=len(block[0]))
            table.style = "Table Grid"
            for r, cells_ in enumerate(block):
                for c, v in enumerate(cells_):
                    table.cell(r, c).text = dollars(v) if c == _MONEY_COL and isinstance(v, float) else _text(v)
                    if r == 0 and table.cell(r, c).paragraphs[0].runs:
                        table.cell(r, c).paragraphs[0].runs[0].bold = True
            continue
        i += 1
    # Keep the closing, the signature line and the signer's lines together on one page.
    closing = False
    for p in document.paragraphs:
        closing = closing or p.text == "Sincerely,"
        if closing:
            p.paragraph_format.keep_with_next = True
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
