"""What the billing workbook template is made of: the Excel Table names, number formats and
colours, each sheet's columns (:class:`Col`: header, width, kind, table formula), the Claims
and Authorizations calculated columns' formulas, and the code lists the Codes sheet and the
Dashboard show."""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimcheck import columns as C
from claimcheck.denials import DenialCode, catalogue
from claimcheck.tables import tables

# ----------------------------------------------------------------------------- names

CLAIMS_TABLE = "ClaimsTable"
AUTH_TABLE = "AuthorizationsTable"
PAYERS_TABLE = "PayersTable"
PROVIDERS_TABLE = "ProvidersTable"
ENROLLMENT_TABLE = "ProviderEnrollmentTable"
COVERAGE_TABLE = "CoverageTable"
CLIENTS_TABLE = "ClientsTable"

DATE_FORMAT = "mm/dd/yyyy"
MONEY_FORMAT = '"$"#,##0.00'
TEXT_FORMAT = "@"
FORMATTED_ROWS = 5000  # conditional formats and validation reach this far below the header
HINT = "Run Validate Claims (add-in not loaded)"
STATUSES = list(C.STATUSES)
DEADLINE_WINDOW = 14  # days: deadlines this close are highlighted
TABLE_STYLE = "Table Style Medium 2"

# Colours (fills and fonts), chosen to read on screen and in grey-scale print.
NAVY = "#1F3864"
CALC_HEADER = "#375623"  # dark green: calculated columns
CALC_FILL = "#F2F2F2"
RED_FILL, RED_FONT = "#F8CBAD", "#9C0006"
AMBER_FILL, AMBER_FONT = "#FFEB9C", "#7F6000"
GREEN_FILL, GREEN_FONT = "#C6EFCE", "#006100"
GREY_FONT = "#7F7F7F"


def column_ref(table: str, column: str) -> str:
    return f"{table}[{column}]"


def this_row(table: str, column: str) -> str:
    return f"{table}[[#This Row],[{column}]]"


# ----------------------------------------------------------------------------- column specs


@dataclass(frozen=True)
class Col:
    header: str
    width: float
    kind: str = "text"  # text, date, money, int, general, calc-*
    formula: str | None = None  # a calculated column (table formula)
    hidden: bool = False
    comment: str = ""


CLAIM_KINDS = {
    "Claim ID": ("text", 10), "Client ID": ("text", 10), "Client Name": ("text", 18),
    "Client DOB": ("date", 11), "Member ID": ("text", 13), "Payer": ("text", 20),
    "Rendering NPI": ("text", 12), "Billing NPI": ("text", 12), "DOS": ("date", 11),
    "Minutes": ("int", 8), "CPT": ("text", 7), "Modifiers": ("text", 10), "Units": ("int", 6),
    "Dx Codes": ("text", 14), "POS": ("text", 5), "Charge": ("money", 11),
    "Auth Number": ("text", 12), "Status": ("text", 10), "Submitted On": ("date", 11),
    "Paid Amount": ("money", 11), "Denial Codes": ("text", 12), "Denial Date": ("date", 11),
    "Payer Claim Number": ("text", 16), "Note Signed": ("date", 11), "Start Time": ("time", 9), "Stop Time": ("time", 9), "Appealed On": ("date", 11), "Appeal Level": ("text", 13),
    "Allowed Amount": ("money", 11), "Patient Responsibility": ("money", 12), "Adjustments": ("text", 22),
    "Remark Codes": ("text", 12), "Payer Order": ("text", 10), "Remit Date": ("date", 11),
    "Line Control Number": ("text", 14),
}
AUTH_KINDS = {
    "Auth Number": ("text", 13), "Client ID": ("text", 10), "Payer": ("text", 20),
    "Start Date": ("date", 11), "End Date": ("date", 11), "Authorized": ("int", 10),
    "Unit Type": ("text", 9), "Codes Covered": ("text", 18), "Rendering NPI": ("text", 13),
    "Notes": ("text", 28),
}
PAYER_KINDS = {
    "Payer": ("text", 22), "Payer ID": ("text", 9), "Timely Filing Days": ("int", 10),
    "Appeal Days": ("int", 8), "Telehealth Modifier": ("text", 11), "Auth Required": ("text", 9),
    "Eval Counts Toward Auth": ("text", 11), "Appeal Address": ("text", 48),
    "Appeal Fax": ("text", 15), "Phone": ("text", 15), "Payer Type": ("text", 18),
    "Auth Visits Per": ("text", 10), "Visits Per Year": ("int", 9),
    "Note Sign Days": ("int", 9), "Plan Review Days": ("int", 9),
    "Follow-up Days": ("int", 9),
}
PROVIDER_KINDS = {"NPI": ("text", 12), "Name": ("text", 22), "Credential": ("text", 11), "Taxonomy": ("text", 13),
                   "Licence Type": ("text", 14), "Licence Expiry": ("date", 12), "Supervising NPI": ("text", 14)}
