"""The billing workbook template: ``claimcheck new OUT.xlsx [--sample]``.

One XlsxWriter pass writes a workbook billers can start typing into:

* ``Claims``, ``Authorizations``, ``Payers``, ``Providers`` - Excel Tables with the contract's
  headers in the contract's order, number formats (dates, currency, codes kept as text),
  dropdowns, input messages and frozen headers;
* calculated columns to the right of the contract columns (session number within the
  authorization, authorized and remaining, the timely-filing date, days left to appeal, and a
  ``Check`` column calling the ``CHECK_CLAIM`` worksheet function) - plain Excel formulas that
  calculate in Excel and LibreOffice without Python;
* conditional formats (flagged rows, sessions over authorization, deadlines within 14 days,
  denied rows);
* ``Dashboard`` with native charts fed by formula helper tables, so they update as billers type;
* ``Instructions``, ``Codes`` (procedure codes with time bands, modifiers, places of service,
  denial codes) and ``Rules`` (every rule from the registry).

The formulas use structured references (``ClaimsTable[[#This Row],[DOS]]``): Excel writes them
in files in that form, LibreOffice evaluates them, and a table's calculated column carries them
on to new rows.  The one date the workbook treats as today is the ``AsOf`` cell on the Dashboard
(``=TODAY()``, or a date the biller types; the sample uses its own as-of date, 06/30/2026).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from claimcheck import columns as C
from claimcheck.atomic import replacing
from claimcheck.denials import DenialCode, catalogue
from claimcheck.reader import UnusableInput
from claimcheck.tables import tables

from . import sample_data as S
from claimcheck.writer import pages_wide

from .print_setup import apply_xlsxwriter_setup

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


def _ref(table: str, column: str) -> str:
    return f"{table}[{column}]"


def _this(table: str, column: str) -> str:
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


_CLAIM_KINDS = {
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
_AUTH_KINDS = {
    "Auth Number": ("text", 13), "Client ID": ("text", 10), "Payer": ("text", 20),
    "Start Date": ("date", 11), "End Date": ("date", 11), "Authorized": ("int", 10),
    "Unit Type": ("text", 9), "Codes Covered": ("text", 18), "Rendering NPI": ("text", 13),
    "Notes": ("text", 28),
}
_PAYER_KINDS = {
    "Payer": ("text", 22), "Payer ID": ("text", 9), "Timely Filing Days": ("int", 10),
    "Appeal Days": ("int", 8), "Telehealth Modifier": ("text", 11), "Auth Required": ("text", 9),
    "Eval Counts Toward Auth": ("text", 11), "Appeal Address": ("text", 48),
    "Appeal Fax": ("text", 15), "Phone": ("text", 15), "Payer Type": ("text", 18),
    "Auth Visits Per": ("text", 10), "Visits Per Year": ("int", 9),
    "Note Sign Days": ("int", 9), "Plan Review Days": ("int", 9),
    "Follow-up Days": ("int", 9),
}
_PROVIDER_KINDS = {"NPI": ("text", 12), "Name": ("text", 22), "Credential": ("text", 11), "Taxonomy": ("text", 13),
                   "Licence Type": ("text", 14), "Licence Expiry": ("date", 12), "Supervising NPI": ("text", 14)}
_ENROLLMENT_KINDS = {"NPI": ("text", 12), "Payer": ("text", 22), "Effective Date": ("date", 12),
                     "Termination Date": ("date", 13), "Notes": ("text", 30)}
_CLIENT_KINDS = {"Client ID": ("text", 10), "Treatment Plan Date": ("date", 14)}
_COVERAGE_KINDS = {"Client ID": ("text", 10), "Payer": ("text", 22), "Member ID": ("text", 14),
                   "Effective Date": ("date", 12), "Termination Date": ("date", 13), "Plan Order": ("text", 11),
                   "Copay": ("money", 9)}


def _contract_cols(columns: tuple[C.Column, ...], kinds: dict[str, tuple[str, float]]) -> list[Col]:
    return [Col(c.name, kinds[c.name][1], kinds[c.name][0]) for c in columns]


def _payer_days(setting: str, payer_ref: str) -> str:
    """The payer's days for ``setting`` (Timely Filing Days, Appeal Days), or the documented
    default when the payer is missing from the Payers sheet or the cell is blank."""
    def look(name: str) -> str:
        return f"INDEX({_ref(PAYERS_TABLE, setting)},MATCH({name},{_ref(PAYERS_TABLE, 'Payer')},0))"

    # a Payers row named "Default" replaces the shipped default for the workbook
    fallback = f'IF(IFERROR({look(chr(34) + "Default" + chr(34))},0)>0,{look(chr(34) + "Default" + chr(34))},{_default_days(setting)})'
    if setting == "Appeal Days":  # a Medicaid or Medicaid MCO payer with a blank cell (claimcheck.deadlines)
        kind = f"IFERROR(INDEX({_ref(PAYERS_TABLE, 'Payer Type')},MATCH({payer_ref},{_ref(PAYERS_TABLE, 'Payer')},0)),\"\")"
        fallback = (f'IF(OR({kind}="Medicaid",{kind}="Medicaid MCO"),{_default_days("Medicaid Appeal Days")},'
                    f"{fallback})")
    return f"IF(IFERROR({look(payer_ref)},0)>0,{look(payer_ref)},{fallback})"


def _default_days(setting: str) -> int:
    value = tables().payer_defaults.get(setting, "")
    try:
        return int(float(value))
    except ValueError:
        return {"Timely Filing Days": 90, "Appeal Days": 120, "Medicaid Appeal Days": 60}[setting]


def claim_formulas() -> dict[str, str]:
    """The calculated columns of the Claims table, by header."""
    T = CLAIMS_TABLE
    auth, dos, payer = _this(T, "Auth Number"), _this(T, "DOS"), _this(T, "Payer")
    cpt = _this(T, "CPT")
    eval_default = (tables().payer_defaults.get("Eval Counts Toward Auth", "N") or "N")[:1].upper()
    eval_counts = (f"IFERROR(UPPER(LEFT(INDEX({_ref(PAYERS_TABLE, 'Eval Counts Toward Auth')},"
                   f"MATCH({payer},{_ref(PAYERS_TABLE, 'Payer')},0)),1)),\"{eval_default}\")")
    is_eval = f'OR(""&{cpt}="90791",""&{cpt}="90792")'
    addons = ",".join(f'"{code}"' for code, p in sorted(tables().procedures.items()) if p.addon)
    is_addon = f'ISNUMBER(MATCH(""&{cpt},{{{addons}}},0))'
    per_date = (f"IFERROR(UPPER(LEFT(INDEX({_ref(PAYERS_TABLE, 'Auth Visits Per')},"
                f"MATCH({payer},{_ref(PAYERS_TABLE, 'Payer')},0)),1)),\"S\")=\"D\"")
    # 1 on each primary service line (two services on one date are two visits; add-ons use
    # none), or, for a payer whose Auth Visits Per is Date, on the first line of each
    # authorization and date; 0 for an evaluation the payer does not count toward the authorization.
    first_of_day = (f"COUNTIFS(INDEX({_ref(T, 'Auth Number')},1):{auth},{auth},"
                    f"INDEX({_ref(T, 'DOS')},1):{dos},{dos})=1")
    visit = (f'=IF(OR({auth}="",{dos}=""),"",IF(AND({is_eval},{eval_counts}<>"Y"),0,'
             f"IF({per_date},IF({first_of_day},1,0),IF({is_addon},0,1))))")
    through = f'{_ref(T, "Auth Number")},{auth},{_ref(T, "DOS")},"<="&{dos}'
    # the visits of earlier dates, then of this date's lines down to this one (two services on one
    # date are sessions n and n+1, as claimcheck numbers them)
    before = f'{_ref(T, "Auth Number")},{auth},{_ref(T, "DOS")},"<"&{dos}'
    same_day_above = (f"INDEX({_ref(T, 'Visit')},1):{_this(T, 'Visit')},INDEX({_ref(T, 'Auth Number')},1):{auth},{auth},"
                      f"INDEX({_ref(T, 'DOS')},1):{dos},{dos}")
    session = f'=IF(OR({auth}="",{dos}=""),"",SUMIFS({_ref(T, "Visit")},{before})+SUMIFS({same_day_above}))'
    auth_row = f"MATCH({auth},{_ref(AUTH_TABLE, 'Auth Number')},0)"
    authorized = f'=IF({auth}="","",IFERROR(INDEX({_ref(AUTH_TABLE, "Authorized")},{auth_row}),"not found"))'
    per_unit = f'IFERROR(UPPER(LEFT(INDEX({_ref(AUTH_TABLE, "Unit Type")},{auth_row}),1)),"V")="U"'
    units_used = f'SUMIFS({_ref(T, "Units")},{through})+COUNTIFS({through},{_ref(T, "Units")},"")'
    visits_used = f'SUMIFS({_ref(T, "Visit")},{through})'
    authorized_here = _this(T, "Authorized")
    left = (f'=IF(OR({auth}="",{dos}="",NOT(ISNUMBER({authorized_here}))),"",'
            f"{authorized_here}-IF({per_unit},{units_used},{visits_used}))")
    file_by = f'=IF({dos}="","",IFERROR({dos}+{_payer_days("Timely Filing Days", payer)},""))'
    denial_date, status = _this(T, "Denial Date"), _this(T, "Status")
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
    return _contract_cols(C.CLAIMS, _CLAIM_KINDS) + [
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
                    f"({_default_days('Timely Filing Days')} when the payer is not on the Payers sheet)."),
        Col("Appeal Days Left", 10, "calc-int", f["Appeal Days Left"],
            comment="Days until the appeal deadline: Denial Date plus the payer's Appeal Days "
                    f"({_default_days('Appeal Days')} by default), counted from the Dashboard's As of date."),
        Col("Visit", 6, "calc-int", f["Visit"], hidden=True,
            comment="Helper: 1 on the first counted line of each authorization and date."),
    ]


def auth_columns() -> list[Col]:
    T, CT = AUTH_TABLE, CLAIMS_TABLE
    num, unit_type = _this(T, "Auth Number"), _this(T, "Unit Type")
    used = (f'=IF({num}="","",IF(UPPER(LEFT({unit_type},1))="U",'
            f'SUMIFS({_ref(CT, "Units")},{_ref(CT, "Auth Number")},{num})'
            f'+COUNTIFS({_ref(CT, "Auth Number")},{num},{_ref(CT, "Units")},""),'
            f'SUMIFS({_ref(CT, "Visit")},{_ref(CT, "Auth Number")},{num})))')
    left = f'=IF(OR({num}="",NOT(ISNUMBER({_this(T, "Authorized")}))),"",{_this(T, "Authorized")}-{_this(T, "Used")})'
    ends = f'=IF(OR({num}="",{_this(T, "End Date")}=""),"",IFERROR({_this(T, "End Date")}-AsOf,""))'
    return _contract_cols(C.AUTHORIZATIONS, _AUTH_KINDS) + [
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


def _sentence(text: str) -> str:
    text = " ".join((text or "").split())
    return text[:1].upper() + text[1:] if text else ""


def dashboard_denials() -> list[tuple[str, str]]:
    """The reasons the Dashboard counts: (code, short label) of every CARC in the catalogue but
    deductible, coinsurance and copay (the client's share, not a denial)."""
    return [(d.code, d.short) for d in denial_codes() if d.kind == "CARC" and d.code not in PATIENT_SHARE_CARCS]


def _code_tokens(ref: str) -> str:
    """An Excel expression turning denial codes as typed (``CO-50, co50; N290``) into
    space-separated tokens (``CO 50 N290``, with extra spaces)."""
    norm = f"UPPER({ref})"
    for sep in (",", ";", "-", "/", ":"):
        norm = f'SUBSTITUTE({norm},"{sep}"," ")'
    for group in ("CO", "PR", "OA", "PI", "CR"):
        norm = f'SUBSTITUTE({norm},"{group}","{group} ")'
    return norm


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


# ----------------------------------------------------------------------------- the writer


class _Builder:
    def __init__(self, path: Path, sample: bool):
        self.sample = sample
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                  "strings_to_urls": False})
        self.wb.set_properties({"title": "Billing workbook", "subject": "Behavioral-health claims, authorizations and appeals",
                                "comments": "Created by claimcheck new"})
        self.wb.set_calc_mode("auto")
        self.f: dict[str, Any] = {}
        self._formats()
        self.counts: dict[str, int] = {}

    # formats ---------------------------------------------------------------
    def _formats(self) -> None:
        add = self.wb.add_format
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        self.f["text"] = add({**base, "num_format": TEXT_FORMAT})
        self.f["date"] = add({**base, "num_format": DATE_FORMAT, "align": "left"})
        self.f["time"] = add({**base, "num_format": "h:mm AM/PM", "align": "left"})
        self.f["money"] = add({**base, "num_format": MONEY_FORMAT, "indent": 1, "align": "right"})
        self.f["int"] = add({**base, "num_format": "0", "align": "center"})
        self.f["general"] = add(base)
        calc = {**base, "bg_color": CALC_FILL, "font_color": "#262626"}
        self.f["calc-text"] = add({**calc})
        self.f["calc-int"] = add({**calc, "num_format": "0", "align": "center"})
        self.f["calc-date"] = add({**calc, "num_format": DATE_FORMAT, "align": "left"})
        self.f["calc-money"] = add({**calc, "num_format": MONEY_FORMAT})
        self.f["header"] = add({"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY, "text_wrap": True,
                                "valign": "vcenter", "border": 1, "border_color": "#FFFFFF"})
        self.f["calc-header"] = add({"bold": True, "font_color": "#FFFFFF", "bg_color": CALC_HEADER, "text_wrap": True,
                                     "valign": "vcenter", "border": 1, "border_color": "#FFFFFF"})
        self.f["title"] = add({"bold": True, "font_size": 18, "font_color": NAVY})
        self.f["subtitle"] = add({"italic": True, "font_color": GREY_FONT})
        self.f["h2"] = add({"bold": True, "font_size": 13, "font_color": NAVY, "bottom": 1, "bottom_color": NAVY})
        self.f["wrap"] = add({"text_wrap": True, "valign": "top"})
        self.f["bold"] = add({"bold": True, "valign": "top"})
        self.f["bold-wrap"] = add({"bold": True, "valign": "top", "text_wrap": True})
        self.f["kpi-label"] = add({"font_size": 9, "font_color": "#FFFFFF", "bg_color": NAVY, "text_wrap": True,
                                   "align": "center", "valign": "vcenter"})
        self.f["kpi"] = add({"bold": True, "font_size": 16, "font_color": NAVY, "bg_color": "#DDEBF7",
                             "align": "center", "valign": "vcenter", "num_format": "#,##0"})
        self.f["kpi-money"] = add({"bold": True, "font_size": 16, "font_color": NAVY, "bg_color": "#DDEBF7",
                                   "align": "center", "valign": "vcenter", "num_format": '"$"#,##0'})
        self.f["asof"] = add({"bold": True, "num_format": DATE_FORMAT, "bg_color": "#FFF2CC", "border": 1,
                              "align": "left"})
        self.f["helper-h"] = add({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
        self.f["helper"] = add({"border": 1, "border_color": "#BFBFBF"})
        self.f["helper-money"] = add({"border": 1, "border_color": "#BFBFBF", "num_format": MONEY_FORMAT})
        # conditional-format formats (dxf)
        self.f["cf-denied"] = add({"bg_color": RED_FILL, "font_color": RED_FONT})
        self.f["cf-flagged"] = add({"bg_color": AMBER_FILL})
        self.f["cf-hint"] = add({"font_color": GREY_FONT, "italic": True})
        self.f["cf-ok"] = add({"bg_color": GREEN_FILL, "font_color": GREEN_FONT})
        self.f["cf-over"] = add({"bold": True, "bg_color": "#FF0000", "font_color": "#FFFFFF"})
        self.f["cf-near"] = add({"bg_color": AMBER_FILL, "font_color": AMBER_FONT, "bold": True})
        self.f["cf-past"] = add({"bold": True, "bg_color": RED_FILL, "font_color": RED_FONT})
        self.f["cf-muted"] = add({"font_color": GREY_FONT})

    # tables ----------------------------------------------------------------
    def table(self, ws, name: str, cols: list[Col], rows: list[list[Any]], *, convert: Callable | None = None) -> int:
        """Write an Excel Table at A1 with ``rows`` (at least one blank row); return the last
        data row (0-based)."""
        n = max(1, len(rows))
        last_row = n  # header at row 0
        spec = []
        for col in cols:
            c: dict[str, Any] = {"header": col.header, "format": self.f[col.kind],
                                 "header_format": self.f["calc-header" if col.formula else "header"]}
            if col.formula:
                c["formula"] = col.formula
            spec.append(c)
        ws.add_table(0, 0, last_row, len(cols) - 1, {"name": name, "columns": spec, "style": TABLE_STYLE,
                                                     "autofilter": True})
        for j, col in enumerate(cols):
            options = {"hidden": True} if col.hidden else {}
            if col.hidden:
                options["level"] = 1
            ws.set_column(j, j, col.width, self.f[col.kind], options)
            if col.comment:
                ws.write_comment(0, j, col.comment, {"x_scale": 2.2, "y_scale": 1.2, "author": "claimcheck"})
        for i, row in enumerate(rows, start=1):
            for j, col in enumerate(cols):
                if col.formula:
                    continue
                value = row[j] if j < len(row) else None
                if convert:
                    value = convert(col, value)
                self.cell(ws, i, j, value, self.f[col.kind])
        # formulas: the table writes them; give them an empty cached value so readers that do not
        # calculate (previews, pandas) see blanks rather than zeros.
        for j, col in enumerate(cols):
            if col.formula:
                for i in range(1, last_row + 1):
                    ws.write_formula(i, j, col.formula, self.f[col.kind], "")
        ws.set_row(0, 32)
        ws.freeze_panes(1, 1 if name == CLAIMS_TABLE else 0)
        self.counts[name] = len(rows)
        return last_row

    @staticmethod
    def cell(ws, r: int, c: int, value: Any, fmt) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        if isinstance(value, dt.datetime):
            ws.write_datetime(r, c, value, fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), fmt)
        elif isinstance(value, dt.time):
            ws.write_datetime(r, c, value, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, (int, float)):
            ws.write_number(r, c, value, fmt)
        else:
            ws.write_string(r, c, str(value), fmt)

    # sheets ----------------------------------------------------------------
    def build(self) -> None:
        self.instructions = self.wb.add_worksheet("Instructions")
        self.claims = self.wb.add_worksheet("Claims")
        self.auths = self.wb.add_worksheet("Authorizations")
        self.payers = self.wb.add_worksheet("Payers")
        self.providers = self.wb.add_worksheet("Providers")
        self.enrollment = self.wb.add_worksheet("Provider Enrollment")
        self.coverage = self.wb.add_worksheet("Coverage")
        self.clients = self.wb.add_worksheet("Clients")
        self.practice = self.wb.add_worksheet(C.PRACTICE_SHEET)
        self.dashboard = self.wb.add_worksheet("Dashboard")
        self.codes = self.wb.add_worksheet("Codes")
        self.rules = self.wb.add_worksheet("Rules")
        self.instructions.set_tab_color("#7F7F7F")
        self.dashboard.set_tab_color(CALC_HEADER)
        for ws in (self.codes, self.rules):
            ws.set_tab_color("#A6A6A6")

        self.write_codes()
        self.write_claims()
        self.write_authorizations()
        self.write_payers()
        self.write_providers()
        self.write_enrollment()
        self.write_coverage()
        self.write_clients()
        self.write_practice()
        self.write_dashboard()
        self.write_rules()
        self.write_instructions()
        (self.claims if self.sample else self.instructions).activate()

    # Codes -----------------------------------------------------------------
    def write_codes(self) -> None:
        ws = self.codes
        t = tables()
        procs = sorted(t.procedures.values(), key=lambda p: (p.kind == "deleted", p.code))
        active = [p for p in procs if p.kind != "deleted"]

        def band(p) -> str:
            if p.min_minutes is None:
                return ""
            if p.max_minutes is None:
                return f"{p.min_minutes}+ min"
            return f"{p.min_minutes}-{p.max_minutes} min"

        proc_rows = [[p.code, p.label, p.kind.replace("_", " "), "Y" if p.addon else "", band(p),
                      p.daily_max] for p in procs]
        mod_rows = [[m, r.get("label", ""), r.get("group", "")] for m, r in sorted(t.modifiers.items())]
        pos_rows = [[p, r.get("label", ""), r.get("telehealth", "")] for p, r in sorted(t.pos.items())]
        denials = denial_codes()
        den_rows = [[d.code, d.kind, ", ".join(d.usual_groups), _sentence(d.meaning), _sentence(d.action), d.appealable]
                    for d in denials]

        blocks = [
            ("ProceduresTable", 0, [Col("Code", 8), Col("What it is", 46), Col("Kind", 15), Col("Add-on", 7),
                                    Col("Time Band", 11), Col("Daily Max", 8, "int")], proc_rows),
            ("ModifiersTable", 7, [Col("Modifier", 9), Col("Meaning", 44), Col("Group", 12)], mod_rows),
            ("PlacesOfServiceTable", 11, [Col("POS", 6), Col("Place of Service", 36), Col("Telehealth", 10)], pos_rows),
            ("DenialCodesTable", 15, [Col("Denial Code", 9), Col("Kind", 7), Col("Usual Group", 8),
                                      Col("Meaning", 50), Col("What to Do", 22), Col("Appealable", 10)], den_rows),
        ]
        ws.write(0, 0, "Code tables", self.f["title"])
        ws.write(1, 0, "The codes claimcheck knows, with our labels and time bands. The Claims dropdowns read "
                       "these lists; a code not listed is allowed but will be checked.", self.f["subtitle"])
        top = 3
        for name, first_col, cols, rows in blocks:
            spec = [{"header": c.header, "header_format": self.f["header"], "format": self.f["text"]} for c in cols]
            ws.add_table(top, first_col, top + max(1, len(rows)), first_col + len(cols) - 1,
                         {"name": name, "columns": spec, "style": "Table Style Light 9"})
            for j, c in enumerate(cols):
                ws.set_column(first_col + j, first_col + j, c.width, self.f["wrap"] if c.width > 30 else None)
            for i, row in enumerate(rows, start=top + 1):
                for j, value in enumerate(row):
                    self.cell(ws, i, first_col + j, value, self.f["int" if cols[j].kind == "int" else "text"])
        for gap in (6, 10, 14):
            ws.set_column(gap, gap, 2)
        ws.set_row(top, 30)
        ws.freeze_panes(top + 1, 0)
        first = top + 2  # 1-based first data row
        self.wb.define_name("CPTCodes", f"=Codes!$A${first}:$A${first + len(active) - 1}")
        self.wb.define_name("POSCodes", f"=Codes!$L${first}:$L${first + len(pos_rows) - 1}")
        self.wb.define_name("ModifierCodes", f"=Codes!$H${first}:$H${first + len(mod_rows) - 1}")
        self.wb.define_name("DenialCodeList", f"=Codes!$P${first}:$P${first + len(den_rows) - 1}")
        apply_xlsxwriter_setup(ws, landscape=True, repeat_header=False, narrow=True, footer_title="Codes")
        ws.repeat_rows(top)

    # Claims ----------------------------------------------------------------
    def write_claims(self) -> None:
        ws = self.claims
        cols = claim_columns()
        rows = S.claim_lines() if self.sample else []
        last = self.table(ws, CLAIMS_TABLE, cols, rows, convert=_as_typed)
        idx = {c.header: j for j, c in enumerate(cols)}
        letter = {h: xl_col_to_name(j) for h, j in idx.items()}
        end = max(last, FORMATTED_ROWS)

        def dv(header: str, options: dict) -> None:
            j = idx[header]
            ws.data_validation(1, j, end, j, options)

        t = tables()
        dv("CPT", {"validate": "list", "source": "=CPTCodes", "error_type": "warning", "ignore_blank": True,
                   "input_title": "Procedure code", "input_message": "Pick a code or type one (CPT or HCPCS, "
                   "e.g. 90834, H2019). Labels and time bands are on the Codes sheet.",
                   "error_title": "Code not in our table", "error_message": "claimcheck does not know this code. "
                   "Keep it if it is right; Validate Claims will check it."})
        dv("POS", {"validate": "list", "source": "=POSCodes", "error_type": "warning",
                   "input_title": "Place of service", "input_message": "Two digits: 11 office, 02 telehealth "
                   "(not at home), 10 telehealth in the patient's home, 12 home.",
                   "error_title": "Unknown place of service", "error_message": "Not a place-of-service code we know. Keep it anyway?"})
        dv("Status", {"validate": "list", "source": STATUSES, "error_type": "stop",
                      "input_title": "Claim status", "input_message": "Draft, Ready, Submitted, Paid, Denied or Appealed.",
                      "error_title": "Status", "error_message": "Use one of: " + ", ".join(STATUSES) + "."})
        dv("Payer", {"validate": "list", "source": "=PayerNames", "error_type": "warning",
                     "input_title": "Payer", "input_message": "As named on the Payers sheet, so its filing and "
                     "appeal days and telehealth modifier apply.",
                     "error_title": "Payer not on the Payers sheet", "error_message": "This payer is not on the Payers "
                     "sheet; default rules will apply. Keep it anyway?"})
        dv("Auth Number", {"validate": "list", "source": "=AuthNumbers", "error_type": "warning",
                           "input_title": "Authorization", "input_message": "The prior authorization this visit "
                           "uses, from the Authorizations sheet. Blank if none.",
                           "error_title": "Unknown authorization", "error_message": "This number is not on the "
                           "Authorizations sheet. Keep it anyway?"})
        dv("Rendering NPI", {"validate": "list", "source": "=ProviderNPIs", "error_type": "information",
                             "input_title": "Rendering NPI", "input_message": "Pick the provider by name (the list "
                             "shows each NPI with its provider from the Providers sheet) or type the 10-digit NPI.",
                             "error_title": "Provider not listed", "error_message": "This NPI is not on the Providers sheet."})
        dv("Billing NPI", {"validate": "length", "criteria": "==", "value": 10, "error_type": "warning",
                           "input_title": "Billing (group) NPI", "input_message": "10 digits; blank when the rendering provider bills.",
                           "error_title": "NPI", "error_message": "An NPI has 10 digits."})
        bands = [p for p in t.procedures.values() if p.kind == "psychotherapy" and p.min_minutes is not None]
        band_text = ", ".join(f"{p.code} {p.min_minutes}-{p.max_minutes}" if p.max_minutes else f"{p.code} {p.min_minutes}+"
                              for p in sorted(bands, key=lambda p: p.min_minutes))
        dv("Minutes", {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1440,
                       "error_type": "warning", "input_title": "Face-to-face minutes",
                       "input_message": ("Type the number of minutes, e.g. 45. Timed codes need them: "
                                         f"{band_text}; crisis 90839 30-74.")[:255],
                       "error_title": "Minutes", "error_message": "Minutes is a number from 0 to 1440."})
        dv("Modifiers", {"validate": "any", "input_title": "Modifiers (up to 4)",
                         "input_message": "Separate with commas, e.g. 95, HO. Telehealth: 95 video, 93 audio only, "
                         "GT where the payer asks (see Payers). List on the Codes sheet."})
        dv("Dx Codes", {"validate": "any", "input_title": "Diagnosis codes (ICD-10-CM)",
                        "input_message": "Primary first, separated by commas, up to 12, e.g. F41.1, Z63.0. "
                        "Use the full billable code (F43.10, not F43.1); the dot is optional."})
        dv("Units", {"validate": "integer", "criteria": "between", "minimum": 1, "maximum": 999, "error_type": "warning",
                     "input_title": "Units", "input_message": "Blank means 1. Per-unit codes (e.g. H2019, 15 minutes "
                     "a unit) need the unit count.", "error_title": "Units", "error_message": "Units is a whole number, 1 or more."})
        for h in ("Charge", "Paid Amount"):
            dv(h, {"validate": "decimal", "criteria": ">=", "value": 0, "error_type": "warning",
                   "error_title": h, "error_message": f"{h} is an amount of 0 or more."})
        for h in ("Client DOB", "DOS", "Submitted On", "Denial Date"):
            dv(h, {"validate": "date", "criteria": "between", "minimum": dt.date(1900, 1, 1),
                   "maximum": dt.date(2199, 12, 31), "error_type": "warning", "error_title": h,
                   "error_message": "Type a date, e.g. 03/15/2026."})
        dv("Denial Codes", {"validate": "any", "input_title": "Denial codes", "input_message":
                            "From the remittance, e.g. CO-50 or CO-16, N290. Meanings are on the Codes sheet."})

        # Conditional formats: cell-level first (they win over the row fills below).
        L = letter
        full = f"A2:{L['Visit']}{end + 1}"
        r2 = "2"

        def cf(rng: str, formula: str, fmt: str, stop: bool = False) -> None:
            ws.conditional_format(rng, {"type": "formula", "criteria": formula, "format": self.f[fmt],
                                        "stop_if_true": stop})

        check = f"${L['Check']}{r2}"
        status = f"${L['Status']}{r2}"
        cf(f"{L['Check']}2:{L['Check']}{end + 1}", f'={check}="OK"', "cf-ok")
        cf(f"{L['Check']}2:{L['Check']}{end + 1}", f'={check}="{HINT}"', "cf-hint")
        left = f"${L['Auth Left']}{r2}"
        cf(f"{L['Session #']}2:{L['Auth Left']}{end + 1}", f'=AND(ISNUMBER({left}),{left}<0)', "cf-over")
        cf(f"{L['Session #']}2:{L['Auth Left']}{end + 1}", f'=AND(ISNUMBER({left}),{left}<=1)', "cf-near")
        cf(f"{L['Authorized']}2:{L['Authorized']}{end + 1}", f'=${L["Authorized"]}{r2}="not found"', "cf-near")
        file_by = f"${L['File By']}{r2}"
        unsent = f'OR({status}="",{status}="Draft",{status}="Ready")'
        cf(f"{L['File By']}2:{L['File By']}{end + 1}", f"=AND(ISNUMBER({file_by}),{unsent},{file_by}<AsOf)", "cf-past")
        cf(f"{L['File By']}2:{L['File By']}{end + 1}",
           f"=AND(ISNUMBER({file_by}),{unsent},{file_by}-AsOf<={DEADLINE_WINDOW})", "cf-near")
        cf(f"{L['File By']}2:{L['File By']}{end + 1}", f"=AND(ISNUMBER({file_by}),NOT({unsent}))", "cf-muted")
        appeal = f"${L['Appeal Days Left']}{r2}"
        cf(f"{L['Appeal Days Left']}2:{L['Appeal Days Left']}{end + 1}",
           f'=AND(ISNUMBER({appeal}),{status}="Denied",{appeal}<0)', "cf-past")
        cf(f"{L['Appeal Days Left']}2:{L['Appeal Days Left']}{end + 1}",
           f'=AND(ISNUMBER({appeal}),{status}="Denied",{appeal}<={DEADLINE_WINDOW})', "cf-near")
        # Row fills: denied rows, then flagged rows (Check shows findings).
        cf(full, f'={status}="Denied"', "cf-denied", stop=False)
        cf(full, f'=AND({check}<>"",{check}<>"OK",{check}<>"{HINT}")', "cf-flagged")

        ws.set_zoom(90)
        # Print the working columns (through Appeal Days Left; Visit is a hidden helper) landscape,
        # on as few pages across as keeps them readable, Claim ID and Client ID on every page.
        # (XlsxWriter stores a width w as w + 5/7 characters of padding, as Excel does: count that.)
        printed = [c.width + 5 / 7 if c.width else 8.43 for c in cols[: idx["Appeal Days Left"] + 1]]
        across = pages_wide(printed, printed[:2])
        apply_xlsxwriter_setup(ws, landscape=True, narrow=True, footer_title="Claims", pages_wide=across)
        if across > 1:
            ws.repeat_columns(0, 1)
        ws.print_area(0, 0, max(last, 1), idx["Appeal Days Left"])
        self.claim_letters = letter

    # Authorizations, Payers, Providers -------------------------------------
    def write_authorizations(self) -> None:
        ws = self.auths
        cols = auth_columns()
        last = self.table(ws, AUTH_TABLE, cols, S.AUTHORIZATIONS if self.sample else [], convert=_as_typed)
        idx = {c.header: j for j, c in enumerate(cols)}
        end = max(last, 1000)
        ws.data_validation(1, idx["Payer"], end, idx["Payer"], {
            "validate": "list", "source": "=PayerNames", "error_type": "warning",
            "error_title": "Payer not on the Payers sheet", "error_message": "Keep it anyway?"})
        ws.data_validation(1, idx["Unit Type"], end, idx["Unit Type"], {
            "validate": "list", "source": ["Visits", "Units"], "error_type": "stop",
            "input_title": "Unit type", "input_message": "Visits (one per date of service) or Units (the Units column). Blank means Visits."})
        ws.data_validation(1, idx["Authorized"], end, idx["Authorized"], {
            "validate": "integer", "criteria": ">=", "value": 0, "error_type": "warning",
            "input_title": "Authorized", "input_message": "How many visits or units the payer approved."})
        ws.data_validation(1, idx["Codes Covered"], end, idx["Codes Covered"], {
            "validate": "any", "input_title": "Codes covered", "input_message": "Comma list, e.g. 90834, 90837. Blank means all codes."})
        ws.data_validation(1, idx["Rendering NPI"], end, idx["Rendering NPI"], {
            "validate": "list", "source": "=ProviderNPIs", "error_type": "information",
            "input_title": "Rendering NPI", "input_message": "Blank means any provider."})
        L = {c.header: xl_col_to_name(j) for j, c in enumerate(cols)}
        rng = f"{L['Used']}2:{L['Left']}{end + 1}"
        ws.conditional_format(rng, {"type": "formula", "criteria": f'=AND(ISNUMBER(${L["Left"]}2),${L["Left"]}2<0)',
                                    "format": self.f["cf-over"]})
        ws.conditional_format(rng, {"type": "formula", "criteria": f'=AND(ISNUMBER(${L["Left"]}2),${L["Left"]}2<=2)',
                                    "format": self.f["cf-near"]})
        ends = f"{L['Ends In Days']}2:{L['Ends In Days']}{end + 1}"
        ws.conditional_format(ends, {"type": "formula", "criteria": f'=AND(ISNUMBER(${L["Ends In Days"]}2),${L["Ends In Days"]}2<0)',
                                     "format": self.f["cf-muted"]})
        ws.conditional_format(ends, {"type": "formula",
                                     "criteria": f'=AND(ISNUMBER(${L["Ends In Days"]}2),${L["Ends In Days"]}2<={DEADLINE_WINDOW})',
                                     "format": self.f["cf-near"]})
        apply_xlsxwriter_setup(ws, landscape=True, footer_title="Authorizations")
        self.wb.define_name("AuthNumbers", "=OFFSET(Authorizations!$A$2,0,0,MAX(1,COUNTA(Authorizations!$A:$A)-1),1)")
        self.auth_last = last
        self.auth_letters = L

    def write_payers(self) -> None:
        ws = self.payers
        cols = _contract_cols(C.PAYERS, _PAYER_KINDS)
        last = self.table(ws, PAYERS_TABLE, cols, S.PAYERS if self.sample else [], convert=_as_typed)
        idx = {c.header: j for j, c in enumerate(cols)}
        end = max(last, 500)
        yn = {"validate": "list", "source": ["Y", "N"], "error_type": "stop"}
        ws.data_validation(1, idx["Auth Required"], end, idx["Auth Required"], {
            **yn, "input_title": "Authorization required", "input_message": "Y if this payer needs prior authorization for outpatient therapy."})
        ws.data_validation(1, idx["Eval Counts Toward Auth"], end, idx["Eval Counts Toward Auth"], {
            **yn, "input_title": "Eval counts toward auth", "input_message": "Y if 90791/90792 use one of the authorized visits."})
        ws.data_validation(1, idx["Telehealth Modifier"], end, idx["Telehealth Modifier"], {
            "validate": "list", "source": ["95", "GT", "93"], "error_type": "warning",
            "input_title": "Telehealth modifier", "input_message": "95, GT or 93 as the payer requires on video visits; blank for none."})
        ws.data_validation(1, idx["Payer Type"], end, idx["Payer Type"], {
            "validate": "list", "source": list(C.PAYER_TYPES), "error_type": "stop",
            "input_title": "Payer type", "input_message": "Medicare is Original Medicare (reopenings, redeterminations); "
                                                          "Medicare Advantage plans run their own appeals."})
        for h, default in (("Timely Filing Days", f"{_default_days('Timely Filing Days')}"),
                           ("Appeal Days", f"{_default_days('Appeal Days')} ({_default_days('Medicaid Appeal Days')} for a Medicaid or Medicaid MCO type)")):
            ws.data_validation(1, idx[h], end, idx[h], {
                "validate": "integer", "criteria": "between", "minimum": 1, "maximum": 3650, "error_type": "warning",
                "input_title": h, "input_message": f"Calendar days from the payer contract. Blank uses {default}."})
        ws.data_validation(1, idx["Auth Visits Per"], end, idx["Auth Visits Per"], {
            "validate": "list", "source": ["Service", "Date"], "error_type": "stop",
            "input_title": "Auth visits counted per", "input_message": "Service: each service line uses a visit (two services "
                                                                      "on one date are two). Date: one visit per date. Blank: Service."})
        ws.data_validation(1, idx["Visits Per Year"], end, idx["Visits Per Year"], {
            "validate": "integer", "criteria": "between", "minimum": 1, "maximum": 3650, "error_type": "warning",
            "input_title": "Visits per year", "input_message": "The plan's limit on visits per client per calendar year; "
                                                              "blank for none."})
        for h, what in (("Note Sign Days", "Days after the session within which the note must be signed (0: the same day)"),
                        ("Plan Review Days", "Days a treatment plan stays current for this payer")):
            default = tables().payer_defaults.get(h) or "no limit"
            ws.data_validation(1, idx[h], end, idx[h], {
                "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 3650, "error_type": "warning",
                "input_title": h, "input_message": f"{what}. Blank uses {default}."})
        apply_xlsxwriter_setup(ws, landscape=True, footer_title="Payers")
        self.wb.define_name("PayerNames", "=OFFSET(Payers!$A$2,0,0,MAX(1,COUNTA(Payers!$A:$A)-1),1)")

    def write_providers(self) -> None:
        ws = self.providers
        cols = _contract_cols(C.PROVIDERS, _PROVIDER_KINDS)
        last = self.table(ws, PROVIDERS_TABLE, cols, S.PROVIDERS if self.sample else [], convert=_as_typed)
        end = max(last, 500)
        ws.data_validation(1, 0, end, 0, {"validate": "length", "criteria": "==", "value": 10, "error_type": "warning",
                                          "input_title": "NPI", "input_message": "The provider's 10-digit NPI.",
                                          "error_title": "NPI", "error_message": "An NPI has 10 digits."})
        ws.data_validation(1, 2, end, 2, {"validate": "list", "source": ["LCSW", "LPC", "LMFT", "LMHC", "LCPC", "PhD", "PsyD",
                                                                      "MD", "DO", "NP", "PMHNP", "PA"],
                                          "error_type": "information", "input_title": "Credential",
                                          "input_message": "The licence the provider bills under; some modifiers and codes depend on it."})
        # The Rendering NPI dropdowns list "NPI  Name (Credential)", so the biller picks the provider
        # by name; claimcheck reads the leading 10 digits as the NPI.
        pick = len(cols) + 1
        ws.write(0, pick, PROVIDER_PICK_HEADER, self.f["helper-h"])
        ws.set_column(pick, pick, 36)
        for i in range(1, end + 1):
            ws.write_formula(i, pick, f'=IF(A{i + 1}="","",A{i + 1}&"  "&B{i + 1}&IF(C{i + 1}="",""," ("&C{i + 1}&")"))',
                             self.f["helper"], "")
        idx = {c.header: j for j, c in enumerate(cols)}
        ws.data_validation(1, idx["Licence Type"], end, idx["Licence Type"], {
            "validate": "list", "source": ["Independent", "Associate", "Pre-licensed", "Provisional", "Intern"],
            "error_type": "information", "input_title": "Licence type",
            "input_message": "Independent, or the kind of supervised licence (Associate, Pre-licensed ...): a supervised "
                             "clinician needs a Supervising NPI."})
        ws.data_validation(1, idx["Licence Expiry"], end, idx["Licence Expiry"], {
            "validate": "date", "criteria": ">", "value": dt.datetime(1900, 1, 1), "error_type": "warning",
            "input_title": "Licence expiry", "input_message": "The date the licence expires; sessions after it are flagged."})
        ws.data_validation(1, idx["Supervising NPI"], end, idx["Supervising NPI"], {
            "validate": "list", "source": "=ProviderNPIs", "error_type": "information",
            "input_title": "Supervising NPI", "input_message": "For a supervised clinician: the supervisor's NPI "
                                                               "(the claim's supervising provider)."})
        apply_xlsxwriter_setup(ws, landscape=False, footer_title="Providers")
        ws.print_area(0, 0, max(last, 1), len(cols) - 1)
        pick_col = xl_col_to_name(pick)
        self.wb.define_name("ProviderNPIs", f"=OFFSET(Providers!${pick_col}$2,0,0,MAX(1,COUNTA(Providers!$A:$A)-1),1)")

    def write_enrollment(self) -> None:
        """Provider Enrollment: one row per provider and payer, with the enrollment's dates (PRV007, PRV008)."""
        ws = self.enrollment
        cols = _contract_cols(C.ENROLLMENT, _ENROLLMENT_KINDS)
        last = self.table(ws, ENROLLMENT_TABLE, cols, S.ENROLLMENT if self.sample else [], convert=_as_typed)
        idx = {c.header: j for j, c in enumerate(cols)}
        end = max(last, 500)
        ws.data_validation(1, idx["NPI"], end, idx["NPI"], {
            "validate": "list", "source": "=ProviderNPIs", "error_type": "warning",
            "input_title": "NPI", "input_message": "The rendering provider's NPI (from the Providers sheet)."})
        ws.data_validation(1, idx["Payer"], end, idx["Payer"], {
            "validate": "list", "source": "=PayerNames", "error_type": "warning",
            "error_title": "Payer not on the Payers sheet", "error_message": "Keep it anyway?"})
        ws.data_validation(1, idx["Termination Date"], end, idx["Termination Date"], {
            "validate": "any", "input_title": "Termination date", "input_message": "Blank while the enrollment is in force."})
        apply_xlsxwriter_setup(ws, landscape=False, footer_title="Provider Enrollment")

    def write_coverage(self) -> None:
        """Coverage: one row per client and insurance plan (ELIG rules)."""
        ws = self.coverage
        cols = _contract_cols(C.COVERAGE, _COVERAGE_KINDS)
        last = self.table(ws, COVERAGE_TABLE, cols, S.COVERAGE if self.sample else [], convert=_as_typed)
        idx = {c.header: j for j, c in enumerate(cols)}
        end = max(last, 1000)
        ws.data_validation(1, idx["Payer"], end, idx["Payer"], {
            "validate": "list", "source": "=PayerNames", "error_type": "warning",
            "error_title": "Payer not on the Payers sheet", "error_message": "Keep it anyway?"})
        ws.data_validation(1, idx["Plan Order"], end, idx["Plan Order"], {
            "validate": "list", "source": ["Primary", "Secondary", "Tertiary"], "error_type": "stop",
            "input_title": "Plan order", "input_message": "Which payer is billed first."})
        ws.data_validation(1, idx["Member ID"], end, idx["Member ID"], {
            "validate": "any", "input_title": "Member ID", "input_message": "As on the insurance card; for Original "
                                                                            "Medicare the 11-character MBI."})
        apply_xlsxwriter_setup(ws, landscape=False, footer_title="Coverage")

    def write_clients(self) -> None:
        """Clients: each client's current treatment plan date (DOC005)."""
        ws = self.clients
        cols = _contract_cols(C.CLIENTS, _CLIENT_KINDS)
        last = self.table(ws, CLIENTS_TABLE, cols, S.CLIENT_PLANS if self.sample else [], convert=_as_typed)
        end = max(last, 1000)
        ws.data_validation(1, 1, end, 1, {
            "validate": "date", "criteria": ">", "value": dt.datetime(1900, 1, 1), "error_type": "warning",
            "input_title": "Treatment plan date", "input_message": "The date the current treatment plan was signed; "
                                                                   "lines past the payer's Plan Review Days are flagged."})
        apply_xlsxwriter_setup(ws, landscape=False, footer_title="Clients")

    # Practice --------------------------------------------------------------
    def write_practice(self) -> None:
        """One label a row in column A, its value in column B: the letterhead and signature block
        of every appeal letter (``claimcheck appeals`` reads it; see the contract, Practice)."""
        ws = self.practice
        ws.set_column("A:A", 18)
        ws.set_column("B:B", 44)
        ws.set_column("C:C", 60)
        head = self.wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY})
        label = self.wb.add_format({"bold": True, "valign": "top"})
        hint = self.wb.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
        ws.write_row(0, 0, ["Field", "Value", "Used for"], head)
        values = dict(S.PRACTICE) if self.sample else {}
        uses = {
            "Practice Name": "Letterhead and the last line of the signature block.",
            "Street Address": "Letterhead.", "City State ZIP": "Letterhead.",
            "Phone": "Letterhead, and where the payer calls with questions.", "Fax": "Letterhead.", "Email": "Letterhead.",
            "Tax ID": "Letterhead (the payer matches the claim to the practice by it).",
            "Group NPI": "Letterhead and the Billing NPI field of each letter.",
            "Contact": "The person the payer should call about an appeal.", "Contact Title": "The contact's role.",
            "Signer": "Signs the letter: name and credential.", "Signer Title": "Under the signer's name.",
        }
        for r, name in enumerate(C.PRACTICE_LABELS, start=1):
            ws.write_string(r, 0, name, label)
            self.cell(ws, r, 1, values.get(name), self.f["text"])
            ws.write_string(r, 2, uses.get(name, ""), hint)
        ws.data_validation(1, 1, len(C.PRACTICE_LABELS), 1, {
            "validate": "any", "input_title": "Practice", "input_message":
            "Printed on every appeal letter. While blank, letters show [bracketed] placeholders."})
        ws.freeze_panes(1, 0)
        apply_xlsxwriter_setup(ws, landscape=False, footer_title="Practice")

    # Dashboard -------------------------------------------------------------
    def write_dashboard(self) -> None:
        ws = self.dashboard
        f = self.f
        CT = CLAIMS_TABLE
        ws.hide_gridlines(2)
        ws.set_column("A:A", 2)
        ws.set_column("B:I", 14.5)
        ws.set_column("J:J", 3)
        ws.set_column("K:K", 34)
        ws.set_column("L:M", 12)
        ws.set_column("N:N", 3)
        ws.set_column("O:O", 34)
        ws.set_column("P:Q", 10)
        ws.write("B1", "Billing dashboard", f["title"])
        ws.write("B2", "As of", f["bold"])
        if self.sample:
            ws.write_datetime("C2", dt.datetime.combine(S.AS_OF, dt.time()), f["asof"])
            note = "the sample's own date; type =TODAY() in C2 to use today's date."
        else:
            ws.write_formula("C2", "=TODAY()", f["asof"], "")
            note = "today; type a date in C2 to see the workbook as of that day."
        ws.write("D2", "As of " + note, f["subtitle"])
        ws.write("B3", "Counts and charts follow the Claims and Authorizations sheets as you type. "
                       "Deadlines count from the As of date.", f["subtitle"])
        self.wb.define_name("AsOf", "=Dashboard!$C$2")

        status = _ref(CT, "Status")
        claim_id = _ref(CT, "Claim ID")
        file_by, appeal_left = _ref(CT, "File By"), _ref(CT, "Appeal Days Left")
        window = f'"<="&(AsOf+{DEADLINE_WINDOW})'
        unsent = "+".join(f'COUNTIFS({status},"{s}",{file_by},">="&AsOf,{file_by},{window})' for s in ("Draft", "Ready"))
        unsent += f'+COUNTIFS({claim_id},"<>",{status},"",{file_by},">="&AsOf,{file_by},{window})'
        charge_ref = _ref(CT, "Charge")
        billed = "+".join(f'SUMIFS({charge_ref},{status},"{s}")' for s in SENT_STATUSES)
        # Denial codes as tokens: " CO 50 N290 " (codes typed CO-50, co50, CO 50 ...); a line
        # whose codes are only deductible, coinsurance or copay (PR-1/2/3) is not a denial.
        codes = _ref(CT, "Denial Codes")
        tokens = f'" "&TRIM({_code_tokens(codes)})&" "'
        owed = tokens
        for _ in range(2):  # twice: SUBSTITUTE skips a match that starts right after one it replaced
            for carc in PATIENT_SHARE_CARCS:
                owed = f'SUBSTITUTE({owed}," PR {carc} "," ")'
        only_patient_share = f'(LEN(TRIM({codes}))>0)*(LEN(TRIM({owed}))=0)'
        denied = f'=SUMPRODUCT(({status}="Denied")*(1-{only_patient_share}))'
        kpis = [
            ("Service lines", f"=COUNTA({claim_id})", "kpi"),
            ("Billed (sent)", "=" + billed, "kpi-money"),
            ("Paid", f"=SUM({_ref(CT, 'Paid Amount')})", "kpi-money"),
            ("Denied lines", denied, "kpi"),
            (f"Appeals due in {DEADLINE_WINDOW} days", f'=COUNTIFS({status},"Denied",{appeal_left},">=0",{appeal_left},"<={DEADLINE_WINDOW}")', "kpi"),
            (f"To file in {DEADLINE_WINDOW} days (not sent)", "=" + unsent, "kpi"),
            ("Sessions over authorization", f'=COUNTIFS({_ref(CT, "Auth Left")},"<0")', "kpi"),
            ("Lines flagged by Check", f'=COUNTIFS({_ref(CT, "Check")},"?*",{_ref(CT, "Check")},"<>OK",{_ref(CT, "Check")},"<>{HINT}")', "kpi"),
        ]
        ws.set_row(3, 30)
        ws.set_row(4, 30)
        for j, (label, formula, fmt) in enumerate(kpis):
            ws.write(3, 1 + j, label, f["kpi-label"])
            ws.write_formula(4, 1 + j, formula, f[fmt], "")

        # Helper tables (columns K..Q): the charts read these.
        ws.write("K1", "Chart data", f["h2"])
        ws.write("K2", "Formulas over the Claims and Authorizations tables; the charts read them.", f["subtitle"])
        # Claims by status
        r = 3
        ws.write_row(r, 10, ["Status", "Lines", "Charges"], f["helper-h"])
        status_rows = []
        for i, s in enumerate(STATUSES + ["No status"], start=r + 1):
            ws.write_string(i, 10, s, f["helper"])
            if s == "No status":
                ws.write_formula(i, 11, f'=COUNTIFS({claim_id},"<>",{status},"")', f["helper"], "")
                ws.write_formula(i, 12, f'=SUMIFS({_ref(CT, "Charge")},{claim_id},"<>",{status},"")', f["helper-money"], "")
            else:
                ws.write_formula(i, 11, f'=COUNTIFS({status},K{i + 1})', f["helper"], "")
                ws.write_formula(i, 12, f'=SUMIFS({_ref(CT, "Charge")},{status},K{i + 1})', f["helper-money"], "")
            status_rows.append(i)
        status_first, status_last = status_rows[0], status_rows[-1]

        # Accounts receivable by age: unpaid lines sent to the payer, dollars by days since Submitted On
        r = status_last + 2
        ws.write_row(r, 10, ["Unpaid by days since Submitted On", "Lines", "Dollars"], f["helper-h"])
        submitted, payer_ref = _ref(CT, "Submitted On"), _ref(CT, "Payer")
        age_rows = []

        def ar(crit: str, what: str) -> str:
            if what == "lines":
                return "+".join(f'COUNTIFS({crit},{status},"{s}")' for s in UNPAID_STATUSES)
            return "+".join(f'SUMIFS({charge_ref},{crit},{status},"{s}")' for s in UNPAID_STATUSES)

        def bucket(lo: int, hi: int | None) -> str:
            return f'{submitted},"<="&(AsOf-{lo})' + (f',{submitted},">="&(AsOf-{hi})' if hi is not None else "")

        for i, (label, lo, hi) in enumerate(AR_BUCKETS, start=r + 1):
            ws.write_string(i, 10, label, f["helper"])
            ws.write_formula(i, 11, "=" + ar(bucket(lo, hi), "lines"), f["helper"], "")
            ws.write_formula(i, 12, "=" + ar(bucket(lo, hi), "dollars"), f["helper-money"], "")
            age_rows.append(i)
        # Denials by reason: every common code counted, then the top 8 sorted for the chart.
        r = age_rows[-1] + 2
        ws.write_row(r, 10, ["Denial reason (all codes counted)", "Code", "Lines"], f["helper-h"])
        # Codes as typed (CO-50, co 50, CO50, 50; N290) become " CO 50 N290 ", so " 50 " finds
        # CARC 50 whatever its group code and separators.
        norm = f'" "&{_code_tokens(codes)}&" "'
        den_rows = []
        for i, (code, label) in enumerate(dashboard_denials(), start=r + 1):
            ws.write_string(i, 10, f"{code} - {label}", f["helper"])
            ws.write_string(i, 11, code, f["helper"])
            ws.write_formula(i, 12, f'=SUMPRODUCT(--ISNUMBER(SEARCH(" "&L{i + 1}&" ",{norm})))', f["helper"], "")
            den_rows.append(i)
        d_first, d_last = den_rows[0] + 1, den_rows[-1] + 1  # 1-based
        # tie-breaking key: count plus a small amount that prefers codes higher in the list
        key_col = "Q"
        ws.write(r, 16, "Sort key", f["helper-h"])
        for i in den_rows:
            ws.write_formula(i, 16, f"=M{i + 1}+({len(den_rows) + 1}-ROW()+{d_first - 1})/1000", f["helper"], "")
        ws.set_column("Q:Q", 8, None, {"hidden": True})
        ws.write_row(3, 14, ["Top denial reasons", "Lines"], f["helper-h"])
        top_rows = []
        keys = f"${key_col}${d_first}:${key_col}${d_last}"
        for k in range(1, 9):
            i = 3 + k
            match = f"MATCH(LARGE({keys},{k}),{keys},0)"
            ws.write_formula(i, 14, f'=IF(INDEX($M${d_first}:$M${d_last},{match})>0,INDEX($K${d_first}:$K${d_last},{match}),"")',
                             f["helper"], "")
            ws.write_formula(i, 15, f'=IF(O{i + 1}="",0,INDEX($M${d_first}:$M${d_last},{match}))', f["helper"], "")
            top_rows.append(i)
        ws.write(13, 14, "Lines denied (not deductible, coinsurance or copay alone)", f["helper"])
        ws.write_formula(13, 15, f'=SUMPRODUCT((LEN(TRIM({codes}))>0)*(1-{only_patient_share}))', f["helper"], "")

        # Charts (2 x 2) below the KPI tiles; each 420 px wide fits four 14.5-wide columns.
        grid = {"visible": True, "line": {"color": "#D9D9D9"}}
        hide_zero = {"value": True, "num_format": "#,##0;-#,##0;;", "font": {"size": 9}}

        def chart(kind: str, title: str):
            c = self.wb.add_chart({"type": kind})
            c.set_legend({"none": True})
            c.set_chartarea({"border": {"color": "#BFBFBF"}})
            c.set_title({"name": title, "name_font": {"size": 12, "color": NAVY}})
            c.set_size({"width": 420, "height": 300})
            return c

        dash = "Dashboard"
        den = chart("bar", "Denials by reason (lines)")
        den.add_series({"name": "Lines", "categories": [dash, top_rows[0], 14, top_rows[-1], 14],
                        "values": [dash, top_rows[0], 15, top_rows[-1], 15],
                        "fill": {"color": "#C00000"}, "data_labels": hide_zero, "gap": 50})
        # bar charts: y is the category axis; reversed so the biggest reason is on top, with the
        # value axis kept at the bottom.
        den.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"size": 8}})
        den.set_x_axis({"min": 0, "visible": False, "major_gridlines": {"visible": False}})

        auth = chart("bar", "Authorization use: used vs authorized")
        a_last = max(self.auth_last, 1)
        auth_cols = {h: j for j, h in enumerate([c.header for c in auth_columns()])}
        cats = ["Authorizations", 1, 0, a_last, 0]
        auth.add_series({"name": "Authorized", "categories": cats,
                         "values": ["Authorizations", 1, auth_cols["Authorized"], a_last, auth_cols["Authorized"]],
                         "fill": {"color": "#A9C4EB"}, "gap": 60, "data_labels": hide_zero})
        auth.add_series({"name": "Used", "categories": cats,
                         "values": ["Authorizations", 1, auth_cols["Used"], a_last, auth_cols["Used"]],
                         "fill": {"color": NAVY}, "data_labels": hide_zero})
        auth.set_legend({"position": "bottom"})
        auth.set_y_axis({"reverse": True, "crossing": "max", "num_font": {"size": 9}})
        auth.set_x_axis({"min": 0, "major_gridlines": grid, "num_font": {"size": 8}})

        st = chart("column", "Claims by status (lines)")
        st.add_series({"name": "Lines", "categories": [dash, status_first, 10, status_last, 10],
                       "values": [dash, status_first, 11, status_last, 11], "data_labels": hide_zero, "gap": 60,
                       "points": [{"fill": {"color": c}} for c in
                                  ("#A6A6A6", "#5B9BD5", "#2F5597", "#70AD47", "#C00000", "#ED7D31", "#D9D9D9")]})
        st.set_y_axis({"min": 0, "major_gridlines": grid, "num_font": {"size": 8}})
        st.set_x_axis({"num_font": {"size": 9}})

        age = chart("column", "Accounts receivable by age ($)")
        money_labels = {"value": True, "num_format": "$#,##0;-$#,##0;;", "font": {"size": 9}}
        age.add_series({"name": "Unpaid dollars", "categories": [dash, age_rows[0], 10, age_rows[-1], 10],
                        "values": [dash, age_rows[0], 12, age_rows[-1], 12], "data_labels": money_labels, "gap": 60,
                        "points": [{"fill": {"color": c}} for c in ("#70AD47", "#FFC000", "#ED7D31", "#C55A11", "#C00000")]})
        age.set_y_axis({"min": 0, "major_gridlines": grid, "num_font": {"size": 8}, "num_format": "$#,##0"})
        age.set_x_axis({"num_font": {"size": 9}})

        ws.insert_chart("B7", den, {"x_offset": 0, "y_offset": 6})
        ws.insert_chart("F7", auth, {"x_offset": 6, "y_offset": 6})
        ws.insert_chart("B23", st, {"x_offset": 0, "y_offset": 6})
        ws.insert_chart("F23", age, {"x_offset": 6, "y_offset": 6})
        # Accounts receivable by payer, below the charts: unpaid dollars by days since Submitted On
        # (the payer's name over B:C, the ages in D:H, the total in I).
        top = 39
        ws.set_h_pagebreaks([top])  # the charts on page 1, the table on page 2
        ws.write(top, 1, "Accounts receivable by payer", f["h2"])
        ws.write(top + 1, 1, "Unpaid lines sent to the payer (Status " + ", ".join(UNPAID_STATUSES[:-1]) + " or "
                 + UNPAID_STATUSES[-1] + "): their charges by days since Submitted On.", f["subtitle"])
        head = top + 2
        ws.merge_range(head, 1, head, 2, "Payer", f["helper-h"])
        ws.write_row(head, 3, [*(label for label, _, _ in AR_BUCKETS), "Total"], f["helper-h"])
        first = head + 1
        total_col = 3 + len(AR_BUCKETS)
        ages = f"D{{r}}:{xl_col_to_name(total_col - 1)}{{r}}"
        for k in range(AR_PAYER_ROWS):
            i = first + k
            name = f"$B{i + 1}"
            ws.merge_range(i, 1, i, 2, "", f["helper"])
            ws.write_formula(i, 1, f'=IFERROR(IF(INDEX(Payers!$A:$A,{k + 2})="","",INDEX(Payers!$A:$A,{k + 2})),"")',
                             f["helper"], "")
            for j, (_, lo, hi) in enumerate(AR_BUCKETS):
                ws.write_formula(i, 3 + j, f'=IF({name}="","",{ar(bucket(lo, hi) + f",{payer_ref},{name}", "dollars")})',
                                 f["helper-money"], "")
            ws.write_formula(i, total_col, f'=IF({name}="","",SUM({ages.format(r=i + 1)}))', f["helper-money"], "")
        other = first + AR_PAYER_ROWS
        total = other + 1
        ws.merge_range(other, 1, other, 2, "Payers not on the Payers sheet", f["helper"])
        ws.merge_range(total, 1, total, 2, "All payers", f["helper-h"])
        for j in range(len(AR_BUCKETS) + 1):
            c = xl_col_to_name(3 + j)
            ws.write_formula(other, 3 + j, f"={c}{total + 1}-SUM({c}{first + 1}:{c}{other})", f["helper-money"], "")
        for j, (_, lo, hi) in enumerate(AR_BUCKETS):
            ws.write_formula(total, 3 + j, "=" + ar(bucket(lo, hi), "dollars"), f["helper-money"], "")
        ws.write_formula(total, total_col, f"=SUM({ages.format(r=total + 1)})", f["helper-money"], "")
        self.ar_rows = (first, total)
        ws.print_area(0, 0, total, 8)
        apply_xlsxwriter_setup(ws, landscape=True, repeat_header=False, footer_title="Dashboard")

    # Rules -----------------------------------------------------------------
    def write_rules(self) -> None:
        from claimcheck.rules.registry import all_rules

        ws = self.rules
        rules = [r for r in all_rules() if r.status != "removed"]
        cols = [Col("Code", 9), Col("Severity", 9), Col("Title", 38), Col("Sheet / Column", 18),
                Col("Why payers care", 60), Col("How to fix", 55)]
        rows = [[r.code, r.severity, r.title, f"{r.sheet} / {r.column}", r.why, r.fix] for r in rules]
        spec = [{"header": c.header, "header_format": self.f["header"]} for c in cols]
        ws.add_table(0, 0, max(1, len(rows)), len(cols) - 1, {"name": "RulesTable", "columns": spec,
                                                               "style": "Table Style Light 9"})
        wrap = self.f["wrap"]
        for j, c in enumerate(cols):
            ws.set_column(j, j, c.width, wrap)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                ws.write_string(i, j, str(value), wrap)
        sev = {"error": ("cf-past", RED_FILL), "warning": ("cf-near", AMBER_FILL), "info": ("cf-muted", None)}
        for name, (fmt, _) in sev.items():
            ws.conditional_format(1, 1, len(rows), 1, {"type": "cell", "criteria": "==", "value": f'"{name}"',
                                                       "format": self.f[fmt]})
        ws.freeze_panes(1, 1)
        ws.set_row(0, 24)
        apply_xlsxwriter_setup(ws, landscape=True, footer_title="Rules")

    # Instructions ----------------------------------------------------------
    def write_instructions(self) -> None:
        ws = self.instructions
        f = self.f
        ws.hide_gridlines(2)
        ws.set_column("A:A", 2)
        ws.set_column("B:B", 24)
        ws.set_column("C:C", 92)
        r = 0
        ws.write(r, 1, "Billing workbook: how to use it", f["title"])
        r += 1
        ws.write(r, 1, "Claims, authorizations and appeals for a behavioral-health practice, checked by claimcheck.",
                 f["subtitle"])
        r += 2
        for heading, items in INSTRUCTIONS:
            ws.merge_range(r, 1, r, 2, heading, f["h2"])
            r += 1
            for label, text in items:
                ws.write_string(r, 1, label, f["bold-wrap"])
                ws.write_string(r, 2, text, f["wrap"])
                lines = max(1, -(-len(text) // 95)) + text.count("\n")
                ws.set_row(r, 15 * lines + 3)
                r += 1
            r += 1
        ws.write(r, 1, "Made by claimcheck new. The sheet names and column headers are what claimcheck reads; "
                       "add your own columns to the right if you like, but keep these names.", f["subtitle"])
        apply_xlsxwriter_setup(ws, landscape=False, repeat_header=False, footer_title="Instructions")

    def close(self) -> None:
        self.wb.close()


INSTRUCTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Start here", [
        ("1. Payers", "List each insurance you bill on the Payers sheet: its timely-filing days, appeal days, the "
                      "telehealth modifier it wants (95, GT, 93 or none) and whether it needs prior authorization. "
                      "A payer you leave out gets 90 days to file and 120 days to appeal."),
        ("2. Providers", "Add each clinician's 10-digit NPI, name and credential (LCSW, LPC, PsyD, MD ...)."),
        ("3. Authorizations", "Enter each prior authorization: number, client, payer, start and end dates, how many "
                              "visits or units it allows. The Used and Left columns count the Claims sheet for you."),
        ("4. Claims", "One row per service line (a session with an add-on code such as 90785 is two rows with the "
                      "same Claim ID). Type in the blue-header columns; the green-header columns calculate."),
        ("5. Check", "Click Validate Claims (claimcheck add-in), or run  claimcheck check this-file.xlsx  at a "
                     "command prompt, before you submit. Fix what it finds, set Status to Ready, then Submitted."),
    ]),
    ("The sheets", [
        ("Claims", "Your service lines, as an Excel table: new rows you type below it join the table and get the "
                   "formulas and dropdowns automatically."),
        ("Authorizations", "Prior authorizations, with Used (visits, one per date, or units), Left and Ends In Days."),
        ("Payers", "Each payer's rules. The Claims formulas and the checks read them."),
        ("Providers", "Rendering providers, with licence type, licence expiry and supervisor. The Rendering NPI "
                      "dropdown on Claims lists them."),
        ("Provider Enrollment", "Which payer each provider is enrolled (credentialed) with, from and to which dates: "
                                "lines outside an enrollment are flagged (PRV007, PRV008). Optional."),
        ("Coverage", "Each client's insurance plans: payer, member ID, dates, primary or secondary, copay. Lines "
                     "outside the coverage or to another payer are flagged (ELIG rules). Optional."),
        ("Clients", "Each client's current Treatment Plan Date: sessions past the payer's Plan Review Days are "
                    "flagged (DOC005). Optional."),
        ("Dashboard", "Counts and charts: billed (lines sent), denials by reason (deductible, coinsurance and copay "
                      "are the client's share, not denials), authorization use, claims by status, and accounts "
                      "receivable in dollars by days since Submitted On, in total and by payer. The As of date (C2) "
                      "is today unless you type another date; the deadlines count from it."),
        ("Codes", "Procedure codes with our plain labels and time bands, modifiers, places of service and denial "
                  "codes. The CPT and POS dropdowns read this sheet."),
        ("Rules", "Every check claimcheck runs: its code (such as CPT002), severity, why payers care and how to fix it."),
    ]),
    ("Claims columns", [
        ("Who", "Claim ID, Client ID, Client Name, Client DOB, Member ID, Payer, Rendering NPI, Billing NPI. "
                "Client names and birth dates stay in this workbook: claimcheck never prints them."),
        ("What", "DOS (date of service), Minutes (face-to-face), CPT, Modifiers (up to 4, comma-separated), Units "
                 "(blank means 1), Dx Codes (ICD-10-CM, primary first), POS (two digits: 11 office, 02 or 10 "
                 "telehealth), Charge."),
        ("Tracking", "Auth Number, Status (Draft, Ready, Submitted, Paid, Denied, Appealed), Submitted On, Paid "
                     "Amount, Denial Codes (as on the remittance: CO-50, CO-16, N290), Denial Date."),
        ("Documentation", "Note Signed (the date the clinician signed the session note: a Ready or Submitted line "
                          "needs it), Start Time and Stop Time (as in the note: they must agree with Minutes). "
                          "Leave them out of your own sheet if you do not track them."),
        ("Calculated", "Check: OK or what is wrong with the line (needs the add-in; without it the cell says so). "
                       "Session #: which visit under the authorization this is (one per date). Authorized and Auth "
                       "Left: the authorization's count and what is left through this date; below 0 means over. "
                       "File By: the timely-filing deadline (DOS + the payer's days). Appeal Days Left: days to "
                       "appeal a denial (Denial Date + the payer's appeal days - the As of date)."),
        ("Colours", "Red row: denied. Yellow row: Check found a problem. Red Session #/Auth Left: over the "
                    "authorization; yellow: the last visit. Yellow File By or Appeal Days Left: due within 14 days; "
                    "red: passed. Grey File By: already submitted."),
    ]),
    ("Buttons", [
        ("Validate Claims", "Checks every line (codes against minutes, add-ons, modifiers for the payer, diagnoses, "
                            "NPIs, duplicates, authorizations, deadlines), fills Check, colours the rows and writes a "
                            "Findings sheet with one row per problem."),
        ("Flag Authorizations", "Marks sessions over their authorized count or outside the authorization's dates, and "
                                "shows each authorization's used and remaining."),
        ("Generate Appeals", "Writes a letter-size appeal sheet for each selected denied row (or all of them) with the "
                             "payer's appeal address, the claim details, the denial reason in plain words, the "
                             "deadline and what to enclose, plus an Appeals Log."),
        ("New Claims Workbook", "Starts a fresh copy of this template."),
        ("Where they are", "On the Billing tab of the ribbon when the claimcheck add-in (xlwings) is installed, or in "
                           "the macro-enabled .xlsm template. Without Excel add-ins, the same work runs at a command "
                           "prompt:  claimcheck check FILE --output CHECKED.xlsx   and   claimcheck appeals FILE "
                           "--output APPEALS.xlsx"),
    ]),
    ("Tips", [
        ("Codes as text", "CPT, POS, NPI and ID columns are text, so 02 stays 02 and leading zeros are kept. A "
                          "dropdown warns about a code it does not know but lets you keep it."),
        ("Adding rows", "Type in the first empty row under a table (or press Tab in its last cell): the table grows "
                        "and the formulas follow. Do not leave blank rows inside the table."),
        ("Printing", "Claims prints landscape, two pages across at a readable size, with the header and Claim ID "
                     "on every page. Appeal sheets print "
                     "on letter paper, one page."),
    ]),
]


