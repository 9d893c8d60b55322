"""Sheet and column names of the workbook contract, with their synonyms (contract sections 1-2).

Header matching ignores case, spaces and punctuation: ``"Claim #"``, ``"claim_id"`` and
``"CLAIM ID"`` all find the Claim ID column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Column:
    name: str  # the contract's header
    field: str  # our attribute name
    kind: str  # text, date, time, number, procedure, modifiers, dx, pos, codes, flag, npi
    synonyms: tuple[str, ...] = ()


_NOT_IN_KEY = re.compile(r"[^0-9a-z]")


def key(header: object) -> str:
    """The matching key of a header: lower case, letters and digits only."""
    return _NOT_IN_KEY.sub("", str(header).lower()) if header is not None else ""


CLAIMS = (
    Column("Claim ID", "claim_id", "text", ("Claim", "Claim #", "Claim Number", "Claim No")),
    Column("Client ID", "client_id", "text", ("Patient ID",)),
    Column("Client Name", "client_name", "private", ("Patient Name", "Patient")),
    Column("Client DOB", "client_dob", "private_date", ("DOB", "Date of Birth")),
    Column("Member ID", "member_id", "text", ("Subscriber ID", "Insurance ID")),
    Column("Payer", "payer", "text", ("Insurance", "Payer Name")),
    Column("Rendering NPI", "rendering_npi", "npi", ("Provider NPI",)),
    Column("Billing NPI", "billing_npi", "npi", ("Group NPI",)),
    Column("DOS", "dos", "date", ("Date of Service", "Service Date")),
    Column("Minutes", "minutes", "number", ("Duration", "Session Minutes")),
    Column("CPT", "cpt", "procedure", ("Procedure", "Procedure Code", "CPT/HCPCS", "CPT Code", "HCPCS")),
    Column("Modifiers", "modifiers", "modifiers", ("Modifier", "Mods")),
    Column("Units", "units", "number", ("Qty", "Quantity")),
    Column("Dx Codes", "dx", "dx", ("Diagnosis", "Diagnosis Codes", "ICD-10", "ICD10", "Dx")),
    Column("POS", "pos", "pos", ("Place of Service",)),
    Column("Charge", "charge", "number", ("Billed", "Amount", "Charges")),
    Column("Auth Number", "auth_number", "text", ("Authorization", "Auth #", "Prior Auth", "Auth")),
    Column("Status", "status", "text", ("Claim Status",)),
    Column("Submitted On", "submitted_on", "date", ("Submitted", "Submission Date")),
    Column("Paid Amount", "paid_amount", "number", ("Paid",)),
    Column("Denial Codes", "denial_codes", "codes", ("Denial", "CARC", "Adjustment Codes")),
    Column("Denial Date", "denial_date", "date", ("Denied On",)),
    # The payer's own number for the processed claim (ICN/DCN/claim control number from the
    # remittance, 835 CLP07): an appeal or a corrected claim must quote it.
    Column("Payer Claim Number", "payer_claim_number", "text", ("ICN", "DCN", "Payer Claim #", "Payer Claim ID",
                                                                 "Claim Control Number", "Original Claim Number")),
    # Documentation readiness (optional; the DOC rules run only where the column is there): the
    # date the clinician signed the session note, and the session's start and stop times.
    Column("Note Signed", "note_signed", "date", ("Note Signed On", "Note Signed Date", "Signed On", "Signature Date",
                                                  "Date Signed")),
    Column("Start Time", "start_time", "time", ("Time In", "Session Start", "Begin Time")),
    Column("Stop Time", "stop_time", "time", ("End Time", "Time Out", "Session End", "Session Stop")),
    # Follow-up (FUP rules): when the appeal was sent and at which level (a blank level is the
    # payer type's first level).
    Column("Appealed On", "appealed_on", "date", ("Appeal Date", "Appeal Sent", "Appeal Sent On", "Date Appealed")),
    Column("Appeal Level", "appeal_level", "text", ("Level",)),
    # Filled by posting a remittance (claimcheck era, the Post ERA button; contract section 2,
    # Posting remittances), each from its 835 element: AMT*B6, the PR adjustments, the CAS
    # adjustments as "CO-45 50.00; PR-1 300.00", LQ*HE/MOA/MIA remark codes, CLP02, BPR16/DTM*405.
    Column("Allowed Amount", "allowed_amount", "number", ("Allowed", "Allowed Amt")),
    Column("Patient Responsibility", "patient_responsibility", "number", ("Patient Resp", "Patient Responsibility Amount")),
    Column("Adjustments", "adjustments", "text", ("Adjustment Detail",)),
    Column("Remark Codes", "remark_codes", "codes", ("RARC", "Remark Code")),
    Column("Payer Order", "payer_order", "text", ("Coverage Order",)),
    Column("Remit Date", "remit_date", "date", ("Remittance Date", "ERA Date")),
    # The line's own number as sent on the claim (837 REF*6R), returned on the remittance: when
    # both have it, posting matches the service line on it first.
    Column("Line Control Number", "line_control_number", "text", ("Line Control #", "LCN", "Line Item Control Number")),
)

AUTHORIZATIONS = (
    Column("Auth Number", "auth_number", "text", ("Authorization", "Auth #", "Prior Auth", "Auth")),
    Column("Client ID", "client_id", "text", ("Patient ID",)),
    Column("Payer", "payer", "text", ("Insurance", "Payer Name")),
    Column("Start Date", "start_date", "date", ("Start", "From")),
    Column("End Date", "end_date", "date", ("End", "To", "Through")),
    Column("Authorized", "authorized", "number", ("Authorized Visits", "Authorized Units", "Approved")),
    Column("Unit Type", "unit_type", "text", ("Units Type", "Type")),
    Column("Codes Covered", "codes_covered", "codes", ("Codes", "CPT Codes", "Covered Codes")),
    Column("Rendering NPI", "rendering_npi", "npi", ("Provider NPI",)),
    Column("Notes", "notes", "text", ()),
)

PAYERS = (
    Column("Payer", "name", "text", ("Payer Name", "Insurance")),
    Column("Payer ID", "payer_id", "text", ()),
    Column("Timely Filing Days", "timely_filing_days", "number", ("Filing Days", "Timely Filing")),
    Column("Appeal Days", "appeal_days", "number", ("Appeal Window",)),
    Column("Telehealth Modifier", "telehealth_modifier", "text", ("Telehealth Mod",)),
    Column("Auth Required", "auth_required", "flag", ("Authorization Required", "Prior Auth Required")),
    Column("Eval Counts Toward Auth", "eval_counts_toward_auth", "flag", ("Eval Counts",)),
    Column("Appeal Address", "appeal_address", "text", ()),
    Column("Appeal Fax", "appeal_fax", "text", ("Fax",)),
    Column("Phone", "phone", "text", ()),
    Column("Payer Type", "payer_type", "text", ("Plan Type", "Insurance Type")),
    Column("Auth Visits Per", "auth_visits_per", "text", ("Visits Counted Per", "Auth Counts Per")),
    Column("Visits Per Year", "visits_per_year", "number", ("Visit Limit", "Yearly Visit Limit", "Annual Visit Limit")),
    # Documentation settings (blank: payer_defaults.csv): the days after the date of service
    # within which the session note must be signed, and how often the treatment plan is reviewed.
    Column("Note Sign Days", "note_sign_days", "number", ("Note Signature Days", "Days To Sign Note", "Sign Within Days")),
    Column("Plan Review Days", "plan_review_days", "number", ("Treatment Plan Review Days", "Plan Review")),
    # Days after Submitted On within which the payer's remittance is expected (FUP002).
    Column("Follow-up Days", "follow_up_days", "number", ("Followup Days", "Follow Up Days")),
)

PROVIDERS = (
    Column("NPI", "npi", "npi", ("Provider NPI", "Rendering NPI")),
    Column("Name", "name", "text", ("Provider Name", "Provider")),
    Column("Credential", "credential", "text", ("License", "Licence")),
    Column("Taxonomy", "taxonomy", "text", ("Taxonomy Code",)),
    # Licence Type says whether the clinician practises independently or under supervision
    # (Associate, Pre-licensed, Provisional, Intern ...: see claimcheck.rules.provider); a
    # supervised clinician's claims name the Supervising NPI (837P loop 2310D, CMS-1500 box 17 "DQ").
    Column("Licence Type", "licence_type", "text", ("License Type", "Licensure", "Licence Status", "License Status",
                                                     "Licensure Level")),
    Column("Licence Expiry", "licence_expiry", "date", ("License Expiry", "Licence Expiration", "License Expiration",
                                                         "License Expiration Date", "Licence Expires", "License Expires",
                                                         "License Exp")),
    Column("Supervising NPI", "supervising_npi", "npi", ("Supervisor NPI", "Supervising Provider NPI",
                                                          "Supervising Provider", "Supervisor")),
)

#: The Provider Enrollment sheet: one row per provider and payer the provider is enrolled
#: (credentialed) with, from the effective date to the termination date (blank: still enrolled).
ENROLLMENT = (
    Column("NPI", "npi", "npi", ("Provider NPI", "Rendering NPI")),
    Column("Payer", "payer", "text", ("Insurance", "Payer Name")),
    Column("Effective Date", "effective_date", "date", ("Effective", "Effective From", "Start Date", "Enrolled On",
                                                         "Enrollment Date", "From")),
    Column("Termination Date", "termination_date", "date", ("Termination", "Terminated", "Termed", "Term Date",
                                                             "End Date", "Through", "To")),
    Column("Notes", "notes", "text", ()),
)

#: The Clients sheet: one row per client; only these columns are read (a client's name, if the
#: sheet holds one, never is).
CLIENTS = (
    Column("Client ID", "client_id", "text", ("Patient ID",)),
    Column("Treatment Plan Date", "treatment_plan_date", "date", ("Treatment Plan", "Plan Date", "Last Treatment Plan",
                                                                   "Treatment Plan Signed")),
)

#: The Coverage sheet: one row per client and insurance plan (the client's eligibility).
COVERAGE = (
    Column("Client ID", "client_id", "text", ("Patient ID",)),
    Column("Payer", "payer", "text", ("Insurance", "Payer Name")),
    Column("Member ID", "member_id", "text", ("Subscriber ID", "Insurance ID", "MBI", "Medicare Number")),
    Column("Effective Date", "effective_date", "date", ("Effective", "Effective From", "Start Date", "Coverage Start",
                                                         "From")),
    Column("Termination Date", "termination_date", "date", ("Termination", "Terminated", "Term Date", "End Date",
                                                             "Coverage End", "Through", "To")),
    Column("Plan Order", "plan_order", "text", ("Order", "Coverage Order", "COB Order", "Priority", "Primary/Secondary")),
    Column("Copay", "copay", "number", ("Co-pay", "Copayment")),
)

#: The Practice sheet (contract section 2, Practice): one label and its value per row, column A
#: and column B.  It gives every appeal letter its letterhead and signature block.
PRACTICE = (
    Column("Practice Name", "name", "text", ("Practice", "Name", "Group Name")),
    Column("Street Address", "street", "text", ("Address", "Street")),
    Column("City State ZIP", "city", "text", ("City", "City/State/ZIP", "City, State ZIP")),
    Column("Phone", "phone", "text", ("Telephone",)),
    Column("Fax", "fax", "text", ()),
    Column("Email", "email", "text", ("E-mail",)),
    Column("Tax ID", "tax_id", "text", ("TIN", "EIN", "Federal Tax ID")),
    Column("Group NPI", "group_npi", "text", ("Billing NPI", "Organization NPI")),
    Column("Contact", "contact", "text", ("Contact Name", "Billing Contact")),
    Column("Contact Title", "contact_title", "text", ()),
    Column("Signer", "signer", "text", ("Signer Name", "Signed By")),
    Column("Signer Title", "signer_title", "text", ()),
)
PRACTICE_SHEET = "Practice"
PRACTICE_LABELS = [c.name for c in PRACTICE]

SHEETS = {
    "Claims": (CLAIMS, ("Claim ID", "DOS", "CPT")),
    "Authorizations": (AUTHORIZATIONS, ("Auth Number", "Start Date", "End Date", "Authorized")),
    "Payers": (PAYERS, ("Payer",)),
    "Providers": (PROVIDERS, ("NPI",)),
    "Provider Enrollment": (ENROLLMENT, ("NPI", "Payer")),
    "Coverage": (COVERAGE, ("Client ID", "Payer")),
    "Clients": (CLIENTS, ("Client ID",)),
}

#: The contract's headers of each sheet, in contract order (what a new workbook is given).
CLAIM_HEADERS = [c.name for c in CLAIMS]
#: The optional documentation columns of Claims: the DOC rules run only where they are there.
DOCUMENTATION_HEADERS = ("Note Signed", "Start Time", "Stop Time")
AUTH_HEADERS = [c.name for c in AUTHORIZATIONS]
PAYER_HEADERS = [c.name for c in PAYERS]
PROVIDER_HEADERS = [c.name for c in PROVIDERS]
ENROLLMENT_HEADERS = [c.name for c in ENROLLMENT]
COVERAGE_HEADERS = [c.name for c in COVERAGE]
CLIENT_HEADERS = [c.name for c in CLIENTS]

#: The kinds of payer the Payers sheet's ``Payer Type`` names (contract section 2, Payers); the
#: template's dropdown and the Payer record read this one list.  Original Medicare (Part B) and
#: Medicare Advantage have different correction and appeal routes (see claimcheck.denials).
PAYER_TYPES = ("Commercial", "Medicare", "Medicare Advantage", "Medicaid", "Medicaid MCO", "Tricare", "Other")

#: Every claim status the contract knows (section 2, Status), in the order of a claim's life;
#: the template's dropdown, REQ005 and the rules all read this one list.
STATUSES = ("Draft", "Ready", "Submitted", "Rejected", "Paid", "Partially Paid", "Denied",
            "Patient Responsibility", "Reversed", "Appealed", "Void", "Cancelled", "No Show")
#: Statuses of lines that are not billed services (a voided line, a cancelled or missed
#: appointment): they use no authorization and are never a duplicate of a line billed again.
NOT_BILLED_STATUSES = ("Void", "Cancelled", "No Show")
#: Other spellings billers use for those (read as not billed too; REQ005 still asks for the
#: contract's word).
NOT_BILLED_SPELLINGS = ("Voided", "Canceled", "Deleted", "No-show", "Noshow", "Late Cancel", "Late Cancellation")


def status_key(text) -> str:
    """How a Status cell is compared: trimmed, first letter upper case, the rest lower case
    ("no show", "NO SHOW" and "No Show" are one status)."""
    return (text or "").strip().capitalize()


STATUS_KEYS = frozenset(map(status_key, STATUSES))
NOT_BILLED_KEYS = frozenset(map(status_key, NOT_BILLED_STATUSES + NOT_BILLED_SPELLINGS))


def last_header(header: Iterable[object]) -> int:
    """The 1-based column of a header row's last non-blank cell (0 when all are blank)."""
    last = 0
    for i, value in enumerate(header, start=1):
        if value is not None and str(value).strip():
            last = i
    return last


def lookup(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Header key -> column, for the contract names and all synonyms."""
    out: dict[str, Column] = {}
    for col in columns:
        for name in (col.name, *col.synonyms):
            out.setdefault(key(name), col)
    return out


def by_name(columns: tuple[Column, ...]) -> dict[str, Column]:
    return {c.name: c for c in columns}
