"""The template's reference sheets, written from claimcheck's own tables: Codes (procedure codes
with time bands, modifiers, places of service, denial codes), Rules (every rule of the registry)
and Instructions.  ``b`` is the template's builder (:mod:`.build`)."""

from __future__ import annotations

from claimcheck.tables import tables

from .print_setup import apply_xlsxwriter_setup
from .specs import (AMBER_FILL, RED_FILL, Col, denial_codes, sentence)


def write_codes(b) -> None:
    ws = b.codes
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
    den_rows = [[d.code, d.kind, ", ".join(d.usual_groups), sentence(d.meaning), sentence(d.action), d.appealable]
                for d in denials]

    blocks = [
        ("ProceduresTable", 0, [Col("Code", 8), Col("What it is", 46), Col("Kind", 15), Col("Add-on", 7),
                                Col("Time Band", 11), Col("Daily Max", 8, "int")], proc_rows),
        ("ModifiersTable", 7, [Col("Modifier", 9), Col("Meaning", 44), Col("Group", 12)], mod_rows),
        ("PlacesOfServiceTable", 11, [Col("POS", 6), Col("Place of Service", 36), Col("Telehealth", 10)], pos_rows),
        ("DenialCodesTable", 15, [Col("Denial Code", 9), Col("Kind", 7), Col("Usual Group", 8),
                                  Col("Meaning", 50), Col("What to Do", 22), Col("Appealable", 10)], den_rows),
    ]
    ws.write(0, 0, "Code tables", b.f["title"])
    ws.write(1, 0, "The codes claimcheck knows, with our labels and time bands. The Claims dropdowns read "
                   "these lists; a code not listed is allowed but will be checked.", b.f["subtitle"])
    top = 3
    for name, first_col, cols, rows in blocks:
        spec = [{"header": c.header, "header_format": b.f["header"], "format": b.f["text"]} for c in cols]
        ws.add_table(top, first_col, top + max(1, len(rows)), first_col + len(cols) - 1,
                     {"name": name, "columns": spec, "style": "Table Style Light 9"})
        for j, c in enumerate(cols):
            ws.set_column(first_col + j, first_col + j, c.width, b.f["wrap"] if c.width > 30 else None)
        for i, row in enumerate(rows, start=top + 1):
            for j, value in enumerate(row):
                b.cell(ws, i, first_col + j, value, b.f["int" if cols[j].kind == "int" else "text"])
    for gap in (6, 10, 14):
        ws.set_column(gap, gap, 2)
    ws.set_row(top, 30)
    ws.freeze_panes(top + 1, 0)
    first = top + 2  # 1-based first data row
    b.wb.define_name("CPTCodes", f"=Codes!$A${first}:$A${first + len(active) - 1}")
    b.wb.define_name("POSCodes", f"=Codes!$L${first}:$L${first + len(pos_rows) - 1}")
    b.wb.define_name("ModifierCodes", f"=Codes!$H${first}:$H${first + len(mod_rows) - 1}")
    b.wb.define_name("DenialCodeList", f"=Codes!$P${first}:$P${first + len(den_rows) - 1}")
    apply_xlsxwriter_setup(ws, landscape=True, repeat_header=False, narrow=True, footer_title="Codes")
    ws.repeat_rows(top)


def write_rules(b) -> None:
    from claimcheck.rules.registry import all_rules

    ws = b.rules
    rules = [r for r in all_rules() if r.status != "removed"]
    cols = [Col("Code", 9), Col("Severity", 9), Col("Title", 38), Col("Sheet / Column", 18),
            Col("Why payers care", 60), Col("How to fix", 55)]
    rows = [[r.code, r.severity, r.title, f"{r.sheet} / {r.column}", r.why, r.fix] for r in rules]
    spec = [{"header": c.header, "header_format": b.f["header"]} for c in cols]
    ws.add_table(0, 0, max(1, len(rows)), len(cols) - 1, {"name": "RulesTable", "columns": spec,
                                                           "style": "Table Style Light 9"})
    wrap = b.f["wrap"]
    for j, c in enumerate(cols):
        ws.set_column(j, j, c.width, wrap)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            ws.write_string(i, j, str(value), wrap)
    sev = {"error": ("cf-past", RED_FILL), "warning": ("cf-near", AMBER_FILL), "info": ("cf-muted", None)}
    for name, (fmt, _) in sev.items():
        ws.conditional_format(1, 1, len(rows), 1, {"type": "cell", "criteria": "==", "value": f'"{name}"',
                                                   "format": b.f[fmt]})
    ws.freeze_panes(1, 1)
    ws.set_row(0, 24)
    apply_xlsxwriter_setup(ws, landscape=True, footer_title="Rules")


def write_instructions(b) -> None:
    ws = b.instructions
    f = b.f
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
