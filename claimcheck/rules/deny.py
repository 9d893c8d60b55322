"""DENY: what to do about denied claims - appeal deadlines passed or near, a correction or another
payer instead of an appeal, patient responsibility, denials not worth appealing - and denied
lines missing the codes or date that decision needs.  The claim-level rules report the run's
``denial_decisions`` stage (:func:`claimcheck.denials.claim_decisions`), the same decisions the
appeal sheets are written from; codes are explained from the catalogue (``carc.csv``,
``rarc.csv``, ``group_codes.csv``)."""

from __future__ import annotations

from ..denials import (
    APPEAL,
    BILL_PATIENT,
    CHECK_FIRST,
    CORRECTED,
    NEAR_DAYS,
    NEW_CLAIM,
    OTHER_PAYER,
    WRITE_OFF,
    ClaimDecision,
    parse_code,
)
from ..values import brief_list
from .registry import line_rule, rule


def _decisions(ctx) -> list[ClaimDecision]:
    return ctx.denial_decisions


def _first(d: ClaimDecision):
    return d.indexes[0] if d.indexes else None


def _deadline_line(d: ClaimDecision) -> int | None:
    """The line a deadline finding sits on: the denied line with the earliest Denial Date."""
    return d.deadline_line if d.deadline_line is not None else _first(d)


def _assumed(payer) -> str:
    """Names the assumption when the appeal days are a default by Payer Type (blank Appeal Days)."""
    if payer.appeal_days_assumed:
        return f", assumed for a {payer.payer_type} payer because its Appeal Days is blank"
    return ""


@rule(
    "DENY001", title="Appeal deadline passed", severity="error", column="Denial Date", needs=("status",), row_level=False, uses=("denial_decisions",),
    why="After the payer's appeal window (denial date + the payer's Appeal Days) the denial is final and the money is lost.",
    fix="Appeal today only with a good-cause reason the payer accepts (Medicare allows good-cause extensions); otherwise write the line off.",
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-50', 'Denial Date': '2025-12-01'}],
    good=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-50', 'Denial Date': '2026-01-01'}],
)
def appeal_deadline_passed(ctx):
    """Flags a Denied claim that should be appealed (or corrected through an appeal) whose appeal
    deadline - the earliest Denial Date of its denied lines plus the payer's Appeal Days - is
    before the as-of date.  Lines with Status Appealed are not checked (the appeal was filed)."""
    out = []
    for d in _decisions(ctx):
        if d.decision == APPEAL and d.deadline_passed:
            payer = ctx.book.payer(d.payer)
            out.append((_deadline_line(d),
                        f"appeal deadline {d.appeal_deadline.isoformat()} (denial {d.denial_date.isoformat()} + {payer.appeal_days} days for "
                        f"{d.payer or 'this payer'}{_assumed(payer)}) passed {-d.days_left} days ago; {d.code_list}: appeal only with a good-cause reason, otherwise write off"))
    return out


@rule(
    "DENY002", title="Appeal deadline within 14 days", severity="warning", column="Denial Date", needs=("status",), row_level=False, uses=("denial_decisions",),
    why="An appeal that reaches the payer after its window is refused unread.",
    fix="Run `claimcheck appeals` (or Generate Appeals), enclose the evidence listed, and send before the deadline.",
    bad=[{'Payer': 'Gov Medicaid', 'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-50', 'Denial Date': '2026-05-10'}],
    good=[{'Payer': 'Gov Medicaid', 'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-50', 'Denial Date': '2026-05-16'}],
)
def appeal_deadline_near(ctx):
    """Flags a Denied claim to appeal whose appeal deadline is today or within 14 days."""
    out = []
    for d in _decisions(ctx):
        if d.decision == APPEAL and d.days_left is not None and 0 <= d.days_left <= NEAR_DAYS:
            when = "today" if d.days_left == 0 else f"in {d.days_left} days"
            out.append((_deadline_line(d),
                        f"appeal {d.code_list} by {d.appeal_deadline.isoformat()} ({when}; {ctx.book.payer(d.payer).appeal_days}-day "
                        f"appeal window for {d.payer or 'this payer'}{_assumed(ctx.book.payer(d.payer))}); generate the appeal sheet and send it"))
    return out


