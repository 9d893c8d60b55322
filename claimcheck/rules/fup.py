"""FUP: follow-up on claims the payer has not answered - an appeal with no decision past the
time the payer has to decide, and a submitted claim with no remittance after the payer's
Follow-up Days.

What the payer owes and when (sources, in our own words):

* Original Medicare.  The contractor decides a redetermination within 60 days of receiving the
  request (42 CFR 405.950(a)); a party unhappy with it may ask a Qualified Independent Contractor
  (QIC) for a reconsideration within 180 days of receiving the redetermination notice
  (42 CFR 405.962(a)).  The QIC decides within 60 days (42 CFR 405.970(a)); when it does not,
  the appellant may ask it to send the appeal on to an administrative law judge
  (42 CFR 405.970(c)).
* Medicare Advantage.  The plan decides a payment reconsideration within 60 days
  (42 CFR 422.590(b)); a decision against the provider goes to the independent review entity
  by itself (42 CFR 422.592).
* Commercial plans under ERISA.  A post-service appeal is decided within 60 days, or 30 days a
  level when the plan has two levels (29 CFR 2560.503-1(i)(2)(iii)(B)); after the last internal
  level, external review where the plan is subject to it (29 CFR 2590.715-2719).
* Any other payer (Medicaid, Tricare, blank Payer Type): follow up 30 days after the appeal, a
  practice convention (``payer_defaults.csv`` ``Appeal Follow-up Days``).

The appeal's date is the Claims column ``Appealed On``; its level the optional ``Appeal Level``
(blank: the payer type's first level).  A later ``Remit Date`` (from a posted ERA) counts as the
payer's answer.
"""

from __future__ import annotations

from ..values import brief

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..denials import MEDICARE, MEDICARE_ADVANTAGE, payer_type
from .registry import rule

#: Days after the appeal to follow up with a payer whose rules claimcheck does not know.
DEFAULT_APPEAL_FOLLOW_UP_DAYS = 30


@dataclass(frozen=True)
class AppealLevel:
    """One level of appeal: what it is called, the days the payer has to decide, where its rule
    is, and what to do when no decision comes."""

    name: str
    days: int | None  # None: the practice default (DEFAULT_APPEAL_FOLLOW_UP_DAYS)
    source: str
    next_step: str


_MEDICARE_1 = AppealLevel(
    "Medicare redetermination", 60, "42 CFR 405.950",
    "call the Medicare contractor for the redetermination's status (portal or provider line); once it is decided, "
    "an unfavorable redetermination can go to a QIC reconsideration within 180 days of its notice (42 CFR 405.962)")
_MEDICARE_2 = AppealLevel(
    "Medicare reconsideration (QIC)", 60, "42 CFR 405.970",
    "call the QIC for the reconsideration's status; past its 60 days you may ask it in writing to escalate the appeal "
    "to an administrative law judge (42 CFR 405.970(c))")
_MA_1 = AppealLevel(
    "Medicare Advantage plan reconsideration", 60, "42 CFR 422.590",
    "call the plan for the reconsideration's status; a decision against you goes to the independent review entity "
    "on its own (42 CFR 422.592) - ask the plan to confirm it was forwarded")
_COMMERCIAL_1 = AppealLevel(
    "plan appeal (ERISA post-service)", 60, "29 CFR 2560.503-1(i)",
    "call the plan for the appeal's status and ask for the decision in writing; after the last internal level, "
    "request the next level or external review the plan's notice names (29 CFR 2590.715-2719)")
_COMMERCIAL_2 = AppealLevel(
    "plan second-level appeal (ERISA post-service)", 30, "29 CFR 2560.503-1(i)",
    "call the plan for the appeal's status; after its decision, request external review where the plan is subject "
    "to it (29 CFR 2590.715-2719)")
_OTHER = AppealLevel(
    "appeal", None, "payer_defaults.csv Appeal Follow-up Days",
    "call the payer for the appeal's status, and ask for the next level and its deadline if it is upheld")


