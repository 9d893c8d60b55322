"""What each worksheet function does, as plain Python over converted arguments.

The decorated Excel functions in :mod:`udfs` only convert arguments (:mod:`udfs.convert`),
call these, and turn exceptions into a cell message.  Everything here calls the engine
(:mod:`claimcheck`); no billing logic lives in this package.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from claimcheck import columns as C
from claimcheck.lines import HeaderProblem, forget as forget_lines, line_checker
from claimcheck.reader import RawTable, find_header, rows_to_table
from claimcheck.tables import tables
from claimcheck.values import is_blank
from claimcheck.writer import check_text

from .convert import ArgumentProblem, grid, one_row, trim_trailing_blank_rows

#: CHECK_CLAIM without a header reads the row in the contract's column order (the template's).
CONTRACT_CLAIM_HEADERS: tuple[str, ...] = tuple(c.name for c in C.CLAIMS)
CHECK_HEADER = "Check"

#: Friendly names for CPT_FOR_MINUTES' kind argument -> the procedure table's kind.
MINUTE_KINDS = {
    "": "psychotherapy",
    "psychotherapy": "psychotherapy",
    "therapy": "psychotherapy",
    "individual": "psychotherapy",
    "em": "psychotherapy_em",
    "withem": "psychotherapy_em",
    "addon": "psychotherapy_em",
    "psychotherapyem": "psychotherapy_em",
    "psychotherapywithem": "psychotherapy_em",
    "crisis": "crisis",
    "family": "family",
}


# --------------------------------------------------------------------------- tables from ranges


def _width(rows: list[tuple[Any, ...]]) -> int:
    return max((len(r) for r in rows), default=0)


def _pad(row: tuple[Any, ...], width: int) -> tuple[Any, ...]:
    return tuple(row) + (None,) * (width - len(row))


def table_from_range(kind: str, value: Any, what: str) -> tuple[RawTable, int]:
    """A raw table from a range argument (header row detected as in the workbook), and the
    number of rows the range had (trailing blank rows removed)."""
    rows = trim_trailing_blank_rows(grid(value))
    if not rows:
        raise ArgumentProblem(f"the {what} range is empty")
    width = _width(rows)
    rows = [_pad(r, width) for r in rows]
    index, found = find_header(kind, rows)
    if index is None:
        missing = ", ".join(found)  # type: ignore[arg-type]
        raise ArgumentProblem(
            f"the {what} range has no header row with {missing} in its top ten rows; "
            f"include the header row in the range")
    return rows_to_table(kind, kind, rows), len(rows)


def optional_table(kind: str, value: Any, what: str) -> RawTable | None:
    if value is None or not trim_trailing_blank_rows(grid(value)):
        return None
    return table_from_range(kind, value, what)[0]


def _empty_claims() -> RawTable:
    return rows_to_table("Claims", "Claims", [("Claim ID", "DOS", "CPT")])


# --------------------------------------------------------------------------- claim checks


def _texts_by_row(result) -> dict[int, str]:
    """The Check text of every claim line, exactly as the command line's Check column."""
    book = result.book
    per_row: dict[int, list] = defaultdict(list)
    for f in result.findings:
        if f.sheet == book.claims_sheet and f.row is not None and f.row != book.header_row:
            per_row[f.row].append(f)
    return {int(r): check_text(per_row.get(int(r), [])) for r in book.claims["row"]}


#: Recalculation asks CHECK_CLAIM the same question again: (row, answer) per line checker (it
#: stands for the header, date, code tables and rules) and row.  1, 1.0 and TRUE are equal keys but
#: read differently, so an answer serves only a row whose cells have the kept row's types.
_KEPT: dict = {}
_KEPT_LIMIT = 4096


def forget() -> None:
    """Drop every kept answer, as for a workbook opened afresh."""
    _KEPT.clear()
    forget_lines()


def check_claim(row: Any, header: Any = None, as_of: dt.date | None = None) -> str:
    """``OK`` or the row-level findings of one service line.

    The row-level rules run on the line alone (:class:`claimcheck.lines.LineChecker`, the same
    rule functions the command line runs over a table); a recalculation with the same cells is
    answered from the last answer."""
    line = one_row(row)
    heading = one_row(header) if header is not None else []
    if not heading and len(line) >= 2 and find_header("Claims", line[:1])[0] == 0:
        heading, line = line[:1], line[1:]  # the range includes its header row
    if not line:
        return ""
    if len(line) > 1:
        raise ArgumentProblem("CHECK_CLAIM takes one row; use CHECK_CLAIMS for a whole table")
    values = line[0]
    if heading:
        names = heading[0]
        if len(heading) > 1:
            raise ArgumentProblem("the header argument must be one row")
    else:
        names = CONTRACT_CLAIM_HEADERS[: len(values)]
        if len(values) > len(CONTRACT_CLAIM_HEADERS):
            raise ArgumentProblem(
                f"the row has {len(values)} cells but the standard Claims layout has "
                f"{len(CONTRACT_CLAIM_HEADERS)}; pass the header row as the second argument")
    try:
        check = line_checker(names, as_of or dt.date.today(), tables())
    except HeaderProblem as exc:
        if all(map(is_blank, values)):  # a blank row is blank under any header
            return ""
        raise ArgumentProblem(
            f"the header has no {exc} column; pass the Claims header row as the second argument") from None
    except TypeError:  # a header cell that cannot be a key (a list): match the headers by their text
        check = line_checker(tuple(None if n is None else str(n) for n in names), as_of or dt.date.today(), tables())
    try:
        key = (check, values)
        kept = _KEPT.get(key)
    except TypeError:  # a cell that cannot be a key: worked out every time
        key = kept = None
    if kept is not None and list(map(type, kept[0])) == list(map(type, values)):
        return kept[1]
    findings = check.check(values)
    text = "" if findings is None else check_text(findings)
    if key is not None:
        if len(_KEPT) >= _KEPT_LIMIT:
            _KEPT.clear()
        _KEPT[key] = (values, text)
    return text