@rule(
    "DENY003", title="Correct and resubmit instead of appealing", severity="warning", column="Denial Codes", needs=("status",), row_level=False, uses=("denial_decisions",),
    why="A denial for missing or wrong claim data (CO-4, CO-5, CO-11, CO-16 with its remark code, N290, MA130) is not reversed by an appeal; "
        "the payer pays once the data is right, and an appeal only loses time against the filing limit.",
    fix="Fix the field named, then send a corrected claim (frequency code 7 with the payer's claim number) or, for MA130, a new claim. "
        "Original Medicare (Payer Type Medicare) takes no corrected claim: ask the contractor to reopen the claim (clerical error, "
        "within one year of the denial) or request a redetermination (CMS Pub. 100-04 ch. 34; 42 CFR 405.980).",
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-16, N290', 'Denial Date': '2026-06-20'}],
    good=[{'DOS': '2026-03-01', 'Status': 'Denied', 'Submitted On': '2026-03-03', 'Denial Codes': 'CO-4', 'Denial Date': '2026-06-20'}],
)
def correct_instead(ctx):
    """Flags a Denied claim whose denial codes call for a corrected (or new) claim while the
    filing window is open, naming what to fix from the catalogue and from claimcheck's own
    CPT/MOD/DX/POS/NPI findings on the line."""
    return [(_first(d), d.why) for d in _decisions(ctx) if d.decision in (CORRECTED, NEW_CLAIM)]


@line_rule(
    "DENY004", title="Denial code not in the catalogue", severity="warning", column="Denial Codes", needs=("status",),
    why="claimcheck cannot tell whether an unknown code means appeal, correct or bill the client, so the line gets no advice and no appeal sheet.",
    fix="Check the code on the remittance (typos such as C0-50 for CO-50 are common); look it up at x12.org/codes.",
    reads=("status_key", "denial_codes"),
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-999', 'Denial Date': '2026-06-20'}],
    good=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'co 50', 'Denial Date': '2026-06-20'}],
)
def unknown_code(line, env):
    """Flags a Denied line with a denial code that is not in carc.csv / rarc.csv / group_codes.csv."""
    if line.status_key != "Denied" or not line.denial_codes:
        return None
    unknown = [p.text.strip() for p in map(parse_code, line.denial_codes) if p.entry is None and p.kind != "group"]
    if unknown:
        return f"denial code {brief_list(unknown)} is not in claimcheck's catalogue; check it on the remittance"


@line_rule(
    "DENY005", title="Denied line without a Denial Date", severity="warning", column="Denial Date", needs=("status",),
    why="The appeal window runs from the denial date; without it claimcheck cannot warn before the window closes.",
    fix="Enter the date of the remittance or denial letter in Denial Date.",
    reads=("status_key", "denial_date__empty", "denial_date__bad"),
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-50'}],
    good=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-50', 'Denial Date': 'soon'}],
)
def no_denial_date(line, env):
    """Flags a line with Status Denied and no readable Denial Date (an unreadable one is already
    reported)."""
    if line.status_key == "Denied" and line.denial_date__empty and not line.denial_date__bad:
        return "Status is Denied but Denial Date is empty; enter the remittance date so the appeal deadline can be tracked"


@line_rule(
    "DENY006", title="Denied line without denial codes", severity="warning", column="Denial Codes", needs=("status",),
    why="Without the reason codes nobody can tell whether to appeal, correct the claim or bill the client.",
    fix="Copy the group and reason codes (e.g. CO-50, N115) from the remittance into Denial Codes.",
    reads=("status_key", "denial_codes__empty", "denial_codes__bad"),
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Date': '2026-06-20'}],
    good=[{'Status': 'Appealed', 'Submitted On': '2026-06-03', 'Denial Date': '2026-06-20'}],
)
def no_denial_codes(line, env):
    """Flags a line with Status Denied and an empty Denial Codes cell (or no such column)."""
    if line.status_key == "Denied" and line.denial_codes__empty and not line.denial_codes__bad:
        return "Status is Denied but Denial Codes is empty; enter the codes from the remittance (e.g. CO-50)"


