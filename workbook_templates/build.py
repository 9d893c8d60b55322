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

Where each part is: :mod:`.specs` (table names, formats, colours, each sheet's columns and the
calculated columns' formulas), :mod:`.dashboard` (the Dashboard), :mod:`.reference_sheets`
(Codes, Rules, Instructions); this module writes the data sheets and the workbook.

The formulas use structured references (``ClaimsTable[[#This Row],[DOS]]``): Excel writes them
in files in that form, LibreOffice evaluates them, and a table's calculated column carries them
on to new rows.  The one date the workbook treats as today is the ``AsOf`` cell on the Dashboard
(``=TODAY()``, or a date the biller types; the sample uses its own as-of date, 06/30/2026).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from claimcheck import columns as C
from claimcheck.atomic import replacing
from claimcheck.printing import pages_wide
from claimcheck.reader import UnusableInput
from claimcheck.tables import tables

from . import sample_data as S
from .dashboard import write_dashboard
from .print_setup import apply_xlsxwriter_setup
from .reference_sheets import write_codes, write_instructions, write_rules
from .specs import (AMBER_FILL, AMBER_FONT, AUTH_TABLE, CALC_FILL, CALC_HEADER, CLAIMS_TABLE, CLIENT_KINDS,
                    CLIENTS_TABLE, COVERAGE_KINDS, COVERAGE_TABLE, DATE_FORMAT, DEADLINE_WINDOW,
                    ENROLLMENT_KINDS, ENROLLMENT_TABLE, FORMATTED_ROWS, GREEN_FILL, GREEN_FONT, GREY_FONT,
                    HINT, MONEY_FORMAT, NAVY, PAYER_KINDS, PAYER_PICK, PAYERS_TABLE, PROVIDER_KINDS, PROVIDER_PICK_HEADER,
                    PROVIDERS_TABLE, RED_FILL, RED_FONT, STATUSES, TABLE_STYLE, TEXT_FORMAT, auth_columns,
                    claim_columns, Col, contract_columns, default_days)

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
    def validate(ws, column: int, end: int, options: dict) -> None:
        """A data validation (dropdown, limits, input message) on ``column`` (0-based) from the
        first data row down to row ``end``."""
        ws.data_validation(1, column, end, column, options)

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

        write_codes(self)
        self.write_claims()
        self.write_authorizations()
        self.write_payers()
        self.write_providers()
        self.write_enrollment()
        self.write_coverage()
        self.write_clients()
        self.write_practice()
        write_dashboard(self)
        write_rules(self)
        write_instructions(self)
        (self.claims if self.sample else self.instructions).activate()

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
            self.validate(ws, idx[header], end, options)

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
        self.validate(ws, idx["Payer"], end, PAYER_PICK)
        self.validate(ws, idx["Unit Type"], end, {
            "validate": "list", "source": ["Visits", "Units"], "error_type": "stop",
            "input_title": "Unit type", "input_message": "Visits (one per date of service) or Units (the Units column). Blank means Visits."})
        self.validate(ws, idx["Authorized"], end, {
            "validate": "integer", "criteria": ">=", "value": 0, "error_type": "warning",
            "input_title": "Authorized", "input_message": "How many visits or units the payer approved."})
        self.validate(ws, idx["Codes Covered"], end, {
            "validate": "any", "input_title": "Codes covered", "input_message": "Comma list, e.g. 90834, 90837. Blank means all codes."})
        self.validate(ws, idx["Rendering NPI"], end, {
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
        cols = contract_columns(C.PAYERS, PAYER_KINDS)
        last = self.table(ws, PAYERS_TABLE, cols, S.PAYERS if self.sample else [], convert=_as_typed)
        idx = {c.header: j for j, c in enumerate(cols)}
        end = max(last, 500)
        yn = {"validate": "list", "source": ["Y", "N"], "error_type": "stop"}
        self.validate(ws, idx["Auth Required"], end, {
            **yn, "input_title": "Authorization required", "input_message": "Y if this payer needs prior authorization for outpatient therapy."})
        self.validate(ws, idx["Eval Counts Toward Auth"], end, {
            **yn, "input_title": "Eval counts toward auth", "input_message": "Y if 90791/90792 use one of the authorized visits."})
        self.validate(ws, idx["Telehealth Modifier"], end, {
            "validate": "list", "source": ["95", "GT", "93"], "error_type": "warning",
            "input_title": "Telehealth modifier", "input_message": "95, GT or 93 as the payer requires on video visits; blank for none."})
        self.validate(ws, idx["Payer Type"], end, {
            "validate": "list", "source": list(C.PAYER_TYPES), "error_type": "stop",
            "input_title": "Payer type", "input_message": "Medicare is Original Medicare (reopenings, redeterminations); "
                                                          "Medicare Advantage plans run their own appeals."})
        for h, default in (("Timely Filing Days", f"{default_days('Timely Filing Days')}"),
                           ("Appeal Days", f"{default_days('Appeal Days')} ({default_days('Medicaid Appeal Days')} for a Medicaid or Medicaid MCO type)")):
            self.validate(ws, idx[h], end, {
                "validate": "integer", "criteria": "between", "minimum": 1, "maximum": 3650, "error_type": "warning",
                "input_title": h, "input_message": f"Calendar days from the payer contract. Blank uses {default}."})
        self.validate(ws, idx["Auth Visits Per"], end, {
            "validate": "list", "source": ["Service", "Date"], "error_type": "stop",
            "input_title": "Auth visits counted per", "input_message": "Service: each service line uses a visit (two services "
                                                                      "on one date are two). Date: one visit per date. Blank: Service."})
        self.validate(ws, idx["Visits Per Year"], end, {
            "validate": "integer", "criteria": "between", "minimum": 1, "maximum": 3650, "error_type": "warning",
            "input_title": "Visits per year", "input_message": "The plan's limit on visits per client per calendar year; "
                                                              "blank for none."})
        for h, what in (("Note Sign Days", "Days after the session within which the note must be signed (0: the same day)"),
                        ("Plan Review Days", "Days a treatment plan stays current for this payer")):
            default = tables().payer_defaults.get(h) or "no limit"
            self.validate(ws, idx[h], end, {
                "validate": "integer", "criteria": "between", "minimum": 0, "maximum": 3650, "error_type": "warning",
                "input_title": h, "input_message": f"{what}. Blank uses {default}."})
        apply_xlsxwriter_setup(ws, landscape=True, footer_title="Payers")
        self.wb.define_name("PayerNames", "=OFFSET(Payers!$A$2,0,0,MAX(1,COUNTA(Payers!$A:$A)-1),1)")

    def write_providers(self) -> None:
        ws = self.providers
        cols = contract_columns(C.PROVIDERS, PROVIDER_KINDS)
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
        self.validate(ws, idx["Licence Type"], end, {
            "validate": "list", "source": ["Independent", "Associate", "Pre-licensed", "Provisional", "Intern"],
            "error_type": "information", "input_title": "Licence type",
            "input_message": "Independent, or the kind of supervised licence (Associate, Pre-licensed ...): a supervised "
                             "clinician needs a Supervising NPI."})
        self.validate(ws, idx["Licence Expiry"], end, {
            "validate": "date", "criteria": ">", "value": dt.datetime(1900, 1, 1), "error_type": "warning",
            "input_title": "Licence expiry", "input_message": "The date the licence expires; sessions after it are flagged."})
        self.validate(ws, idx["Supervising NPI"], end, {
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
        cols = contract_columns(C.ENROLLMENT, ENROLLMENT_KINDS)
        last = self.table(ws, ENROLLMENT_TABLE, cols, S.ENROLLMENT if self.sample else [], convert=_as_typed)
        idx = {c.header: j for j, c in enumerate(cols)}
        end = max(last, 500)
        self.validate(ws, idx["NPI"], end, {
            "validate": "list", "source": "=ProviderNPIs", "error_type": "warning",
            "input_title": "NPI", "input_message": "The rendering provider's NPI (from the Providers sheet)."})
        self.validate(ws, idx["Payer"], end, PAYER_PICK)
        self.validate(ws, idx["Termination Date"], end, {
            "validate": "any", "input_title": "Termination date", "input_message": "Blank while the enrollment is in force."})
        apply_xlsxwriter_setup(ws, landscape=False, footer_title="Provider Enrollment")

    def write_coverage(self) -> None:
        """Coverage: one row per client and insurance plan (ELIG rules)."""
        ws = self.coverage
        cols = contract_columns(C.COVERAGE, COVERAGE_KINDS)
        last = self.table(ws, COVERAGE_TABLE, cols, S.COVERAGE if self.sample else [], convert=_as_typed)
        idx = {c.header: j for j, c in enumerate(cols)}
        end = max(last, 1000)
        self.validate(ws, idx["Payer"], end, PAYER_PICK)
        self.validate(ws, idx["Plan Order"], end, {
            "validate": "list", "source": ["Primary", "Secondary", "Tertiary"], "error_type": "stop",
            "input_title": "Plan order", "input_message": "Which payer is billed first."})
        self.validate(ws, idx["Member ID"], end, {
            "validate": "any", "input_title": "Member ID", "input_message": "As on the insurance card; for Original "
                                                                            "Medicare the 11-character MBI."})
        apply_xlsxwriter_setup(ws, landscape=False, footer_title="Coverage")

    def write_clients(self) -> None:
        """Clients: each client's current treatment plan date (DOC005)."""
        ws = self.clients
        cols = contract_columns(C.CLIENTS, CLIENT_KINDS)
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

    def close(self) -> None:
        self.wb.close()



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
