"""Denials: the denial-code catalogue (:mod:`.catalogue`) and what to do about each denied claim
(:mod:`.decisions`).  The DENY rules that report those decisions are in
:mod:`claimcheck.rules.deny`; the appeal letters in :mod:`claimcheck.appeals`."""

from .catalogue import (
    ACTIONS,
    FIX_VERBS,
    GROUPS,
    REMARK_LED,
    DenialCode,
    ParsedCode,
    catalogue,
    explain,
    lookup,
    parse_code,
    unverified_note,
)
from .decisions import (
    ALREADY_APPEALED,
    APPEAL,
    BILL_PATIENT,
    CHECK_FIRST,
    CORRECTED,
    FIX_FAMILIES,
    NEAR_DAYS,
    NEW_CLAIM,
    OTHER_PAYER,
    PRECEDENCE,
    WRITE_OFF,
    ClaimDecision,
    appeal_arguments,
    as_date,
    claim_decisions,
    codes_shown,
    correction_fix,
    decide,
    fixes_by_row,
    is_medicare,
    remark_led,
    is_medicare_advantage,
    payer_type,
    MEDICARE,
    MEDICARE_ADVANTAGE,
)

__all__ = [
    "ACTIONS", "FIX_VERBS", "GROUPS", "REMARK_LED", "DenialCode", "ParsedCode", "catalogue", "explain", "lookup", "parse_code",
    "unverified_note",
    "ALREADY_APPEALED", "APPEAL", "BILL_PATIENT", "CHECK_FIRST", "CORRECTED", "FIX_FAMILIES", "NEAR_DAYS", "NEW_CLAIM",
    "OTHER_PAYER", "PRECEDENCE", "WRITE_OFF", "ClaimDecision", "appeal_arguments", "as_date", "claim_decisions",
    "codes_shown", "correction_fix", "decide", "fixes_by_row", "is_medicare", "remark_led",
    "is_medicare_advantage", "payer_type", "MEDICARE", "MEDICARE_ADVANTAGE",
]
