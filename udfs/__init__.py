"""claimcheck's worksheet functions (contract section 5), for classic Excel and xlwings Lite.

This is the module xlwings loads: ``UDF_MODULES = "claimcheck.udfs"`` in classic desktop Excel, and
``from claimcheck.udfs import *`` in xlwings Lite's ``main.py`` (see ``addin/lite/main.py``).  Each
function is named exactly as Excel shows it, converts its arguments (:mod:`udfs.convert`),
calls the engine through :mod:`udfs.core`, and returns what the cell shows: text, a date, a
number, or a spilled column.  Any problem becomes a one-line ``claimcheck: ...`` message; a
Python traceback never reaches a cell.  A blank input gives a blank result, so a formula can
be filled down past the last line.
"""

from __future__ import annotations

from . import convert as X
from . import core
from .registry import RANGE, VALUE, excel_function

__all__ = [
    "CHECK_CLAIM", "CHECK_CLAIMS", "CPT_FOR_MINUTES", "CHECK_DX", "CHECK_NPI", "AUTH_USED",
    "AUTH_REMAINING", "FILING_DEADLINE", "APPEAL_DEADLINE", "DENIAL_REASON",
]


def _doc(text: str) -> dict:
    return {"doc": text}


@excel_function(args={
    "row": {**RANGE, **_doc("One service line: a row of the Claims sheet (or the header row and the line)")},
    "header": {**RANGE, **_doc("Optional: the Claims header row; without it the row is read in the template's column order")},
})
def CHECK_CLAIM(row, header=None):
    """OK, or the findings of one service line as CODE: message; ... (one-line rules only)."""
    try:
        return core.check_claim(row, header)
    except Exception as exc:
        return X.message(exc)


@excel_function(args={
    "claims": {**RANGE, **_doc("The whole Claims table including its header row, e.g. Claims!A1:V500 or Claims!A:V")},
    "authorizations": {**RANGE, **_doc("Optional: the Authorizations table with its header row")},
    "payers": {**RANGE, **_doc("Optional: the Payers table with its header row")},
    "as_of": {**VALUE, **_doc("Optional: the date treated as today (default: today)")},
    "providers": {**RANGE, **_doc("Optional: the Providers table with its header row")},
})
def CHECK_CLAIMS(claims, authorizations=None, payers=None, as_of=None, providers=None):
    """One status per row of the Claims table (spills): Check on the header row, OK or the findings on each line, cross-row and authorization rules included."""
    try:
        day = X.date(as_of, "as_of")
        return core.check_claims(claims, authorizations, payers, day, providers)
    except Exception as exc:
        return X.message(exc)


@excel_function(args={
    "minutes": {**VALUE, **_doc("Face-to-face minutes")},
    "kind": {**VALUE, **_doc("Optional: psychotherapy (default), with E/M, crisis or family")},
})
def CPT_FOR_MINUTES(minutes, kind=None):
    """The psychotherapy code whose time band holds the minutes (90832/90834/90837 ...)."""
    try:
        return core.cpt_for_minutes(X.number(minutes, "minutes"), X.text(kind, "kind"))
    except Exception as exc:
        return X.message(exc)


@excel_function(args={
    "code": {**VALUE, **_doc("An ICD-10-CM code, or several separated by commas")},
    "dos": {**VALUE, **_doc("Optional: the date of service; the code set of its fiscal year (from October 1) is used (default: today)")},
})
def CHECK_DX(code, dos=None):
    """OK when the diagnosis code is billable in the ICD-10-CM code set in force on the date of service (default today), else the problem."""
    try:
        value = X.scalar(code)
        if (err := X.error_of(value)):
            raise X.ArgumentProblem(f"the code cell shows {err}")
        return core.check_dx(value, X.date(dos, "dos"))
    except Exception as exc:
        return X.message(exc)


@excel_function(args={"npi": {**VALUE, **_doc("A 10-digit National Provider Identifier")}})
def CHECK_NPI(npi):
    """OK when the NPI has 10 digits and a valid check digit, else the problem."""
    try:
        value = X.scalar(npi)
        if (err := X.error_of(value)):
            raise X.ArgumentProblem(f"the NPI cell shows {err}")
        return core.check_npi(value)
    except Exception as exc:
        return X.message(exc)


_AUTH_ARGS = {
    "auth": {**VALUE, **_doc("The authorization number")},
    "claims": {**RANGE, **_doc("The Claims table with its header row")},
    "authorizations": {**RANGE, **_doc("The Authorizations table with its header row")},
    "as_of": {**VALUE, **_doc("Optional: count sessions dated up to this day (default: today)")},
}


@excel_function(args=_AUTH_ARGS)
def AUTH_USED(auth, claims, authorizations, as_of=None):
    """Visits or units of the authorization used by the claim lines."""
    try:
        return core.auth_used(X.text(auth, "auth"), claims, authorizations, X.date(as_of, "as_of"))
    except Exception as exc:
        return X.message(exc)


@excel_function(args=_AUTH_ARGS)
def AUTH_REMAINING(auth, claims, authorizations, as_of=None):
    """Visits or units of the authorization still left."""
    try:
        return core.auth_remaining(X.text(auth, "auth"), claims, authorizations, X.date(as_of, "as_of"))
    except Exception as exc:
        return X.message(exc)


_PAYER_ARGS = {
    "payer": {**VALUE, **_doc("The payer as named on the Payers sheet")},
    "payers": {**RANGE, **_doc("Optional: the Payers table with its header row (else documented defaults)")},
}


@excel_function(args={"dos": {**VALUE, **_doc("Date of service")}, **_PAYER_ARGS})
def FILING_DEADLINE(dos, payer, payers=None):
    """The last day to file the claim: date of service plus the payer's timely filing days."""
    try:
        return core.filing_deadline(X.date(dos, "date of service"), X.text(payer, "payer"), payers)
    except Exception as exc:
        return X.message(exc)


@excel_function(args={"denial_date": {**VALUE, **_doc("Date of the denial or remittance")}, **_PAYER_ARGS})
def APPEAL_DEADLINE(denial_date, payer, payers=None):
    """The last day to appeal: denial date plus the payer's appeal days."""
    try:
        return core.appeal_deadline(X.date(denial_date, "denial date"), X.text(payer, "payer"), payers)
    except Exception as exc:
        return X.message(exc)


@excel_function(args={"code": {**VALUE, **_doc("A denial code: CARC (CO-197, 50) or RARC (N115)")}})
def DENIAL_REASON(code):
    """What a claim adjustment or remark code means and what to do about it."""
    try:
        value = X.scalar(code)
        if (err := X.error_of(value)):
            raise X.ArgumentProblem(f"the code cell shows {err}")
        return core.denial_reason(X.text(value, "code"))
    except Exception as exc:
        return X.message(exc)
