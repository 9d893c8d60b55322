"""The template's Dashboard sheet: the As of cell, counts, money and deadlines as formulas over
the Claims and Authorizations tables, native charts fed by formula helper tables, and the
accounts-receivable ageing by payer.  ``b`` is the template's builder (:mod:`.build`)."""

from __future__ import annotations

import datetime as dt

from xlsxwriter.utility import xl_col_to_name

from . import sample_data as S
from .print_setup import apply_xlsxwriter_setup
from .specs import (AR_BUCKETS, AR_PAYER_ROWS, CLAIMS_TABLE, DEADLINE_WINDOW, HINT, NAVY, PATIENT_SHARE_CARCS,
                    SENT_STATUSES, STATUSES, UNPAID_STATUSES, auth_columns, code_tokens, column_ref,
                    dashboard_denials)


def write_dashboard(b) -> None:
    ws = b.dashboard
    f = b.f
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
    if b.sample:
        ws.write_datetime("C2", dt.datetime.combine(S.AS_OF, dt.time()), f["asof"])
        note = "the sample's own date; type =TODAY() in C2 to use today's date."
    else:
        ws.write_formula("C2", "=TODAY()", f["asof"], "")
        note = "today; type a date in C2 to see the workbook as of that day."
    ws.write("D2", "As of " + note, f["subtitle"])
    ws.write("B3", "Counts and charts follow the Claims and Authorizations sheets as you type. "
                   "Deadlines count from the As of date.", f["subtitle"])
    b.wb.define_name("AsOf", "=Dashboard!$C$2")

    status = column_ref(CT, "Status")
    claim_id = column_ref(CT, "Claim ID")
    file_by, appeal_left = column_ref(CT, "File By"), column_ref(CT, "Appeal Days Left")
    window = f'"<="&(AsOf+{DEADLINE_WINDOW})'
    unsent = "+".join(f'COUNTIFS({status},"{s}",{file_by},">="&AsOf,{file_by},{window})' for s in ("Draft", "Ready"))
    unsent += f'+COUNTIFS({claim_id},"<>",{status},"",{file_by},">="&AsOf,{file_by},{window})'
    charge_ref = column_ref(CT, "Charge")
    billed = "+".join(f'SUMIFS({charge_ref},{status},"{s}")' for s in SENT_STATUSES)
    # Denial codes as tokens: " CO 50 N290 " (codes typed CO-50, co50, CO 50 ...); a line
    # whose codes are only deductible, coinsurance or copay (PR-1/2/3) is not a denial.
    codes = column_ref(CT, "Denial Codes")
    tokens = f'" "&TRIM({code_tokens(codes)})&" "'
    owed = tokens
    for _ in range(2):  # twice: SUBSTITUTE skips a match that starts right after one it replaced
        for carc in PATIENT_SHARE_CARCS:
            owed = f'SUBSTITUTE({owed}," PR {carc} "," ")'
    only_patient_share = f'(LEN(TRIM({codes}))>0)*(LEN(TRIM({owed}))=0)'
    denied = f'=SUMPRODUCT(({status}="Denied")*(1-{only_patient_share}))'
    kpis = [
        ("Service lines", f"=COUNTA({claim_id})", "kpi"),
        ("Billed (sent)", "=" + billed, "kpi-money"),
        ("Paid", f"=SUM({column_ref(CT, 'Paid Amount')})", "kpi-money"),
        ("Denied lines", denied, "kpi"),
        (f"Appeals due in {DEADLINE_WINDOW} days", f'=COUNTIFS({status},"Denied",{appeal_left},">=0",{appeal_left},"<={DEADLINE_WINDOW}")', "kpi"),
        (f"To file in {DEADLINE_WINDOW} days (not sent)", "=" + unsent, "kpi"),
        ("Sessions over authorization", f'=COUNTIFS({column_ref(CT, "Auth Left")},"<0")', "kpi"),
        ("Lines flagged by Check", f'=COUNTIFS({column_ref(CT, "Check")},"?*",{column_ref(CT, "Check")},"<>OK",{column_ref(CT, "Check")},"<>{HINT}")', "kpi"),
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
            ws.write_formula(i, 12, f'=SUMIFS({column_ref(CT, "Charge")},{claim_id},"<>",{status},"")', f["helper-money"], "")
        else:
            ws.write_formula(i, 11, f'=COUNTIFS({status},K{i + 1})', f["helper"], "")
            ws.write_formula(i, 12, f'=SUMIFS({column_ref(CT, "Charge")},{status},K{i + 1})', f["helper-money"], "")
        status_rows.append(i)
    status_first, status_last = status_rows[0], status_rows[-1]

    # Accounts receivable by age: unpaid lines sent to the payer, dollars by days since Submitted On
    r = status_last + 2
    ws.write_row(r, 10, ["Unpaid by days since Submitted On", "Lines", "Dollars"], f["helper-h"])
    submitted, payer_ref = column_ref(CT, "Submitted On"), column_ref(CT, "Payer")
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
    norm = f'" "&{code_tokens(codes)}&" "'
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
        c = b.wb.add_chart({"type": kind})
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
    a_last = max(b.auth_last, 1)
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
    ws.print_area(0, 0, total, 8)
    apply_xlsxwriter_setup(ws, landscape=True, repeat_header=False, footer_title="Dashboard")
