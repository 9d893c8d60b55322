"""The practice's identity from the workbook's ``Practice`` sheet: one label per row in column A
and its value in column B (contract section 2, Practice).  It gives each appeal letter its
letterhead and signature block; while a field is blank the letter shows a ``[bracketed]``
placeholder and ``claimcheck appeals`` says which fields to fill."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .. import columns as C

#: The fields a letter needs to go out without placeholders (the rest are optional).
NEEDED = ("name", "street", "city", "phone", "tax_id", "group_npi", "signer", "signer_title")


@dataclass(frozen=True)
class Practice:
    name: str = ""
    street: str = ""
    city: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    tax_id: str = ""
    group_npi: str = ""
    contact: str = ""
    contact_title: str = ""
    signer: str = ""
    signer_title: str = ""

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def missing(self) -> list[str]:
        """The labels of the needed fields that are blank, in sheet order."""
        return [c.name for c in C.PRACTICE if c.field in NEEDED and not getattr(self, c.field)]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a Tax ID or NPI typed as a number
    return " ".join(str(value).split())


def practice_from_rows(rows) -> Practice:
    """A :class:`Practice` from the sheet's rows (sequences of cell values): the first non-empty
    cell of a row names the field (the contract's label or a synonym, case and punctuation
    ignored), the cell right of it is its value (blank: not given; what is further right, such
    as the template's "Used for" notes, is not read).  Unknown labels and a header row are
    ignored."""
    lookup = C.lookup(C.PRACTICE)
    values: dict[str, str] = {}
    for row in rows:
        row = list(row)
        at = next((i for i, c in enumerate(row) if _text(c)), None)
        if at is None or at + 1 >= len(row):
            continue
        col = lookup.get(C.key(row[at]))
        value = _text(row[at + 1])
        if col is not None and value and col.field not in values:
            values[col.field] = value
    return Practice(**values)


def read_practice(wb) -> Practice:
    """The Practice sheet of an open openpyxl workbook (an empty :class:`Practice` without one)."""
    for ws in wb.worksheets:
        if ws.title.strip().casefold() == C.PRACTICE_SHEET.casefold():
            return practice_from_rows(ws.iter_rows(max_col=4, values_only=True))
    return Practice()
