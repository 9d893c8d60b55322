"""The readable version of :func:`claimcheck.denials.claim_decisions`: a plain loop over each
claim's lines, as the project had it before the decisions were grouped with numpy (commit
145bae4^, claimcheck/denials.py), adapted to today's fields (``deadline_line``, the ``fixes``
of one engine run, ``statuses``).  A property test (tests/test_denials_oracle.py) holds the
engine's decisions, field by field, and the DENY findings made from them to this one's.

Written for reading, not speed: every line is looked at once per claim, in sheet order.
"""

from __future__ import annotations

import datetime as dt

from claimcheck import denials as D
from claimcheck.deadlines import appeal_deadline, days_left, filing_deadline


def _earliest(values):
    dates = [d for d in (D.as_date(v) for v in values) if d is not None]
    return min(dates) if dates else None


def claim_decisions_loop(book, as_of, *, statuses=("Denied", "Appealed"), fixes=None) -> list[D.ClaimDecision]:
    """One decision per denied (or appealed) claim, in the order the claims first appear."""
    c = book.claims
    if c.empty or "status_key" not in c:
        return []

    def column(name):
        return c[name].tolist() if name in c.columns else [None] * len(c)

    # The lines of each claim, in sheet order; claims in order of first appearance.
    lines_of: dict[str, list[dict]] = {}
    for label, claim_id, status, codes, payer, denial, dos, submitted, row in zip(
            c.index.tolist(), column("claim_id"), column("status_key"), column("denial_codes"), column("payer"),
            column("denial_date"), column("dos"), column("submitted_on"), column("row")):
        if status not in statuses:
            continue
        key = "" if claim_id is None or claim_id != claim_id else str(claim_id)
        lines_of.setdefault(key, []).append({
            "label": label, "status": status, "codes": codes, "payer": payer, "denial_date": denial,
            "dos": dos, "submitted_on": submitted, "row": row})

    out: list[D.ClaimDecision] = []
    for claim_id, lines in lines_of.items():
        # The decision reads every line's codes; dates, payer and lines come from the Denied
        # lines (all of them when every line is Appealed).
        codes = [code for line in lines for code in (line["codes"] or ())]
        status = "Appealed" if all(line["status"] == "Appealed" for line in lines) else "Denied"
        kept = lines if status == "Appealed" else [line for line in lines if line["status"] == "Denied"]

        decision, parsed, unknown = D.decide(codes)
        payer_name = next((line["payer"] for line in kept if line["payer"]), "") or ""
        payer = book.payer(payer_name)
        denial_date = _earliest(line["denial_date"] for line in kept)
        first_dos = _earliest(line["dos"] for line in kept)
        first_submitted = _earliest(line["submitted_on"] for line in kept)
        # The line a deadline finding sits on: the first kept line with the earliest Denial Date.
        on_earliest = [line for line in kept if denial_date is not None and D.as_date(line["denial_date"]) == denial_date]
        deadline_line = (on_earliest or kept)[0]["label"]

        d = D.ClaimDecision(claim_id=claim_id, decision=decision, why="", codes=tuple(parsed), unknown=tuple(unknown),
                            arguments=tuple(D.appeal_arguments(parsed)), payer=payer_name, denial_date=denial_date,
                            indexes=tuple(line["label"] for line in kept), status=status, deadline_line=deadline_line)
        if denial_date is not None:
            d.appeal_deadline = appeal_deadline(denial_date, payer)
            d.days_left = days_left(d.appeal_deadline, as_of)
        if first_dos is not None:
            d.filing_deadline = filing_deadline(first_dos, payer)
            d.filing_days_left = days_left(d.filing_deadline, as_of)
        kind, guessed = D.payer_type(payer)
        d.payer_type = kind
        medicare = kind == D.MEDICARE
        notes: list[str] = []
        if not payer.on_sheet:
            notes.append(f"{payer_name or 'the payer'} is not on the Payers sheet, so the default {payer.appeal_days} appeal days apply")
        elif payer.appeal_days_assumed:
            notes.append(f"Appeal Days is blank for {payer_name} on the Payers sheet, so {payer.appeal_days} days are assumed "
                         f"for a {payer.payer_type} payer; enter the plan's own appeal window")
        if guessed and kind:
            notes.append(f"Payer Type is blank, so {payer_name} is taken for {'Original Medicare' if medicare else kind} "
                         "from its name; fill Payer Type on the Payers sheet")
        if unknown:
            notes.append(f"not in claimcheck's catalogue: {', '.join(unknown)}")
        unverified = [p.display for p in parsed if p.entry is not None and not p.entry.verified]
        if unverified:
            notes.append(f"meaning unverified for {', '.join(unverified)}: check the remittance")

        if status == "Appealed":
            d.decision = D.ALREADY_APPEALED
            d.why = "Status is Appealed: the appeal was filed; follow up with the payer if no decision within 60 days"
            d.notes = tuple(notes)
            out.append(d)
            continue

        # Refinements that need the workbook.
        carcs = [p for p in parsed if p.kind == "CARC" and p.entry is not None and p.group != "PR"]
        if medicare and decision == D.CORRECTED and denial_date is not None:
            d.reopen_deadline = denial_date + dt.timedelta(days=365)
        if decision == D.CORRECTED and not medicare and d.filing_days_left is not None and d.filing_days_left < 0:
            # A corrected claim would now be denied for timely filing: correct through the appeal.
            d.decision = decision = D.APPEAL
            if "coding" not in d.arguments:
                d.arguments = ("coding",) + d.arguments
            notes.append(f"the filing window closed {d.filing_deadline.isoformat()}, so the correction goes through the appeal")
        if any(p.code == "29" for p in carcs) and decision == D.APPEAL:
            tf = filing_deadline(first_dos, payer) if first_dos else None
            if first_submitted is not None and tf is not None and first_submitted > tf:
                if all(p.code == "29" for p in carcs):
                    d.decision = decision = D.WRITE_OFF
                    d.why = (f"CO-29: first submitted {first_submitted.isoformat()}, {(first_submitted - tf).days} days after the "
                             f"{payer.timely_filing_days}-day filing limit ({tf.isoformat()}); not appealable without proof of an "
                             "earlier submission - write off")
            elif first_submitted is None:
                notes.append("CO-29: enter the Submitted On date; the appeal needs proof of the first submission")

        if decision == D.APPEAL and not d.why:
            main = carcs[0] if carcs else None
            if main is not None and main.entry.appealable == "conditional" and main.code in ("97", "234"):
                notes.append("appeal only if the services were separate; otherwise the amount is a write-off")
            verify = [p.display for p in carcs if p.entry.action == "verify/other"]
            head = f"appeal {d.code_list}"
            if D.remark_led(parsed):  # CO-16 with a remark code that asks for something (M127: the record)
                asked = [f"{p.display}: {p.entry.evidence}" for p in parsed
                         if p.kind == "RARC" and p.entry is not None and p.entry.action == "appeal" and p.entry.evidence]
                if asked:
                    head += f" with what the remark code asks for ({'; '.join(asked)})"
            if verify:
                head += f" after checking ({', '.join(verify)}): {'; '.join(p.entry.evidence for p in carcs if p.entry.action == 'verify/other')}"
            if medicare and all(p.code == "29" for p in carcs):
                head = "ask the Medicare contractor to reopen the claim on proof of timely filing (CO-29 carries no redetermination rights)" + head[len(f"appeal {d.code_list}"):]
            elif medicare:
                head = "request a Medicare redetermination (form CMS-20027 or a letter with its fields) of" + head[len("appeal"):]
            elif kind == D.MEDICARE_ADVANTAGE:
                head = ("request the plan's reconsideration (Medicare Advantage, 42 CFR 422.582; not a Medicare contractor "
                        "redetermination) of" + head[len("appeal"):])
            d.why = head
        elif decision in (D.CORRECTED, D.NEW_CLAIM):
            d.fix = D.correction_fix(parsed)
            found = _fixes_on(fixes or {}, {int(line["row"]) for line in kept})
            if found:
                d.fix = (d.fix + "; " if d.fix else "") + "claimcheck also finds: " + "; ".join(found)
            if decision == D.NEW_CLAIM:
                head = "send a new claim, not an appeal (MA130: unprocessable, no appeal rights)"
            elif medicare:
                if d.reopen_deadline is None:
                    when = ", within one year of the initial determination (enter the Denial Date)"
                elif d.reopen_deadline >= as_of:
                    when = f", by {d.reopen_deadline.isoformat()} (one year from the initial determination)"
                else:
                    when = (f"; the one-year window closed {d.reopen_deadline.isoformat()}, so the request must show good "
                            "cause (within four years)")
                head = ("ask the Medicare contractor to reopen the claim to correct it (a clerical-error reopening by phone, "
                        f"portal or written request){when}; Medicare Part B takes no corrected (frequency 7) claim")
                if d.appeal_deadline is not None and d.days_left is not None and d.days_left >= 0:
                    head += f". If the contractor will not reopen it, request a redetermination by {d.appeal_deadline.isoformat()}"
            else:
                head = "send a corrected claim (frequency code 7 with the payer's claim number), not an appeal"
            if d.filing_deadline is not None and not (medicare and decision == D.CORRECTED):
                head += f", by {d.filing_deadline.isoformat()} (filing limit)"
            d.why = head + (f". {d.fix}" if d.fix else "")
        elif decision == D.OTHER_PAYER:
            evid = "; ".join(p.entry.evidence for p in parsed if p.entry is not None and p.entry.action == "send to another payer")
            d.why = f"send the claim to the responsible (primary) payer: {evid}" if evid else "send the claim to the responsible payer"
        elif decision == D.BILL_PATIENT:
            pr = [p for p in parsed if p.group == "PR" and p.entry is not None]
            what = "; ".join(f"{p.display} {p.entry.meaning}" for p in pr)
            d.why = f"patient responsibility ({what}): bill the client, or the secondary insurance first; no appeal"
        elif decision == D.WRITE_OFF and not d.why:
            d.why = "; ".join(f"{p.display}: {p.entry.meaning}" for p in carcs if p.entry.action == "write off") + ": write off (no appeal)"
        elif decision == D.CHECK_FIRST:
            if not parsed:
                d.why = "no Denial Codes recorded: enter the codes from the remittance (e.g. CO-50) to decide appeal or correction"
            elif unknown and not carcs:
                d.why = f"denial code {', '.join(unknown)} is not in claimcheck's catalogue: read the remittance and decide"
            else:
                items = [f"{p.display}: {p.entry.evidence or p.entry.meaning}" for p in parsed if p.entry is not None and p.kind != "group"]
                d.why = "check before doing anything: " + ("; ".join(items) if items else "read the remittance")
        d.notes = tuple(notes)
        out.append(d)
    return out


def _fixes_on(fixes: dict, rows: set[int]) -> list[str]:
    """The fix findings on these rows (``fixes`` is :func:`claimcheck.denials.fixes_by_row`), in
    the engine's order, each text once."""
    found = sorted(item for row in rows for item in fixes.get(row, ()))
    out: list[str] = []
    for _, text in found:
        if text not in out:
            out.append(text)
    return out
