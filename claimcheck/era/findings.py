"""The ERA finding family: what posting a remittance (``claimcheck era``, the Post ERA button)
reports. These are posting findings, not check-time rules: they come from comparing a
remittance with the workbook, so ``claimcheck check`` never raises them; they are registered
here so ``claimcheck rules ERA001`` explains them and docs/rules.md lists them. Messages are in
our own words and never quote a CARC or RARC text (X12 code lists are copyrighted; codes only).
"""

from __future__ import annotations

from claimcheck.rules.registry import declare

declare(
    "ERA001", title="A typed value differs from the remittance", severity="warning", column="(varies)",
    why="The payer's remittance says one thing and the workbook another (an amount, a status, a code or a date); "
        "posting over the typed value would hide a keying error or a payer error, so it is kept and reported.",
    fix="Compare the two values with the remittance: correct the cell if it was mistyped, or take the difference "
        "up with the payer. Clear the cell and post again to take the remittance's value.",
    row_level=False,
)
declare(
    "ERA002", title="A remittance claim matches no claim", severity="warning", column="Claim ID",
    why="The payer paid or denied a claim whose patient control number (CLP01) is not a Claim ID on the Claims "
        "sheet, so the money or the denial cannot be posted; it is listed on ERA Unmatched, never added to Claims.",
    fix="Find the claim (a Claim ID typed differently, a claim sent from another system) and give its lines the "
        "Claim ID the payer returned, then post the remittance again.",
    row_level=False, sheet="ERA Unmatched",
)
declare(
    "ERA003", title="A remittance service line matches no claim line", severity="warning", column="CPT",
    why="A service line the payer answered (procedure, modifiers, date, line control number) is not a line of the "
        "claim on the Claims sheet, so its payment or denial is not posted.",
    fix="Check the claim's lines against the remittance (a changed modifier or date of service); correct the line "
        "or post the payment by hand.",
    row_level=False,
)
declare(
    "ERA004", title="A payment does not add up", severity="error", column="(payment)",
    why="The claims of a payment less its provider-level adjustments (PLB) should equal the amount paid (BPR02); "
        "when they do not, a claim or an adjustment is missing or the file is damaged, and the deposit will not "
        "reconcile.",
    fix="Compare the payment with the bank deposit and the payer's paper remittance; ask the payer or the "
        "clearinghouse for a complete file.",
    row_level=False, sheet="Remittances",
)
declare(
    "ERA005", title="A remittance claim was only partly read", severity="warning", column="(claim)",
    why="Some segments of the claim could not be read as the 835 guide lays them out, so its service lines were "
        "not posted one by one; only the claim's own figures were posted.",
    fix="Post the service lines by hand from the payer's remittance, or ask for a corrected file.",
    row_level=False,
)
declare(
    "ERA006", title="A correction or reversal replaced an earlier posting", severity="info", column="(varies)",
    why="The payer reversed or corrected a payment posted before; the values that posting wrote were replaced, "
        "and this says which.",
    fix="Nothing to do unless the change is unexpected; a reversal without a new payment may need an appeal or "
        "a corrected claim.",
    row_level=False,
)
declare(
    "ERA007", title="Send the line to the secondary payer", severity="warning", column="Payer Order",
    why="The primary payer paid and left a balance to the patient, and the same service has a line for a secondary "
        "payer on the Payers sheet that has not gone out; the secondary pays only with the primary's payment and "
        "adjustments on the claim (coordination of benefits).",
    fix="Send the secondary line with the primary's paid amount, adjustments and payer claim number (2320/2430 "
        "loops of the 837, or the primary's remittance attached to a paper claim); bill the patient only what the "
        "secondary leaves.",
    row_level=False,
)
declare(
    "ERA008", title="Paid under the contracted rate", severity="warning", column="Allowed Amount",
    why="The payer allowed less than the contracted amount on the Fee Schedule sheet for this payer, code and "
        "modifiers (times the units paid); underpayments go unnoticed unless someone compares.",
    fix="Check the Fee Schedule row; if it is right, ask the payer to reprocess the line at the contracted rate "
        "(a reconsideration or payment dispute citing the contract).",
    row_level=False,
)