def _level_number(text) -> int:
    """The level a biller typed (``2``, ``Level 2``, ``second``, ``reconsideration``, ``QIC``,
    ``external``): 1 when blank or not recognised; 2 for a second level; 3 for a hearing or
    beyond."""
    t = str(text or "").strip().lower()
    if not t:
        return 1
    if any(w in t for w in ("alj", "hearing", "3", "third", "council")):
        return 3
    if any(w in t for w in ("2", "second", "qic", "external", "ire", "independent")):
        return 2
    return 1


def appeal_level(payer, level_text=None) -> AppealLevel:
    """The appeal level of a claim: by its payer's type (Payers sheet, or the name when blank;
    :func:`claimcheck.denials.payer_type`) and the biller's ``Appeal Level`` text."""
    kind = payer_type(payer)[0]
    t = str(level_text or "").strip().lower()
    n = _level_number(level_text)
    if kind == MEDICARE:
        if "recon" in t and n == 1:
            n = 2  # Original Medicare's reconsideration is its second level
        return {1: _MEDICARE_1, 2: _MEDICARE_2}.get(n, _OTHER)
    if kind == MEDICARE_ADVANTAGE:
        return _MA_1 if n == 1 else _OTHER
    if kind == "Commercial":
        return {1: _COMMERCIAL_1, 2: _COMMERCIAL_2}.get(n, _OTHER)
    return _OTHER


def appeal_follow_up_days(level: AppealLevel, tables=None) -> int:
    if level.days is not None:
        return level.days
    text = ((tables.payer_defaults if tables is not None else {}).get("Appeal Follow-up Days") or "").strip()
    try:
        return int(float(text)) if text else DEFAULT_APPEAL_FOLLOW_UP_DAYS
    except ValueError:
        return DEFAULT_APPEAL_FOLLOW_UP_DAYS


def appeal_follow_up(payer, appealed_on: dt.date | None, level_text=None, tables=None) -> tuple[AppealLevel, dt.date | None]:
    """The level and the follow-up date of an appeal sent on ``appealed_on`` (None when unknown)."""
    level = appeal_level(payer, level_text)
    if appealed_on is None:
        return level, None
    return level, appealed_on + dt.timedelta(days=appeal_follow_up_days(level, tables))


def _dates(c: pd.DataFrame, name: str) -> pd.Series:
    if name not in c.columns:
        return pd.Series(pd.NaT, index=c.index, dtype="datetime64[ns]")
    return pd.to_datetime(c[name], errors="coerce")


def _filled(c: pd.DataFrame, name: str) -> pd.Series:
    if name not in c.columns:
        return pd.Series(False, index=c.index)
    return c[name].map(lambda v: v is not None and v == v and v != "" and v != () and v != 0)


def _first_per_claim(lines: pd.DataFrame) -> pd.DataFrame:
    """One line per claim: its first (in sheet order) among ``lines``."""
    return lines[~lines["claim_id"].fillna("").astype(str).duplicated()]