ENROLLMENT_KINDS = {"NPI": ("text", 12), "Payer": ("text", 22), "Effective Date": ("date", 12),
                     "Termination Date": ("date", 13), "Notes": ("text", 30)}
CLIENT_KINDS = {"Client ID": ("text", 10), "Treatment Plan Date": ("date", 14)}
COVERAGE_KINDS = {"Client ID": ("text", 10), "Payer": ("text", 22), "Member ID": ("text", 14),
                   "Effective Date": ("date", 12), "Termination Date": ("date", 13), "Plan Order": ("text", 11),
                   "Copay": ("money", 9)}


def contract_columns(columns: tuple[C.Column, ...], kinds: dict[str, tuple[str, float]]) -> list[Col]:
    return [Col(c.name, kinds[c.name][1], kinds[c.name][0]) for c in columns]


def _payer_days(setting: str, payer_ref: str) -> str:
    """The payer's days for ``setting`` (Timely Filing Days, Appeal Days), or the documented
    default when the payer is missing from the Payers sheet or the cell is blank."""
    def look(name: str) -> str:
        return f"INDEX({column_ref(PAYERS_TABLE, setting)},MATCH({name},{column_ref(PAYERS_TABLE, 'Payer')},0))"

    # a Payers row named "Default" replaces the shipped default for the workbook
    fallback = f'IF(IFERROR({look(chr(34) + "Default" + chr(34))},0)>0,{look(chr(34) + "Default" + chr(34))},{default_days(setting)})'
    if setting == "Appeal Days":  # a Medicaid or Medicaid MCO payer with a blank cell (claimcheck.deadlines)
        kind = f"IFERROR(INDEX({column_ref(PAYERS_TABLE, 'Payer Type')},MATCH({payer_ref},{column_ref(PAYERS_TABLE, 'Payer')},0)),\"\")"
        fallback = (f'IF(OR({kind}="Medicaid",{kind}="Medicaid MCO"),{default_days("Medicaid Appeal Days")},'
                    f"{fallback})")
    return f"IF(IFERROR({look(payer_ref)},0)>0,{look(payer_ref)},{fallback})"


def default_days(setting: str) -> int:
    value = tables().payer_defaults.get(setting, "")
    try:
        return int(float(value))
    except ValueError:
        return {"Timely Filing Days": 90, "Appeal Days": 120, "Medicaid Appeal Days": 60}[setting]


