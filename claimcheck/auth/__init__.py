"""AUTH: prior authorizations - which service lines use which authorization, how many visits or
units are used and left, and the findings a biller acts on (missing, unknown, not covering the
line, over the authorized count, nearly used up, expiring).

Usage is always computed from the Claims sheet itself, never from a counter typed by hand.

How a line is tied to an authorization
    * The line's own Auth Number, else the Auth Number on another line of the same claim
      (a claim carries one authorization, box 23, so an add-on line may leave it blank).
    * A line with no number, for a payer whose ``Auth Required`` is Y, is matched to the one
      authorization that covers it (same client and payer, dates cover the DOS, code covered,
      provider allowed) - an info finding (AUTH010) says so.  None (AUTH001) or several
      (AUTH011) is flagged.  For a payer that does not require authorization, a line with no
      number is counted only when exactly one authorization on the sheet covers it (AUTH010
      again); otherwise it is left alone.
    * When the same number is on the Authorizations sheet twice (a renewal kept its number),
      the record whose dates cover the DOS is used.

What a line uses
    * Visits authorizations: one visit per date of service with at least one primary (not
      add-on) line; add-on lines (``addon`` in the procedure table) never use a visit, so an
      add-on on the same date uses nothing more.  Two lines on one date use one visit.
    * Units authorizations: the line's units (1 when Units is blank).
    * 90791/90792 use the authorization only when the payer's ``Eval Counts Toward Auth`` is Y;
      otherwise an evaluation is exempt: it uses nothing and is never flagged for a missing or
      uncovered authorization.
    * A line the authorization does not cover (another client or payer, outside its dates,
      code or provider not covered) is flagged and uses nothing: the payer will not apply it.
    * Lines whose DOS cannot be read use nothing (the date rules report the date).

Which statuses count
    Every line counts whatever its status - Draft, Ready, Submitted, Paid, Denied, Appealed or
    blank - because each is a session the client received: a Draft or Ready line will be billed,
    and a Denied line (even one denied for "authorization exceeded") still used the session the
    payer authorized.  Only lines marked Void, Voided, Cancelled, Canceled, Deleted, No Show or
    Late Cancel use nothing and are not checked here: they are not billed services.

As of a date
    ``used`` counts the lines with DOS on or before ``as_of``; ``remaining`` is authorized minus
    used and goes negative when more was given than authorized.  The findings number every line
    in date order (sheet order does not matter), including lines dated after ``as_of``, so a
    scheduled session past the count is flagged before it is billed.

Where things are
    :mod:`claimcheck.auth.match` ties the lines to their authorizations (the engine's
    ``auth_matching`` stage); :mod:`claimcheck.auth.usage` counts use as of a date (the
    worksheet functions AUTH_USED / AUTH_REMAINING call :func:`auth_used` and
    :func:`auth_remaining`); the AUTH rules are in :mod:`claimcheck.rules.auth`; the text table
    is :func:`claimcheck.report.auth_summary_lines` and the Authorizations sheet's usage columns
    :func:`claimcheck.writer.write_auth_summary`.
"""

from __future__ import annotations

from .match import EVAL_CODES, NOT_SERVICES, AuthMatching, covered_codes, match_authorizations
from .usage import (
    EXPIRING_DAYS, STATUSES, SUMMARY_HEADERS, AuthUsage, auth_remaining, auth_status, auth_usage, auth_used,
    count_text, plural, used_as_of,
)

__all__ = [
    "EVAL_CODES", "NOT_SERVICES", "AuthMatching", "covered_codes", "match_authorizations",
    "EXPIRING_DAYS", "STATUSES", "SUMMARY_HEADERS", "AuthUsage", "auth_remaining", "auth_status", "auth_usage",
    "auth_used", "count_text", "plural", "used_as_of",
]