def _as_typed(col: Col, value: Any) -> Any:
    """A sample value as a biller's typing into this template stores it: codes and IDs in text
    columns become text (90834 -> "90834"), US text dates in date columns become dates."""
    if value is None:
        return None
    if col.kind == "text" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if col.kind == "date" and isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", value)
        if m:
            try:
                return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
            except ValueError:
                return value
    return value


def build_workbook(output: Path | str, sample: bool = False) -> Path:
    """Write the billing workbook template to ``output`` (.xlsx, or .xlsm: the same content plus
    the VBA project, sheet buttons and Billing ribbon of :mod:`workbook_templates.xlsm`), filled
    with the bundled sample data when ``sample``.  Raises UnusableInput for an output it cannot write."""
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        raise UnusableInput(f"{output}: the workbook name must end in .xlsx (or .xlsm for buttons and a Billing ribbon tab)")
    if not output.parent.exists():
        raise UnusableInput(f"{output.parent}: no such folder")
    with replacing(output, prefix=".claimcheck-new-") as tmp:
        builder = _Builder(tmp, sample)
        builder.build()
        if suffix == ".xlsm":
            from . import xlsm

            xlsm.add_macros(builder.wb, builder.claims, len(claim_columns()))
        builder.close()
        if suffix == ".xlsm":
            xlsm.add_ribbon(tmp)
    return output
