"""The hidden Check Marks sheet of a checked copy (and of Validate Claims): which cells were
coloured for a finding and the fill each had before, and which rows were made taller for the
Check text, so a later run puts the biller's own fills and heights back once a finding is gone."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

from .findings_sheet import as_text

#: A hidden sheet remembering which cells were coloured for a finding and the fill each had
#: before, so a later run puts the biller's own fill back once the finding is gone.
MARKS_SHEET = "Check Marks"
#: A fill mark: the cell, its fill before and the fill set, and the line it is on (Claim ID, and
#: Claim ID|DOS|CPT|modifiers) so it is found again after a sort; a height mark: the row
#: (``7:7``), its height before (blank: the default) and the height set for the Check text.
MARKS_HEADERS = ["Sheet", "Cell", "Fill before", "Fill set", "Claim ID", "Line", "Height before", "Height set"]


def line_keys(book) -> dict[int, tuple[str, str]]:
    """Each Claims data row -> (its Claim ID, its line: Claim ID, DOS, CPT and modifiers), as the
    marks sheet records them, so a mark finds its line again after the biller sorted Claims."""
    c = book.claims
    if not len(c):
        return {}
    mods = c["modifiers"].tolist() if "modifiers" in c.columns else [()] * len(c)
    out: dict[int, tuple[str, str]] = {}
    for row, claim, dos, cpt, mod in zip(c["row"].tolist(), c["claim_id"].tolist(), c["dos"].tolist(),
                                         c["cpt"].tolist(), mods):
        day = dos.date().isoformat() if hasattr(dos, "date") and dos == dos else ""
        claim = _key(claim).upper()
        out[int(row)] = (claim, "|".join([claim, day, _key(cpt).upper(), ",".join(sorted(map(str, mod or ())))]))
    return out


def _placer(lines: dict[int, tuple[str, str]] | None) -> Callable[[int, str, str], int | None]:
    """Where a mark recorded on ``row`` for (claim, line) is now: on the same row while that row
    still holds the line (or, the line changed by a fix, the same claim); else on the one row
    that holds the line now, or else the claim's only row (the biller sorted Claims); None when
    it cannot be told (the fill is left alone rather than put on another line's cell)."""
    if lines is None:
        return lambda row, claim, line: row
    by_line: dict[str, list[int]] = defaultdict(list)
    by_claim: dict[str, list[int]] = defaultdict(list)
    for r, (claim, line) in lines.items():
        by_line[line].append(r)
        by_claim[claim].append(r)

    def place(row: int, claim: str, line: str) -> int | None:
        if not claim and not line:
            return row  # recorded by an earlier version, by address only
        here = lines.get(row)
        if here is not None and here[1] == line:
            return row
        if len(by_line.get(line, ())) == 1:
            return by_line[line][0]
        if here is not None and here[0] == claim:
            return row
        if len(by_claim.get(claim, ())) == 1:
            return by_claim[claim][0]
        return None

    return place


def remark(previous: Iterable[tuple], marks: dict[tuple[int, int], str], colours: dict[str, str],
           get_fill: Callable[[int, int], str | None], set_fill: Callable[[int, int, str], None],
           sheet: str, lines: dict[int, tuple[str, str]] | None = None) -> list[list[Any]]:
    """Colour the cells of ``marks`` and put back the biller's fill where a finding went away.

    ``previous``: the rows of the marks sheet from the last run (sheet, cell, fill before, fill
    set, claim, line).  A mark is found again by its line (``lines``, :func:`line_keys`: the
    biller may have sorted Claims since, and a sort moves fills with their cells), and a cell
    still showing the fill we set gets its fill from before back (a fill the biller changed since
    is theirs and stays).  Then each marked cell's fill is remembered and the severity's colour
    set.  ``get_fill``/``set_fill`` read and write a cell's fill as text (the same text
    ``get_fill`` gives is what ``set_fill`` takes; ``get_fill`` gives None where fills cannot be
    read, as in xlwings Lite: then a cell we coloured is cleared when its finding goes away);
    returns the new marks sheet rows.
    """
    from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter

    place = _placer(lines)
    for row in previous:
        if len(row) < 4 or row[0] != sheet or not row[1]:
            continue
        try:
            r, c = coordinate_to_tuple(str(row[1]))
        except ValueError:
            continue
        line = _key(row[5] if len(row) > 5 else None)
        # the claim as the line key holds it (a Claim ID cell may come back as a number from Excel)
        r = place(r, line.split("|")[0] if line else _key(row[4] if len(row) > 4 else None), line)
        if r is None:
            continue
        now = get_fill(r, c)
        if now is None or now == (row[3] or ""):
            set_fill(r, c, row[2] or "")
    rows: list[list[Any]] = []
    for (r, c), severity in sorted(marks.items()):
        before = get_fill(r, c) or ""
        set_fill(r, c, colours[severity])
        claim, line = (lines or {}).get(r, ("", ""))
        rows.append([sheet, f"{get_column_letter(c)}{r}", before, get_fill(r, c) or colours[severity], claim, line,
                     None, None])
    return rows


def reheight(previous: Iterable[tuple], needed: dict[int, float | None],
             get_height: Callable[[int], float | None], set_height: Callable[[int, float | None], None],
             sheet: str) -> list[list[Any]]:
    """Make rows tall enough for their wrapped Check text, and give a row claimcheck made tall its
    height back once it needs less (an OK line).  ``needed``: data row -> height its text needs
    (None: one line).  ``previous``: the marks sheet's height rows (cell ``7:7``, height before,
    height set); a row whose height the biller changed since is theirs.  Row heights stay with
    their position when Claims is sorted, so they are kept by row number.  Returns the new
    height rows of the marks sheet."""
    import re

    tall: dict[int, tuple[Any, float]] = {}
    for row in previous:
        if len(row) < 8 or row[0] != sheet or not isinstance(row[1], str):
            continue
        m = re.fullmatch(r"(\d+):\1", row[1].strip())
        if m and isinstance(row[7], (int, float)):
            tall[int(m.group(1))] = (row[6] if isinstance(row[6], (int, float)) else None, float(row[7]))
    out: list[list[Any]] = []
    for r in sorted(set(needed) | set(tall)):
        now = get_height(r)
        base = now
        if r in tall and now is not None and abs(now - tall[r][1]) < 0.01:
            base = tall[r][0]  # still the height we set: what the row had before is the biller's
        need = needed.get(r)
        if need is not None and (base or 15.0) < need:
            set_height(r, need)
            out.append([sheet, f"{r}:{r}", None, None, None, None, base, need])
        elif base != now:
            set_height(r, base)
    return out


def _key(value) -> str:
    return "" if value is None else str(value).strip()


def _colour_text(colour) -> str:
    if colour is None:
        return ""
    kind = getattr(colour, "type", None)
    if kind == "theme":
        return f"theme:{colour.theme}:{colour.tint or 0}"
    if kind == "indexed":
        return f"indexed:{colour.indexed}"
    if kind == "rgb" and isinstance(colour.rgb, str):
        return f"rgb:{colour.rgb}"
    return ""


def fill_text(fill) -> str:
    """An openpyxl cell fill as text (empty for none), which :func:`text_fill` turns back."""
    if fill is None or getattr(fill, "fill_type", None) in (None, "none"):
        return ""
    return f"{fill.fill_type}|{_colour_text(fill.fgColor)}|{_colour_text(fill.bgColor)}"


def text_fill(text: str):
    """The openpyxl fill :func:`fill_text` described (a plain ``AARRGGBB`` is a solid fill)."""
    from openpyxl.styles import Color, PatternFill

    if not text:
        return PatternFill(fill_type=None)
    if "|" not in text:
        return PatternFill("solid", start_color=text, end_color=text)

    def colour(part: str):
        kind, _, value = part.partition(":")
        if kind == "theme":
            theme, _, tint = value.partition(":")
            return Color(theme=int(theme), tint=float(tint or 0))
        if kind == "indexed":
            return Color(indexed=int(value))
        if kind == "rgb":
            return Color(rgb=value)
        return Color()

    pattern, fg, bg = (text.split("|") + ["", ""])[:3]
    return PatternFill(fill_type=pattern, fgColor=colour(fg), bgColor=colour(bg))


def read_marks(wb) -> list[tuple]:
    if MARKS_SHEET not in wb.sheetnames:
        return []
    return [tuple(r) for r in wb[MARKS_SHEET].iter_rows(min_row=2, values_only=True)]


def write_marks(wb, rows: list[list[str]]) -> None:
    if MARKS_SHEET in wb.sheetnames:
        del wb[MARKS_SHEET]
    if not rows:
        return
    ms = wb.create_sheet(MARKS_SHEET)
    ms.sheet_state = "hidden"
    ms.append(MARKS_HEADERS)
    for i, r in enumerate(rows, start=2):
        for c, value in enumerate(r, start=1):
            if value is not None and value != "":
                as_text(ms.cell(row=i, column=c, value=value))  # a Claim ID is biller text: never a formula