@rule(
    "DENY007", title="Patient responsibility: bill the client", severity="info", column="Denial Codes", needs=("status",), row_level=False, uses=("denial_decisions",),
    why="A PR (patient responsibility) amount is owed by the client under the plan; appealing it to the payer does not change that.",
    fix="Bill the client (or the secondary insurance first); no appeal.",
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'PR-2', 'Denial Date': '2026-06-20'}],
    good=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'PR-1, CO-50', 'Denial Date': '2026-06-20'}],
)
def patient_responsibility(ctx):
    """Flags a Denied claim whose codes are all patient responsibility (group PR)."""
    return [(_first(d), d.why) for d in _decisions(ctx) if d.decision == BILL_PATIENT]


@rule(
    "DENY008", title="Another payer is responsible", severity="warning", column="Payer", needs=("status",), row_level=False, uses=("denial_decisions",),
    why="When another insurer is primary (CO-22, N479, MA04) or responsible (CO-109), this payer will not pay however the claim is argued.",
    fix="Update the client's coverage, bill the primary or correct payer, then send this payer the primary's remittance.",
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-109', 'Denial Date': '2026-06-20'}],
    good=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-22, CO-4', 'Denial Date': '2026-06-20'}],
)
def other_payer(ctx):
    """Flags a Denied claim whose codes say another payer must be billed first or instead."""
    return [(_first(d), d.why) for d in _decisions(ctx) if d.decision == OTHER_PAYER]


@rule(
    "DENY009", title="Denial not appealable: write off or check first", severity="info", column="Denial Codes", needs=("status",), row_level=False, uses=("denial_decisions",),
    why="Some adjustments are final (fee-schedule reductions, claims filed after the limit) or need a check before any action (duplicates).",
    fix="Follow the step the finding gives; do not resubmit a duplicate.",
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-45', 'Denial Date': '2026-06-20'}],
    good=[{'DOS': '2026-01-05', 'Status': 'Denied', 'Submitted On': '2026-03-01', 'Denial Codes': 'CO-29', 'Denial Date': '2026-06-20'}],
)
def not_appealable(ctx):
    """Flags a Denied claim whose decision is write off or check first (with codes recorded:
    a line without codes is DENY006)."""
    out = []
    for d in _decisions(ctx):
        if d.decision == WRITE_OFF or (d.decision == CHECK_FIRST and d.codes and not (d.unknown and len(d.unknown) == len(d.codes))):
            out.append((_first(d), d.why))
    return out


@rule(
    "DENY010", title="Claim to appeal or correct without the payer's claim number", severity="warning",
    column="Payer Claim Number", needs=("status", "payer_claim_number"), row_level=False, uses=("denial_decisions",),
    why="The payer finds the claim an appeal, a reopening or a corrected claim (frequency 7) refers to by its own claim "
        "number (ICN/DCN, 835 CLP07); a request without it is returned or matched to the wrong claim.",
    fix="Copy the payer's claim number from the remittance (ERA/EOB) into Payer Claim Number on the claim's lines.",
    bad=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-50', 'Denial Date': '2026-06-20'}],
    good=[{'Status': 'Denied', 'Submitted On': '2026-06-03', 'Denial Codes': 'CO-50', 'Denial Date': '2026-06-20',
           'Payer Claim Number': '2226170123456'}],
)
def payer_claim_number_missing(ctx):
    """Flags a Denied claim to appeal or correct (reopen) whose lines give no Payer Claim Number,
    when the workbook has that column.  Claims to bill elsewhere, write off or bill the patient
    need none."""
    numbers = ctx.book.claims["payer_claim_number"]
    given = {i for i, v in numbers.items() if v is not None and str(v).strip()}  # lines with a number
    out = []
    for d in _decisions(ctx):
        if d.decision not in (APPEAL, CORRECTED):
            continue
        if given.isdisjoint(d.indexes):
            verb = {APPEAL: "the appeal", CORRECTED: "the reopening" if d.payer_type == "Medicare" else "the corrected claim"}[d.decision]
            out.append((_first(d), f"no Payer Claim Number for claim {d.claim_id}: {verb} must quote the payer's claim "
                                   "number (ICN/DCN) from the remittance"))
    return out
