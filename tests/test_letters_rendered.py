"""The appeal letters as a payer receives them: the .docx letters and the appeal sheets rendered
through LibreOffice to PDF, then read back with poppler (pdfinfo, pdftotext).  One Letter page
where the content allows, the signature with the closing, no page holding only the closing, no
word split inside a table cell, the sheets' labels whole, and nothing for the biller only (the
notes, fill-in instructions, "claimcheck") on a printed page; the [bracketed] placeholders a
letter means to print are the only brackets."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import office
from claimcheck.api import load_book
from claimcheck.appeals import plan_appeals
from claimcheck.appeals.practice import read_practice
from claimcheck.appeals.xlsx import write_appeals
from test_appeals import book_of, line

AS_OF = dt.date(2026, 6, 30)
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample-billing.xlsx"


def _sample_plan():
    return plan_appeals(load_book(SAMPLE), AS_OF, practice=read_practice(load_workbook(SAMPLE)))


def _long_plan():
    """A medical-necessity appeal of eight sessions: too long for one page."""
    days = [dt.date(2026, 4, 6) + dt.timedelta(weeks=k) for k in range(8)]
    return plan_appeals(book_of([line(DOS=d) for d in days]), AS_OF)


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run([office.need("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                          timeout=120).stdout
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _page_count(pdf: Path) -> int:
    info = subprocess.run([office.need("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _assert_only_the_letter(letter, printed: str) -> None:
    flat = _flat(printed)
    assert "claimcheck" not in flat.lower() and "not printed" not in flat.lower()
    for note in letter.notes:
        assert _flat(str(note))[:40] not in flat, note
    meant = _flat(letter.text())
    for bracket in re.findall(r"\[[^\]]*\]", flat):
        assert bracket in meant, bracket


def _assert_no_split_words(cells: list[str], printed: str) -> None:
    tokens = set(printed.split())
    for text in cells:
        for word in str(text).split():
            if len(word) >= 3:
                assert word in tokens, f"{word!r} of {text!r} is split on the page"


def _need_writer() -> None:
    """LibreOffice's word processor (a .docx needs it; Debian: libreoffice-writer-nogui)."""
    program = Path(os.path.realpath(office.soffice())).parent
    office.require(any(program.glob("libswlo.*")) or any(program.glob("swlo*")),
                   "LibreOffice Writer is not installed (Debian: libreoffice-writer-nogui)")


def _render_docx(letters, tmp_path) -> list[tuple[object, Path]]:
    pytest.importorskip("docx")
    _need_writer()
    from claimcheck.appeals.docx import write_letter

    out = []
    for k, letter in enumerate(letters):
        path = write_letter(letter, tmp_path / "docx" / f"letter{k}.docx")
        out.append((letter, office.soffice_convert(path, tmp_path / "pdf", "pdf", tmp_path / "lo-profile")))
    return out


def _docx_table_cells(path: Path) -> list[str]:
    import docx

    return [c.text for t in docx.Document(str(path)).tables for row in t.rows for c in row.cells]


def test_sample_letters_print_on_one_letter_page_with_nothing_for_the_biller(tmp_path):
    plan = _sample_plan()
    assert len(plan.letters) >= 4
    for letter, pdf in _render_docx(plan.letters, tmp_path):
        assert _page_count(pdf) == 1, letter.claim_id
        info = subprocess.run([office.need("pdfinfo"), str(pdf)], capture_output=True, text=True).stdout
        assert "612 x 792 pts (letter)" in info
        page = _pdf_pages(pdf)[0]
        assert "Sincerely," in page and page.rstrip().endswith(_flat(letter.text().splitlines()[-1]))
        _assert_only_the_letter(letter, page)
        _assert_no_split_words(_docx_table_cells(pdf.parent.parent / "docx" / (pdf.stem + ".docx")), page)


def test_a_long_letter_keeps_the_signature_with_the_closing_and_some_of_the_letter(tmp_path):
    plan = _long_plan()
    letter = plan.letters[0]
    [(letter, pdf)] = _render_docx([letter], tmp_path)
    pages = _pdf_pages(pdf)
    assert len(pages) == _page_count(pdf) == 2
    last = pages[-1]
    assert "Sincerely," in last and "______" in last  # the closing and the signature line together
    before_closing = _flat(last.split("Please direct any questions")[0])
    assert "Enclosures" in before_closing  # the last page is more than the closing
    _assert_only_the_letter(letter, "\n".join(pages))
    _assert_no_split_words(_docx_table_cells(pdf.parent.parent / "docx" / (pdf.stem + ".docx")), "\n".join(pages))


def test_appeal_sheets_print_whole_labels_and_nothing_for_the_biller(tmp_path):
    plan = _sample_plan()
    wb = Workbook()
    wb.remove(wb.active)
    write_appeals(wb, plan)
    del wb["Appeals Log"]
    path = tmp_path / "letters.xlsx"
    wb.save(path)
    pdf = office.soffice_convert(path, tmp_path / "pdf", "pdf", tmp_path / "lo-profile")
    pages = _pdf_pages(pdf)
    assert len(pages) == len(plan.letters)  # one page each
    for letter, page in zip(plan.letters, pages):
        assert f"of denied claim {letter.claim_id}," in _flat(page)
        _assert_only_the_letter(letter, page)
        lines = page.splitlines()
        for row, cells in zip(letter.body, letter.rows()):
            if row.kind == "field":  # a label is whole at the start of its line, or after the first value
                for label in (cells[0], cells[3]):
                    assert any(re.search(rf"(^|\s{{2}}){re.escape(str(label))}(\s{{2}}|$)", ln.strip())
                               for ln in lines), (letter.claim_id, label)
            if row.kind in ("table_row", "table_header"):
                _assert_no_split_words([c for c in cells if isinstance(c, str)], page)
