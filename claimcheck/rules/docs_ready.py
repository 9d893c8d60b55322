"""DOC: documentation readiness - whether the record supports the line before it is billed.

Payers pay what the record supports: an audit takes back a session whose note was never signed,
was signed long after the visit, or whose times do not bear out the minutes billed, and many
plans want a current treatment plan behind ongoing therapy.  These checks read the optional
Claims columns Note Signed, Start Time and Stop Time, the optional Clients sheet (Treatment Plan
Date) and the payer's Note Sign Days and Plan Review Days (Payers sheet, else
payer_defaults.csv).  Where a column or the sheet is missing, its checks do not run (and no
REQ004 is raised: the columns are optional).

Sources: CMS Program Integrity Manual, Pub. 100-08 ch. 3 sec. 3.3.2.4 (signature requirements:
services must be supported by records authenticated by their author) and sec. 3.3.2.5
(amendments and delayed entries); CMS Medicare Claims Processing Manual, Pub. 100-04 ch. 12
sec. 30.6 and the CPT time rules (a timed code is supported by the documented time).
"""

from __future__ import annotations

from ..values import brief

from .examples import Example
from .lines import run_line_rule
from .registry import line_rule, rule

#: The statuses of a line on its way to the payer: its note must be signed before it goes.
READY_STATUSES = frozenset({"Ready", "Submitted"})
#: Statuses of lines not yet sent or adjudicated (blank too), whose treatment plan can still be
#: brought up to date before billing.
TO_BILL_STATUSES = frozenset({"", "Draft", "Ready", "Submitted"})

SIGNATURE_SOURCE = ("CMS Program Integrity Manual, Pub. 100-08 ch. 3 sec. 3.3.2.4 (records must be signed by the "
                    "clinician who gave the service) and 3.3.2.5 (late entries)")


def _hhmm(minutes: float) -> str:
    whole = int(round(minutes))
    hour, minute = divmod(whole % 1440, 60)
    return f"{(hour % 12) or 12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def _minutes(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


@line_rule(
    "DOC001", title="Session note not signed", severity="error", column="Note Signed",
    reads=("status_key", "note_signed", "note_signed__bad"),
    only_with_columns=("note_signed",),
    why="A service is billable only when its record is complete and signed by the clinician who gave it; a claim "
        "sent for an unsigned note is taken back in an audit, and many payers deny the records request outright "
        "(" + SIGNATURE_SOURCE + ").",
    fix="Have the clinician sign the note, enter the date in Note Signed, then send the claim; set Status back to "
        "Draft until then.",
    bad=[{"Status": "Ready", "Note Signed": None}],
    good=[{"Status": "Ready", "Note Signed": "2026-06-01"}],
)
def note_unsigned(line, env):
    """Flags a line whose Status is Ready or Submitted and whose Note Signed cell is empty (when
    the Claims sheet has a Note Signed column)."""
    if "note_signed" not in env.present or line.status_key not in READY_STATUSES:
        return None
    if line.note_signed is None and not line.note_signed__bad:
        return f"the session note is not signed (Status {brief(line.status_key)}); sign it before the claim goes out"


@line_rule(
    "DOC002", title="Session note signed late", severity="error", column="Note Signed",
    reads=("status_key", "note_signed", "dos", "payer"),
    only_with_columns=("note_signed",),
    why="Payers want the note signed when the service is given or soon after; a note signed after the payer's limit "
        "is a late entry an auditor may not accept as the record of the session, so the payment is taken back "
        "(" + SIGNATURE_SOURCE + "). A signature dated before the session cannot be right.",
    fix="Check the signature date; if it is right, keep the payer's late-entry rules (a dated addendum stating why) "
        "and set the payer's real limit in Note Sign Days on the Payers sheet.",
    bad=[{"DOS": "2026-05-01", "Status": "Submitted", "Note Signed": "2026-06-05"}],
    good=[{"DOS": "2026-05-01", "Status": "Submitted", "Note Signed": "2026-05-02"}],
)
def note_signed_late(line, env):
    """Flags a Ready or Submitted line whose Note Signed date is after the DOS plus the payer's
    Note Sign Days (Payers sheet; else payer_defaults.csv, 30 days), or before the DOS."""
    if line.status_key not in READY_STATUSES or line.note_signed is None or line.dos is None:
        return None
    if line.note_signed < line.dos:
        return (f"the note is signed {line.note_signed.isoformat()}, before the session on {line.dos.isoformat()}; "
                "correct the date")
    limit = env.payer(line.payer).note_sign_days
    late = (line.note_signed - line.dos).days
    if limit is not None and late > limit:
        return (f"the note was signed {late} days after the session ({line.note_signed.isoformat()}); "
                f"{brief(line.payer) if line.payer else 'the payer'} allows {limit}")


def _timed(line, env) -> bool:
    proc = env.tables.procedures.get(line.cpt) if isinstance(line.cpt, str) else None
    return proc is not None and not proc.addon and (proc.min_minutes is not None or proc.unit_minutes is not None)


_TIMES = ("cpt", "minutes", "start_time", "stop_time")


