"""The argument each denial reason calls for in an appeal letter (medical necessity,
authorization, timely filing, coding, bundling ...): paragraphs, the enclosures that support
them and the action requested, written from the facts of one denied claim (:class:`ClaimFacts`)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from .. import denials as D
from ..auth.match import match_authorizations
from ..auth.usage import line_use, used_as_of
from .formats import join_and, long_date, long_date_or


def provider_label(book, npi: str | None) -> str:
    if not npi:
        return ""
    p = book.providers.get(npi)
    if p is None or not p.name:
        return f"NPI {npi}"
    return f"{p.name}{', ' + p.credential if p.credential else ''}"


def first_value(frame: pd.DataFrame, col: str):
    for v in frame[col]:
        if v is not None and not (isinstance(v, float) and math.isnan(v)) and not (isinstance(v, pd.Timestamp) and pd.isna(v)) and v != "":
            return v
    return None


def code_label(book, code: str) -> str:
    try:
        return book.tables.label(code) if book.tables is not None else ""
    except Exception:
        return ""


def _dx_descriptions(codes: list[str], tables=None) -> list[str]:
    from .. import icd10

    code_sets = tables.diagnoses if tables is not None else icd10.SHIPPED
    out = []
    for code in codes:
        try:
            desc = code_sets.description(code)
        except Exception:
            desc = ""
        out.append(f"{code} ({desc})" if desc else code)
    return out


class ClaimFacts:
    """What the argument writers need about one claim."""

    def __init__(self, book, d: D.ClaimDecision, as_of: dt.date, matching=None):
        self.book, self.d, self.as_of, self.matching = book, d, as_of, matching
        c = book.claims
        ids = c["claim_id"].fillna("").astype(str)
        self.all_lines = c[ids == d.claim_id].sort_values("row")
        self.denied = c.loc[list(d.indexes)].sort_values("row")
        self.payer = book.payer(d.payer)
        self.payer_name = d.payer or "the payer"
        dx: list[str] = []
        for t in self.denied["dx"]:
            for code in t or ():
                if code not in dx:
                    dx.append(code)
        self.dx = dx
        self.dates = sorted({x for x in (D.as_date(v) for v in self.denied["dos"]) if x is not None})
        self.rendering = first_value(self.denied, "rendering_npi") or first_value(self.all_lines, "rendering_npi")
        self.billing = first_value(self.all_lines, "billing_npi")
        self.member_id = first_value(self.all_lines, "member_id")
        self.client_id = first_value(self.all_lines, "client_id")

    @property
    def dates_text(self) -> str:
        return join_and([long_date(x) for x in self.dates]) or "[date of service]"

    def lines(self):
        for _, r in self.denied.iterrows():
            yield r


def _minutes_sentence(ctx: ClaimFacts, r) -> str:
    code = r["cpt"] or "?"
    label = code_label(ctx.book, code)
    dos = D.as_date(r["dos"])
    text = f"{code}{' (' + label + ')' if label else ''} on {long_date(dos) if dos else '[date]'}"
    minutes = r["minutes"]
    proc = ctx.book.tables.procedures.get(code) if ctx.book.tables is not None else None
    if minutes is not None and not pd.isna(minutes):
        text += f": {minutes:g} minutes face-to-face"
        if proc is not None and proc.min_minutes is not None:
            band = f"{proc.min_minutes}-{proc.max_minutes}" if proc.max_minutes else f"{proc.min_minutes} or more"
            ok = minutes >= proc.min_minutes and (proc.max_minutes is None or minutes <= proc.max_minutes)
            text += f", {'within' if ok else 'outside'} the {band} minutes the code requires"
    elif proc is not None and proc.min_minutes is not None:
        text += ": [session minutes - enter them in the Minutes column]"
    return text


#: Payer types whose plans are subject to federal mental-health parity law (MHPAEA): commercial
#: group and individual coverage, and Medicaid managed care (42 CFR 438 subpart K).  Original
#: Medicare, Medicare Advantage and Tricare are not.
PARITY_TYPES = ("Commercial", "Medicaid MCO")


# Each argument writer returns (paragraphs, enclosures, action requested).

def _arg_medical_necessity(ctx: ClaimFacts):
    dx = _dx_descriptions(ctx.dx, ctx.book.tables)
    paras = [
        f"The {'session' if len(ctx.dates) == 1 else 'sessions'} on {ctx.dates_text} treated "
        f"{join_and(dx) if dx else '[diagnoses - enter them in Dx Codes]'}.",
        "Services billed: " + "; ".join(_minutes_sentence(ctx, r) for r in ctx.lines()) + ".",
        "Clinical picture at the time of service: [symptoms and their severity]; [standardized measures with dates "
        "and scores, for example PHQ-9 or GAD-7 at intake and now]; [functional impairment at work, school, home or in "
        "relationships].",
        "Treatment plan and progress: [the plan's measurable goals], [progress toward them so far] and [why continued "
        "treatment at this frequency is needed].",
        "The treatment was medically necessary and is the accepted standard of care for these diagnoses, as the enclosed "
        "records show session by session.",
        f"Please send us the medical-necessity criteria {ctx.payer_name} applied to this claim and the reviewer's "
        "rationale. Our clinician is available for a peer-to-peer review with your reviewer: [clinician's name and "
        "direct phone].",
    ]
    kind = D.payer_type(ctx.payer)[0]
    if kind in PARITY_TYPES:
        # MHPAEA: the criteria for mental-health medical-necessity determinations must be disclosed
        # on request and be no more stringent than for medical/surgical benefits.  Group and
        # individual plans: 29 CFR 2590.712 / 45 CFR 146.136 (d) disclosure; Medicaid MCOs:
        # 42 CFR 438 subpart K (438.910, 438.915).
        cite = "42 CFR 438.910 and 438.915" if kind == "Medicaid MCO" else "29 CFR 2590.712 and 45 CFR 146.136"
        paras.append("Under the Mental Health Parity and Addiction Equity Act (" + cite + "), the criteria for "
                     "mental-health medical-necessity decisions must be made available on request and may be no more "
                     "stringent than those applied to medical and surgical benefits; please confirm that the criteria "
                     "applied here meet that standard.")
    remarks = {p.code for p in ctx.d.codes if p.kind == "RARC"}
    if remarks & {"N115", "N386"}:
        which = "Local Coverage Determination" if "N115" in remarks else "National Coverage Determination"
        paras.append(f"The denial cites a Medicare {which}; the enclosed records are marked against each of its criteria.")
    encl = ["Progress note for each date of service, signed, with start and stop times",
            "Current treatment plan with measurable goals",
            "Diagnostic assessment supporting the diagnoses",
            "Symptom measures over time (for example PHQ-9 or GAD-7 scores)",
            f"{ctx.payer_name}'s medical-necessity criteria with each criterion met marked"]
    if remarks & {"N115", "N386"}:
        encl.append("Copy of the cited coverage determination with the criteria met marked")
    return paras, encl, "Reverse the medical-necessity denial and pay the claim at the contracted rate."


def _auth_candidates(ctx: ClaimFacts, r) -> list:
    num = (r["auth_number"] or "").strip().upper()
    auths = ctx.book.authorizations
    if num:
        found = [a for a in auths if a.auth_number.strip().upper() == num]
        if found:
            return found
    dos = D.as_date(r["dos"])
    return [a for a in auths
            if ctx.client_id and a.client_id == ctx.client_id
            and (not a.payer or a.payer.strip().upper() == ctx.payer_name.strip().upper())
            and dos is not None and a.start_date and a.end_date and a.start_date <= dos <= a.end_date]


def _arg_authorization(ctx: ClaimFacts):
    # The authorization a line uses and its visit or unit number are the ones the AUTH findings
    # give (the engine's matching), so a letter never counts otherwise than the check.
    auths = ctx.book.authorizations
    matching = ctx.matching if ctx.matching is not None else match_authorizations(ctx.book)
    uses = line_use(matching)
    paras, action = [], ""
    retro = False
    on_file = False
    for r in ctx.lines():
        dos = D.as_date(r["dos"])
        code = r["cpt"] or "?"
        use = uses.get(r.name)
        cands = [auths[use[0]]] if use is not None else _auth_candidates(ctx, r)
        if not cands:
            # Lead with why care could not wait and the request, never with a concession.
            retro = True
            paras.append(f"We request a retroactive authorization for {code} on {long_date(dos) if dos else '[date]'}. "
                         "Care could not wait for an authorization: [state why - for example urgent clinical need or risk "
                         "of harm, or coverage confirmed only after the visit].")
            continue
        a = cands[0]
        on_file = True
        if use is not None and use[1] == use[1]:
            used = use[1]
        else:  # a line the matching does not number: the authorization's use through its date
            used = used_as_of(matching, auths, dos or ctx.as_of)[auths.index(a)]
        unit = "visits" if a.unit_type == "Visits" else "units"
        codes = ", ".join(a.codes_covered) if a.codes_covered else "all codes"
        span = f"{long_date(a.start_date) if a.start_date else '?'} to {long_date(a.end_date) if a.end_date else '?'}"
        count = f"{a.authorized:g} {unit}" if a.authorized is not None else f"[authorized {unit}]"
        text = (f"Authorization {a.auth_number} was issued for this client: {span}, {count}, covering {codes}"
                f"{', rendering NPI ' + a.rendering_npi if a.rendering_npi else ''}.")
        inside = dos is not None and a.start_date and a.end_date and a.start_date <= dos <= a.end_date
        covered = not a.codes_covered or code in a.codes_covered
        within = a.authorized is None or used <= a.authorized
        if inside and covered and within:
            text += (f" The session on {long_date(dos)} ({code}) falls inside those dates and is "
                     f"{unit[:-1]} {used:g} of {a.authorized:g}" if a.authorized is not None else
                     f" The session on {long_date(dos)} ({code}) falls inside those dates")
            text += ", so it was authorized."
            if not (r["auth_number"] or "").strip():
                text += f" The authorization number was missing from the claim; it is {a.auth_number}."
        else:
            retro = True
            problems = []
            if not inside:
                problems.append(f"the session on {long_date(dos) if dos else '[date]'} falls outside its dates")
            if not covered:
                problems.append(f"{code} is not among the codes it lists")
            if not within:
                problems.append(f"the session is {unit[:-1]} {used:g} of {a.authorized:g} authorized")
            text += (f" However, {join_and(problems)}. We request a retroactive extension of authorization {a.auth_number} to "
                     "cover it: [state the clinical reason treatment continued, for example risk of relapse or a crisis].")
        paras.append(text)
    paras.append("The enclosed records show that each session was medically necessary"
                 + (f" for {join_and(_dx_descriptions(ctx.dx, ctx.book.tables))}." if ctx.dx else "."))
    encl = ["Authorization approval letter or portal record (number, dates, count, codes)",
            "Log of the visits or units used under the authorization",
            "Progress notes for the dates of service",
            "Current treatment plan"]
    if not on_file:
        encl = ["Progress notes for the dates of service", "Current treatment plan",
                "Documentation of why care could not wait for an authorization (if urgent)"]
    if retro:
        encl.insert(1, f"Retroactive authorization request on {ctx.payer_name}'s form, if it has one")
        action = "Grant the retroactive authorization (or extension) and pay the claim."
    else:
        action = "Apply the authorization on file and pay the claim."
    return paras, encl, action


def _arg_timely_filing(ctx: ClaimFacts):
    subs = [x for x in (D.as_date(v) for v in ctx.all_lines["submitted_on"]) if x is not None]
    first_sub = min(subs) if subs else None
    first_dos = ctx.dates[0] if ctx.dates else None
    deadline = ctx.d.filing_deadline
    days = ctx.payer.timely_filing_days
    if first_sub is not None and first_dos is not None:
        text = (f"We first submitted this claim on {long_date(first_sub)}, {(first_sub - first_dos).days} days after the "
                f"date of service and within {ctx.payer_name}'s {days}-day filing limit, which ran to {long_date(deadline)}.")
    else:
        text = (f"We first submitted this claim on [date of first submission], within {ctx.payer_name}'s {days}-day filing "
                f"limit{', which ran to ' + long_date(deadline) if deadline else ''}.")
    paras = [text, "The enclosed acceptance report from our clearinghouse shows the date the claim was received, so the "
                   "claim was filed on time and the timely-filing denial should be reversed."]
    if D.is_medicare(ctx.payer):
        paras.append("A timely-filing denial is not an initial determination with appeal rights, so we ask you to reopen "
                     "the claim on the proof of timely filing enclosed (Medicare Claims Processing Manual, ch. 34).")
    encl = ["Clearinghouse acceptance report (999/277CA) showing the submission date",
            "Any earlier rejection or acknowledgement letters from the payer"]
    return paras, encl, "Accept the claim as filed on time and process it for payment."


def _arg_coding(ctx: ClaimFacts):
    meanings = [f"{p.display} ({p.entry.meaning})" for p in ctx.d.codes
                if p.entry is not None and p.kind != "group" and p.entry.action == "corrected claim"]
    paras = [f"The claim was denied for {join_and(meanings) or 'a coding error'}."]
    for r in ctx.lines():
        mods = ", ".join(r["modifiers"] or ()) or "none"
        dx = ", ".join(r["dx"] or ()) or "none"
        paras.append(f"The line as corrected: {r['cpt'] or '?'} with modifiers {mods}, place of service {r['pos'] or '?'}, "
                     f"{r['units']:g} {'unit' if r['units'] == 1 else 'units'}, diagnoses {dx}.")
        tele = ctx.book.tables.telehealth_pos if ctx.book.tables is not None else frozenset()
        if r["pos"] in tele and ctx.payer.telehealth_modifier:
            paras.append(f"For telehealth {ctx.payer_name} asks for modifier {ctx.payer.telehealth_modifier}; the corrected "
                         f"line carries {mods}.")
    if ctx.d.fix:
        paras.append(f"What was corrected: {ctx.d.fix}.")
    if ctx.d.filing_deadline is not None and ctx.d.filing_days_left is not None and ctx.d.filing_days_left < 0:
        paras.append(f"The filing limit for a corrected claim ended {long_date(ctx.d.filing_deadline)}, so we ask you to "
                     "accept the correction through this appeal and reprocess the claim.")
    else:
        paras.append("Please reprocess the claim with the corrected values.")
    encl = ["Corrected claim (CMS-1500) with the changed fields marked",
            "Progress note supporting the corrected codes",
            f"{ctx.payer_name}'s policy on the modifier, place of service or diagnosis involved"]
    return paras, encl, "Reprocess the claim with the corrected coding and pay it."


def _arg_bundling(ctx: ClaimFacts):
    paras = []
    addons = ctx.book.tables.addons if ctx.book.tables is not None else {}
    c = ctx.book.claims
    for r in ctx.lines():
        code, dos = r["cpt"] or "?", D.as_date(r["dos"])
        same_day = ctx.all_lines[(ctx.all_lines["dos"] == r["dos"]) & (ctx.all_lines["cpt"] != code)]
        if ctx.client_id:
            same_day = pd.concat([same_day, c[(c["client_id"] == ctx.client_id) & (c["dos"] == r["dos"]) & (c["cpt"] != code)]])
        others = sorted({x for x in same_day["cpt"] if x})
        primaries = sorted(set(others) & set(addons.get(code, ())))
        label = code_label(ctx.book, code)
        if primaries:
            paras.append(f"{code}{' (' + label + ')' if label else ''} is an add-on code billed with its primary service "
                         f"{join_and(primaries)} on {long_date(dos) if dos else '[date]'}. An add-on is paid in addition to its "
                         "primary service when its own requirements are documented, as the enclosed note shows; it is not "
                         "included in the primary.")
        elif others:
            paras.append(f"{code}{' (' + label + ')' if label else ''} on {long_date(dos) if dos else '[date]'} was a separate "
                         f"service from {join_and(others)}: [describe the separate time and purpose]. The correct-coding edit for "
                         "this pair allows separate payment for a distinct service, shown with modifier 59 or XE/XS/XP/XU "
                         "where the payer requires it.")
        else:
            paras.append(f"{code} on {long_date(dos) if dos else '[date]'} was not part of any other service paid for that "
                         "date: [name the service the payer bundled it into and why it was separate].")
    encl = ["Progress notes documenting each service separately, with times",
            "The correct-coding (NCCI) or payer edit entry for the code pair, showing separate payment is allowed",
            "Copy of the remittance for the service it was bundled into"]
    return paras, encl, "Pay the bundled service separately."


def _arg_units(ctx: ClaimFacts):
    paras = []
    for r in ctx.lines():
        paras.append(f"{r['units']:g} {'unit' if r['units'] == 1 else 'units'} of {r['cpt'] or '?'} {'was' if r['units'] == 1 else 'were'} billed for {long_date_or(D.as_date(r['dos']))}"
                     + (f", supported by {r['minutes']:g} documented minutes" if pd.notna(r["minutes"]) else "")
                     + ".")
    paras.append("The enclosed timed notes support every unit billed, and the treatment plan explains why this amount of "
                 "service was needed.")
    encl = ["Timed progress notes (start and stop times) for each date", "Treatment plan explaining the frequency",
            "The payer's unit or frequency limit, with the reason for the exception"]
    return paras, encl, "Pay all units billed."


def _arg_eligibility(ctx: ClaimFacts):
    paras = [f"The client's coverage with {ctx.payer_name} (member ID {ctx.member_id or '[member ID]'}) was active on "
             f"{ctx.dates_text}: [date and result of the eligibility check].",
             "Please correct the member's eligibility record and process the claim."]
    encl = ["Eligibility response (271) or portal screen for the date of service", "Copy of the insurance card (front and back)"]
    return paras, encl, "Reprocess the claim under the member's active coverage."


def _arg_non_covered(ctx: ClaimFacts):
    paras = [f"Outpatient behavioral-health treatment is a benefit of the client's plan with {ctx.payer_name}: [cite the "
             "benefit from the plan summary]. The service billed falls within that benefit."]
    encl = ["Summary of benefits showing outpatient mental-health coverage", "Eligibility response for the date of service"]
    return paras, encl, "Reprocess the claim as a covered service."


def _arg_benefit_limit(ctx: ClaimFacts):
    year = ctx.dates[0].year if ctx.dates else ctx.as_of.year
    c = ctx.book.claims
    mask = (c["client_id"] == ctx.client_id) & (c["payer_key"] == (ctx.d.payer or "").strip().upper())
    mask &= c["dos"].dt.year == year
    count = int(c.loc[mask, "dos"].dropna().nunique()) if ctx.client_id else 0
    paras = [f"Our records show {count} dates of service for this client with {ctx.payer_name} in {year}"
             " (including this one); please confirm the count applied against the benefit limit.",
             "If the limit was reached, we request an exception: the enclosed treatment plan shows why continued "
             "treatment is necessary."]
    encl = ["List of visits billed this benefit period", "Treatment plan and recent progress notes"]
    return paras, encl, "Correct the visit count, or grant an exception, and pay the claim."


def _arg_provider(ctx: ClaimFacts):
    p = ctx.book.providers.get(ctx.rendering or "")
    who = provider_label(ctx.book, ctx.rendering) or "[rendering provider]"
    tax = f", taxonomy {p.taxonomy}" if p is not None and p.taxonomy else ""
    paras = [f"The service was rendered by {who} (NPI {ctx.rendering or '[NPI]'}{tax}), who is licensed to provide it and "
             f"credentialed with {ctx.payer_name} since [effective date]."]
    encl = ["Clinician's license", "Credentialing or enrollment approval letter with its effective date",
            "NPPES registry record showing the NPI and taxonomy"]
    return paras, encl, "Reprocess the claim under the credentialed rendering provider."


def _arg_network(ctx: ClaimFacts):
    paras = ["An in-network provider was not reasonably available to the client: [distance, waiting time, specialty "
             "needed, or continuity of care with the current clinician]. We request a network exception for this service."]
    encl = ["Documentation of the in-network search (providers contacted, wait times)", "Progress notes"]
    return paras, encl, "Grant a network exception and pay the claim at the in-network rate."


def _arg_records(ctx: ClaimFacts):
    paras = [f"The records {ctx.payer_name} asked for are enclosed, each page marked with claim {ctx.d.claim_id}."]
    encl = ["The records requested for each date of service"]
    return paras, encl, "Process the claim with the records enclosed."


def _arg_general(ctx: ClaimFacts):
    paras = ["We believe the denial is in error: [state the reason, with the page of the enclosed records that supports it]."]
    return paras, ["Progress notes for the dates of service"], "Reverse the denial and pay the claim."


ARGUMENTS = {
    "medical_necessity": ("Medical necessity", _arg_medical_necessity),
    "authorization": ("Authorization", _arg_authorization),
    "timely_filing": ("Timely filing", _arg_timely_filing),
    "coding": ("Coding correction", _arg_coding),
    "bundling": ("Separate service (bundling)", _arg_bundling),
    "units": ("Units and frequency", _arg_units),
    "eligibility": ("Coverage on the date of service", _arg_eligibility),
    "non_covered": ("Covered benefit", _arg_non_covered),
    "benefit_limit": ("Benefit limit", _arg_benefit_limit),
    "provider_eligibility": ("Rendering provider", _arg_provider),
    "network": ("Network exception", _arg_network),
    "records": ("Records enclosed", _arg_records),
}


def argument(reason: str):
    """(title, writer) of the argument for ``reason``; a reason without one gets the general
    argument (untitled)."""
    return ARGUMENTS.get(reason, ("", _arg_general))