def claim_formulas() -> dict[str, str]:
    """The calculated columns of the Claims table, by header."""
    T = CLAIMS_TABLE
    auth, dos, payer = this_row(T, "Auth Number"), this_row(T, "DOS"), this_row(T, "Payer")
    cpt = this_row(T, "CPT")
    eval_default = (tables().payer_defaults.get("Eval Counts Toward Auth", "N") or "N")[:1].upper()
    eval_counts = (f"IFERROR(UPPER(LEFT(INDEX({column_ref(PAYERS_TABLE, 'Eval Counts Toward Auth')},"
                   f"MATCH({payer},{column_ref(PAYERS_TABLE, 'Payer')},0)),1)),\"{eval_default}\")")
    is_eval = f'OR(""&{cpt}="90791",""&{cpt}="90792")'
    addons = ",".join(f'"{code}"' for code, p in sorted(tables().procedures.items()) if p.addon)
    is_addon = f'ISNUMBER(MATCH(""&{cpt},{{{addons}}},0))'
    per_date = (f"IFERROR(UPPER(LEFT(INDEX({column_ref(PAYERS_TABLE, 'Auth Visits Per')},"
                f"MATCH({payer},{column_ref(PAYERS_TABLE, 'Payer')},0)),1)),\"S\")=\"D\"")
    # 1 on each primary service line (two services on one date are two visits; add-ons use
    # none), or, for a payer whose Auth Visits Per is Date, on the first line of each
    # authorization and date; 0 for an evaluation the payer does not count toward the authorization.
    first_of_day = (f"COUNTIFS(INDEX({column_ref(T, 'Auth Number')},1):{auth},{auth},"
                    f"INDEX({column_ref(T, 'DOS')},1):{dos},{dos})=1")
    visit = (f'=IF(OR({auth}="",{dos}=""),"",IF(AND({is_eval},{eval_counts}<>"Y"),0,'
             f"IF({per_date},IF({first_of_day},1,0),IF({is_addon},0,1))))")
    through = f'{column_ref(T, "Auth Number")},{auth},{column_ref(T, "DOS")},"<="&{dos}'
    # the visits of earlier dates, then of this date's lines down to this one (two services on one
    # date are sessions n and n+1, as claimcheck numbers them)
    before = f'{column_ref(T, "Auth Number")},{auth},{column_ref(T, "DOS")},"<"&{dos}'
    same_day_above = (f"INDEX({column_ref(T, 'Visit')},1):{this_row(T, 'Visit')},INDEX({column_ref(T, 'Auth Number')},1):{auth},{auth},"
                      f"INDEX({column_ref(T, 'DOS')},1):{dos},{dos}")
    session = f'=IF(OR({auth}="",{dos}=""),"",SUMIFS({column_ref(T, "Visit")},{before})+SUMIFS({same_day_above}))'
    auth_row = f"MATCH({auth},{column_ref(AUTH_TABLE, 'Auth Number')},0)"
    authorized = f'=IF({auth}="","",IFERROR(INDEX({column_ref(AUTH_TABLE, "Authorized")},{auth_row}),"not found"))'
    per_unit = f'IFERROR(UPPER(LEFT(INDEX({column_ref(AUTH_TABLE, "Unit Type")},{auth_row}),1)),"V")="U"'
    units_used = f'SUMIFS({column_ref(T, "Units")},{through})+COUNTIFS({through},{column_ref(T, "Units")},"")'
    visits_used = f'SUMIFS({column_ref(T, "Visit")},{through})'
    authorized_here = this_row(T, "Authorized")
    left = (f'=IF(OR({auth}="",{dos}="",NOT(ISNUMBER({authorized_here}))),"",'
            f"{authorized_here}-IF({per_unit},{units_used},{visits_used}))")
    file_by = f'=IF({dos}="","",IFERROR({dos}+{_payer_days("Timely Filing Days", payer)},""))'
    denial_date, status = this_row(T, "Denial Date"), this_row(T, "Status")
    appeal_left = (f'=IF(OR({denial_date}="",{status}="Paid"),"",'
                   f'IFERROR({denial_date}+{_payer_days("Appeal Days", payer)}-AsOf,""))')
    first, last = C.CLAIMS[0].name, C.CLAIMS[-1].name
    row_span = f"{T}[[#This Row],[{first}]:[{last}]]"
    header_span = f"{T}[[#Headers],[{first}]:[{last}]]"
    check = (f'=IF(COUNTA({row_span})=0,"",IFERROR(CHECK_CLAIM({row_span},{header_span}),"{HINT}"))')
    return {"Check": check, "Session #": session, "Authorized": authorized, "Auth Left": left,
            "File By": file_by, "Appeal Days Left": appeal_left, "Visit": visit}


def claim_columns() -> list[Col]:
    f = claim_formulas()
    return contract_columns(C.CLAIMS, CLAIM_KINDS) + [
        Col("Check", 44, "calc-text", f["Check"],
            comment="CHECK_CLAIM: OK or the findings of this line. Needs the claimcheck add-in; "
                    "Validate Claims fills it without the add-in."),
        Col("Session #", 9, "calc-int", f["Session #"],
            comment="Which visit under this authorization (one per date; evaluations count only "
                    "when the payer says so)."),
        Col("Authorized", 10, "calc-int", f["Authorized"], comment="Visits or units the authorization allows."),
        Col("Auth Left", 9, "calc-int", f["Auth Left"],
            comment="Authorized minus used through this date (units for a Units authorization). "
                    "Below 0 means over the authorization."),
        Col("File By", 11, "calc-date", f["File By"],
            comment="Timely-filing deadline: DOS plus the payer's Timely Filing Days "
                    f"({default_days('Timely Filing Days')} when the payer is not on the Payers sheet)."),
        Col("Appeal Days Left", 10, "calc-int", f["Appeal Days Left"],
            comment="Days until the appeal deadline: Denial Date plus the payer's Appeal Days "
                    f"({default_days('Appeal Days')} by default), counted from the Dashboard's As of date."),
        Col("Visit", 6, "calc-int", f["Visit"], hidden=True,
            comment="Helper: 1 on the first counted line of each authorization and date."),
    ]