@line_rule(
    "DOC003", title="Minutes more than the session's start and stop times", severity="error", column="Minutes",
    reads=_TIMES,
    only_with_columns=("start_time", "stop_time"),
    why="A timed code is paid on the documented minutes; when the note's start and stop times span less time than "
        "the Minutes billed, the record does not support the code and an audit takes the difference back (CPT time "
        "rules; CMS Pub. 100-04 ch. 12 sec. 30.6). A stop time before the start time cannot be right.",
    fix="Correct the times or the minutes from the note, and bill the code the documented minutes support.",
    bad=[{"Minutes": 45, "Start Time": "2:00 PM", "Stop Time": "2:40 PM"}],
    good=[{"Minutes": 45, "Start Time": "2:00 PM", "Stop Time": "2:45 PM"}],
)
def minutes_over_times(line, env):
    """Flags a timed code (a time band or per-unit minutes in the procedure table; add-ons such
    as 90840 are left out) whose Start Time to Stop Time spans fewer minutes than Minutes, or
    whose Stop Time is before its Start Time."""
    if line.start_time is None or line.stop_time is None or not _timed(line, env):
        return None
    if line.stop_time < line.start_time:
        return (f"Stop Time {_hhmm(line.stop_time)} is before Start Time {_hhmm(line.start_time)}; "
                "correct the times from the note")
    span = line.stop_time - line.start_time
    if line.minutes is not None and line.minutes >= span + 1:
        return (f"{_minutes(line.minutes)} minutes billed, but the note's times ({_hhmm(line.start_time)} to "
                f"{_hhmm(line.stop_time)}) span {_minutes(span)}; correct the minutes or the times")


@line_rule(
    "DOC004", title="Start and stop times longer than the minutes billed", severity="warning", column="Minutes",
    reads=_TIMES,
    only_with_columns=("start_time", "stop_time"),
    why="When the times in the note span more than the Minutes on the line, one of them is wrong: either the "
        "session is under-billed (a longer code fits) or the note's times overstate it, which an auditor reads "
        "against the claim (CPT time rules).",
    fix="Make the minutes and the times agree with the note: record the face-to-face minutes, and bill the code "
        "they support.",
    bad=[{"Minutes": 45, "Start Time": 0.5833333333333334, "Stop Time": "15:00"}],
    good=[{"Minutes": 45, "Start Time": 0.5833333333333334, "Stop Time": "14:45"}],
)
def times_over_minutes(line, env):
    """Flags a timed code whose Start Time to Stop Time spans more minutes than Minutes (by one
    minute or more)."""
    if line.start_time is None or line.stop_time is None or line.minutes is None or not _timed(line, env):
        return None
    span = line.stop_time - line.start_time
    if line.stop_time >= line.start_time and span >= line.minutes + 1:
        return (f"the note's times ({_hhmm(line.start_time)} to {_hhmm(line.stop_time)}) span {_minutes(span)} "
                f"minutes, but {_minutes(line.minutes)} are billed; make them agree")


_CLIENTS = {"Clients": ({"Client ID": "CL-1", "Treatment Plan Date": "2026-01-15"},)}
_CLIENTS_CURRENT = {"Clients": ({"Client ID": "CL-1", "Treatment Plan Date": "2026-04-15"},)}


@rule(
    "DOC005", title="Treatment plan older than the payer's review period", severity="warning", column="DOS",
    needs=("client_id", "dos"), row_level=False,
    why="Ongoing therapy is medically necessary under a current treatment plan; many Medicaid programs and plans "
        "want it reviewed at least every 90 days, and sessions past an expired plan are denied or taken back when "
        "the records are requested (payer policy: set Plan Review Days per payer).",
    fix="Review and sign an updated treatment plan with the client, then enter its date in Treatment Plan Date on "
        "the Clients sheet.",
    bad=Example(lines=({},), sheets=_CLIENTS),
    good=Example(lines=({},), sheets=_CLIENTS_CURRENT),
)
def treatment_plan_old(ctx):
    """Flags a line not yet billed or adjudicated (Status blank, Draft, Ready or Submitted),
    other than a diagnostic evaluation (90791/90792, which comes before a plan), whose client's
    Treatment Plan Date (Clients sheet) is more than the payer's Plan Review Days (Payers sheet;
    else payer_defaults.csv, 90) before the DOS, or whose client's row has no plan date."""
    clients = ctx.book.clients
    if not clients:
        return None

    def check(line, env):
        if line.dos is None or line.status_key not in TO_BILL_STATUSES:
            return None
        client = clients.get((line.client_id or "").strip().upper()) if isinstance(line.client_id, str) else None
        proc = env.tables.procedures.get(line.cpt) if isinstance(line.cpt, str) else None
        if client is None or (proc is not None and proc.kind == "eval"):
            return None
        if client.treatment_plan_date is None:
            return f"client {brief(line.client_id)} has no Treatment Plan Date on the Clients sheet; enter the current plan's date"
        days = env.payer(line.payer).plan_review_days
        age = (line.dos - client.treatment_plan_date).days
        if days is None or age <= days:
            return None
        return (f"the treatment plan of {client.treatment_plan_date.isoformat()} is {age} days old on "
                f"{line.dos.isoformat()}; {brief(line.payer) if line.payer else 'the payer'} wants it reviewed every {days} days")

    return run_line_rule(ctx, check, ("client_id", "dos", "status_key", "cpt", "payer"), "DOS")