@rule(
    "FUP001", title="Appeal without a decision past its follow-up date", severity="warning", column="Appealed On",
    needs=("status", "appealed_on"), row_level=False,
    why="A payer that has not answered an appeal in the time its rules give (Medicare 60 days for a redetermination, "
        "ERISA plans 60 days for a post-service appeal) may never have received it, and the next level's window "
        "keeps running.",
    fix="Call the payer for the appeal's status with the claim and reference numbers; if it was not received, send it "
        "again with proof of the first mailing; once decided, take the next level within its window.",
    bad=[{'DOS': '2026-03-02', 'Status': 'Appealed', 'Submitted On': '2026-03-04', 'Denial Codes': 'CO-50',
          'Denial Date': '2026-04-01', 'Appealed On': '2026-04-20'}],
    good=[{'DOS': '2026-03-02', 'Status': 'Appealed', 'Submitted On': '2026-03-04', 'Denial Codes': 'CO-50',
           'Denial Date': '2026-04-01', 'Appealed On': '2026-06-10'}],
)
def appeal_unanswered(ctx):
    """Flags a claim with Status Appealed whose Appealed On date plus the days its payer has to
    decide at that level (Appeal Level; blank is the first) is before the as-of date, and no
    Remit Date on or after the appeal records an answer.  Days: Medicare redetermination 60
    (42 CFR 405.950), QIC reconsideration 60 (42 CFR 405.970), Medicare Advantage
    reconsideration 60 (42 CFR 422.590), commercial (ERISA) 60 or 30 at a second level
    (29 CFR 2560.503-1(i)), any other payer 30 (payer_defaults.csv).  One finding per claim,
    on its first such line."""
    c = ctx.claims
    c = c[c["status_key"] == "Appealed"]
    appealed_on = _dates(c, "appealed_on")
    remit = _dates(c, "remit_date")
    lines = c[(c["status_key"] == "Appealed") & appealed_on.notna() & ~(remit >= appealed_on)]
    out = []
    today = ctx.as_of
    levels = lines["appeal_level"] if "appeal_level" in lines.columns else pd.Series(None, index=lines.index)
    for i, claim_line in _first_per_claim(lines.assign(_level=levels)).iterrows():
        payer = ctx.book.payer(claim_line.get("payer") or "")
        sent = appealed_on.at[i].date()
        level, due = appeal_follow_up(payer, sent, claim_line["_level"], ctx.tables)
        if due >= today:
            continue
        waited = (today - sent).days
        out.append((i, f"{level.name} sent {sent.isoformat()}, no decision after {waited} days: the payer has "
                       f"{(due - sent).days} days to decide ({level.source}) and the follow-up date {due.isoformat()} "
                       f"has passed; {level.next_step}"))
    return out


@rule(
    "FUP002", title="Submitted claim without a remittance", severity="warning", column="Submitted On",
    needs=("status", "submitted_on"), row_level=False,
    why="A claim the payer never received, or rejected before processing, sends no remittance; found late, it may "
        "be past the filing limit.",
    fix="Check the claim's status (payer portal, phone, or a 276/277 claim status inquiry); if the payer has no record "
        "of it, send it again before the filing limit, keeping the proof of the first submission.",
    bad=[{'Status': 'Submitted', 'Submitted On': '2026-05-20'}],
    good=[{'Status': 'Submitted', 'Submitted On': '2026-06-03'}],
)
def submitted_unanswered(ctx):
    """Flags a claim with Status Submitted whose Submitted On is more than its payer's Follow-up
    Days (Payers sheet; payer_defaults.csv, 30) before the as-of date, with no Paid Amount,
    Denial Codes, Denial Date or Remit Date on the line to show an answer.  One finding per
    claim, on its first such line, with the claim's filing limit (DOS + Timely Filing Days)."""
    c = ctx.claims
    c = c[c["status_key"] == "Submitted"]  # the few lines still waiting, before any per-line work
    submitted = _dates(c, "submitted_on")
    answered = (_filled(c, "paid_amount") | _filled(c, "denial_codes") | _dates(c, "denial_date").notna()
                | _dates(c, "remit_date").notna())
    lines = c[submitted.notna() & ~answered]
    if lines.empty:
        return []
    names = lines["payer"].fillna("").astype(str)
    payers = {n: ctx.book.payer(n) for n in names.unique().tolist()}
    days = names.map(lambda n: payers[n].follow_up_days)
    sent = submitted[lines.index]
    late = lines[(pd.Timestamp(ctx.as_of) - sent).dt.days > days]
    out = []
    today = ctx.as_of
    dos = _dates(c, "dos")
    for i in _first_per_claim(late).index:
        p = payers[names.at[i]]
        on = sent.at[i].date()
        msg = (f"submitted {on.isoformat()}, {(today - on).days} days ago, and no remittance yet "
               f"({brief(p.name) if p.name else 'this payer'}: {p.follow_up_days} follow-up days): check the claim's status (portal, phone "
               "or a 276/277 inquiry)")
        if pd.notna(dos.at[i]):
            file_by = dos.at[i].date() + dt.timedelta(days=p.timely_filing_days)
            if file_by >= today:
                msg += f"; if the payer has no record of it, send it again by {file_by.isoformat()} (filing limit)"
            else:
                msg += (f"; the filing limit passed {file_by.isoformat()}: if the payer has no record of it, send it "
                        "again with proof of the first submission")
        out.append((i, msg))
    return out