def auth_columns() -> list[Col]:
    T, CT = AUTH_TABLE, CLAIMS_TABLE
    num, unit_type = this_row(T, "Auth Number"), this_row(T, "Unit Type")
    used = (f'=IF({num}="","",IF(UPPER(LEFT({unit_type},1))="U",'
            f'SUMIFS({column_ref(CT, "Units")},{column_ref(CT, "Auth Number")},{num})'
            f'+COUNTIFS({column_ref(CT, "Auth Number")},{num},{column_ref(CT, "Units")},""),'
            f'SUMIFS({column_ref(CT, "Visit")},{column_ref(CT, "Auth Number")},{num})))')
    left = f'=IF(OR({num}="",NOT(ISNUMBER({this_row(T, "Authorized")}))),"",{this_row(T, "Authorized")}-{this_row(T, "Used")})'
    ends = f'=IF(OR({num}="",{this_row(T, "End Date")}=""),"",IFERROR({this_row(T, "End Date")}-AsOf,""))'
    return contract_columns(C.AUTHORIZATIONS, AUTH_KINDS) + [
        Col("Used", 7, "calc-int", used, comment="Visits (one per service line, or per date where the payer's Auth Visits Per is Date) or units billed under this authorization."),
        Col("Left", 7, "calc-int", left, comment="Authorized minus Used; below 0 is over."),
        Col("Ends In Days", 9, "calc-int", ends, comment="Days from the As of date to the End Date."),
    ]


# ----------------------------------------------------------------------------- code tables


def denial_codes() -> list[DenialCode]:
    """The Codes sheet's denial codes: claimcheck's denial catalogue, CARCs then RARCs, in number
    order (meanings and actions in our own words)."""
    def order(e):
        digits = re.sub(r"\D", "", e.code)
        return (e.kind != "CARC", not e.code.isdigit(), int(digits) if digits else 0, e.code)

    return sorted((e for e in catalogue().values() if e.kind in ("CARC", "RARC")), key=order)


def sentence(text: str) -> str:
    text = " ".join((text or "").split())
    return text[:1].upper() + text[1:] if text else ""


def dashboard_denials() -> list[tuple[str, str]]:
    """The reasons the Dashboard counts: (code, short label) of every CARC in the catalogue but
    deductible, coinsurance and copay (the client's share, not a denial)."""
    return [(d.code, d.short) for d in denial_codes() if d.kind == "CARC" and d.code not in PATIENT_SHARE_CARCS]


def code_tokens(ref: str) -> str:
    """An Excel expression turning denial codes as typed (``CO-50, co50; N290``) into
    space-separated tokens (``CO 50 N290``, with extra spaces)."""
    norm = f"UPPER({ref})"
    for sep in (",", ";", "-", "/", ":"):
        norm = f'SUBSTITUTE({norm},"{sep}"," ")'
    for group in ("CO", "PR", "OA", "PI", "CR"):
        norm = f'SUBSTITUTE({norm},"{group}","{group} ")'
    return norm


#: A Payer column's dropdown: the Payers sheet's names (PayerNames); another payer is kept after a warning.
PAYER_PICK = {"validate": "list", "source": "=PayerNames", "error_type": "warning",
              "error_title": "Payer not on the Payers sheet", "error_message": "Keep it anyway?"}
#: The Providers sheet's pick-list column (outside its table) that the Rendering NPI dropdowns show.
PROVIDER_PICK_HEADER = "Pick list (NPI and name)"
#: Statuses of lines sent to the payer (the Dashboard's Billed).
SENT_STATUSES = ("Submitted", "Rejected", "Paid", "Partially Paid", "Denied", "Appealed")
#: Statuses of lines sent and not paid (accounts receivable).
UNPAID_STATUSES = ("Submitted", "Rejected", "Denied", "Appealed")
#: CARCs of the client's share: 1 deductible, 2 coinsurance, 3 copay.
PATIENT_SHARE_CARCS = ("1", "2", "3")
AR_BUCKETS = [("0-30 days", 0, 30), ("31-60 days", 31, 60), ("61-90 days", 61, 90), ("91-120 days", 91, 120),
              ("Over 120 days", 121, None)]
AR_PAYER_ROWS = 12