def check_claims(claims: Any, authorizations: Any = None, payers: Any = None,
                 as_of: dt.date | None = None, providers: Any = None) -> list[list[str]]:
    """One status per row of the claims range: ``Check`` on the header row, the line's text on
    each service line, blank on title and empty rows.  Cross-row and AUTH rules included."""
    from claimcheck.api import check_raw

    table, height = table_from_range("Claims", claims, "claims")
    raw = {"Claims": table}
    for kind, value in (("Authorizations", authorizations), ("Payers", payers), ("Providers", providers)):
        extra = optional_table(kind, value, kind.lower())
        if extra is not None:
            raw[kind] = extra
    result = check_raw(raw, as_of or dt.date.today())
    texts = _texts_by_row(result)
    out = []
    for excel_row in range(1, height + 1):
        if excel_row == table.header_row:
            out.append([CHECK_HEADER])
        else:
            out.append([texts.get(excel_row, "")])
    return out


# --------------------------------------------------------------------------- single values


def cpt_for_minutes(minutes: float | None, kind: str | None = None) -> str:
    from claimcheck.tables import psychotherapy_code_for_minutes

    if minutes is None:
        return ""
    key = C.key(kind or "")
    if key not in MINUTE_KINDS:
        raise ArgumentProblem(
            f"kind {kind!r} is not one of psychotherapy, with E/M, crisis, family")
    table_kind = MINUTE_KINDS[key]
    if minutes <= 0:
        raise ArgumentProblem(f"minutes must be more than 0; {minutes:g} given")
    code = psychotherapy_code_for_minutes(minutes, table_kind)
    if code is None:
        return f"no {table_kind.replace('_em', ' with E/M').replace('_', ' ')} code fits {minutes:g} minutes"
    return code


def check_dx(codes: Any, dos: dt.date | None = None) -> str:
    """OK, or the problems of the codes in the ICD-10-CM code set of the fiscal year of ``dos``
    (today when None): a code deleted or added on an October 1 answers by the date of service,
    as the DX rules do."""
    from claimcheck import icd10
    from claimcheck import values as V

    parsed, problem = V.read_dx_list(codes)
    if problem:
        raise ArgumentProblem(f"diagnosis {problem}")
    if not parsed:
        return ""
    year = icd10.fiscal_year(dos or dt.date.today())
    code_sets = tables().diagnoses  # with the practice's own years (order files in CLAIMCHECK_TABLES)
    problems = [p[1] for p in (code_sets.check(code, year) for code in parsed) if p is not None]
    return "; ".join(problems) if problems else "OK"


def check_npi(npi: Any) -> str:
    from claimcheck import values as V
    from claimcheck.npi import check_npi as engine_check

    text, problem = V.read_text(npi)
    if problem:
        raise ArgumentProblem(f"NPI {problem}")
    if text is None:
        return ""
    found = engine_check(text.replace(" ", "").replace("-", ""))
    return "OK" if found is None else found[1]


def _book(raw: dict[str, RawTable]):
    from claimcheck.book import build_book
    from claimcheck.rules import load_all
    from claimcheck.tables import tables

    load_all()
    return build_book(raw, tables())


def payer_settings(payer: str | None, payers: Any = None):
    raw = {"Claims": _empty_claims()}
    table = optional_table("Payers", payers, "payers")
    if table is not None:
        raw["Payers"] = table
    return _book(raw).payer(payer)


def filing_deadline(dos: dt.date | None, payer: str | None, payers: Any = None) -> dt.date | str:
    from claimcheck.deadlines import filing_deadline as engine_deadline

    if dos is None:
        return ""
    return engine_deadline(dos, payer_settings(payer, payers))


def appeal_deadline(denial_date: dt.date | None, payer: str | None, payers: Any = None) -> dt.date | str:
    from claimcheck.deadlines import appeal_deadline as engine_deadline

    if denial_date is None:
        return ""
    return engine_deadline(denial_date, payer_settings(payer, payers))


def _auth_book(claims: Any, authorizations: Any):
    table, _ = table_from_range("Claims", claims, "claims")
    auths = optional_table("Authorizations", authorizations, "authorizations")
    if auths is None:
        raise ArgumentProblem("the authorizations range is empty")
    return _book({"Claims": table, "Authorizations": auths})


def auth_used(auth: str | None, claims: Any, authorizations: Any, as_of: dt.date | None = None) -> float | str:
    from claimcheck.auth import auth_used as engine_used

    if not auth:
        return ""
    book = _auth_book(claims, authorizations)
    try:
        return _number(engine_used(book, auth, as_of))
    except KeyError:
        raise ArgumentProblem(f"authorization {auth} is not in the authorizations range") from None


def auth_remaining(auth: str | None, claims: Any, authorizations: Any, as_of: dt.date | None = None) -> float | str:
    from claimcheck.auth import auth_remaining as engine_remaining

    if not auth:
        return ""
    book = _auth_book(claims, authorizations)
    try:
        return _number(engine_remaining(book, auth, as_of))
    except KeyError:
        raise ArgumentProblem(f"authorization {auth} is not in the authorizations range") from None


def _number(value: float) -> float | int:
    value = float(value)
    if value != value:  # NaN: the authorization's count cannot be read
        raise ArgumentProblem("the authorization's Authorized count cannot be read; fix it on the Authorizations sheet")
    return int(value) if value.is_integer() else value


def denial_reason(code: str | None) -> str:
    from claimcheck.denials import explain

    if not code:
        return ""
    return explain(code)
