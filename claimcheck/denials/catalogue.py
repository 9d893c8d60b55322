"""The denial-code catalogue: what each claim adjustment reason code (CARC), remittance advice
remark code (RARC) and group code means, and what a biller does about it.

The catalogue is data: ``data/carc.csv`` (claim adjustment reason codes), ``data/rarc.csv``
(remittance advice remark codes) and ``data/group_codes.csv`` (CO, PR, OA, PI), each row in our
own words with its public source.  X12's code texts are copyrighted, so none is copied; meanings
we could not confirm in a second source are marked ``verified = N`` and shown as unverified.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

GROUPS = ("CO", "PR", "OA", "PI")
ACTIONS = ("appeal", "corrected claim", "bill the patient", "send to another payer", "write off", "verify/other")
#: CARCs that only say "see the remark code": with a catalogued remark code on the claim, the remark
#: code's own action and argument decide, not the CARC's generic one.  CARC 16 (information missing
#: or a billing error) always comes with a remark code naming what is missing (First Coast RUC
#: "CO 16" FAQ, medicare.fcso.com/FAQs/Answers/267319.asp): with M127 the payer wants the medical
#: record, which is sent with an appeal (or the payer's records request), not fixed in a field.
REMARK_LED = frozenset({"16"})
#: A catalogue ``fix`` that starts with one of these words is an instruction, not a field name.
FIX_VERBS = ("send", "correct", "attach", "report", "add", "put", "use", "list")


@dataclass(frozen=True)
class DenialCode:
    """One catalogue entry, in our own words."""

    code: str  # "50", "N290", "CO"
    kind: str  # "CARC", "RARC" or "group"
    meaning: str
    action: str  # one of ACTIONS (for a group code: its usual handling, free text)
    evidence: str = ""
    fix: str = ""  # for corrections: what to change
    argument: str = ""  # the appeal argument this denial calls for (CARCs; a RARC's when it leads, see REMARK_LED)
    appealable: str = ""  # Y, N or conditional (CARCs)
    usual_groups: tuple[str, ...] = ()
    verified: bool = True
    source: str = ""
    short: str = ""  # a short label for charts (the workbook's Dashboard), CARCs

    @property
    def fix_is_instruction(self) -> bool:
        """Whether ``fix`` reads as an instruction (``send a new claim ...``) rather than the
        field to fix (``the Rendering NPI ...``)."""
        return bool(self.fix) and self.fix.split()[0] in FIX_VERBS


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("claimcheck") / "data" / name).read_text(encoding="utf-8")
    return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(text.splitlines())]


@lru_cache(maxsize=1)
def catalogue() -> dict[tuple[str, str], DenialCode]:
    """Every entry keyed by (kind, code)."""
    out: dict[tuple[str, str], DenialCode] = {}
    for r in _rows("carc.csv"):
        out[("CARC", r["code"].upper())] = DenialCode(
            code=r["code"].upper(), kind="CARC", meaning=r["meaning"], action=r["action"], evidence=r["evidence"],
            fix=r.get("fix", ""), argument=r.get("argument", ""), appealable=r.get("appealable", ""),
            usual_groups=tuple(g.strip() for g in r.get("usual_groups", "").split(",") if g.strip()),
            verified=r.get("verified", "Y").upper() != "N", source=r["source"], short=r.get("short", ""))
    for r in _rows("rarc.csv"):
        out[("RARC", r["code"].upper())] = DenialCode(
            code=r["code"].upper(), kind="RARC", meaning=r["meaning"], action=r["action"], evidence=r["evidence"],
            fix=r.get("fix", ""), argument=r.get("argument", ""),
            verified=r.get("verified", "Y").upper() != "N", source=r["source"])
    for r in _rows("group_codes.csv"):
        out[("group", r["code"].upper())] = DenialCode(
            code=r["code"].upper(), kind="group", meaning=r["meaning"], action=r["action"], source=r["source"])
    return out


@dataclass(frozen=True)
class ParsedCode:
    """A denial code as typed (``CO-50``, ``co 50``, ``PR1``, ``N290``, ``50``), understood."""

    text: str
    group: str  # CO, PR, OA, PI or ""
    code: str  # "50", "N290", or "" for a bare group code
    kind: str  # CARC, RARC, group or unknown

    @property
    def display(self) -> str:
        if self.kind == "CARC":
            return f"{self.group}-{self.code}" if self.group else self.code
        if self.kind == "group":
            return self.group
        return self.code or self.text

    @cached_property  # the catalogue is read once per process
    def entry(self) -> DenialCode | None:
        if self.kind == "group":
            return catalogue().get(("group", self.group))
        if self.kind in ("CARC", "RARC"):
            return catalogue().get((self.kind, self.code))
        return None


_GROUP_CARC = re.compile(r"^(CO|PR|OA|PI|CR)[-:/]?([A-Z]?\d{1,3}[A-Z]?)$")
_RARC = re.compile(r"^(MA|M|N)\d{1,4}$")
_CARC = re.compile(r"^(\d{1,3}|[A-Z]\d{1,2})$")


def parse_code(text: str) -> ParsedCode:
    """Understand one typed code; never raises (kind ``unknown`` when unreadable)."""
    if type(text) is str and len(text) <= 64:
        # A workbook repeats a few dozen code texts over thousands of lines: each distinct text
        # is parsed once (ParsedCode is immutable, so the cached one can be shared).  Long
        # texts (a pasted cell, not a code) are not kept.
        return _parse_text(text)
    return _parse(text)


@lru_cache(maxsize=16384)
def _parse_text(text: str) -> ParsedCode:
    return _parse(text)


def _parse(text) -> ParsedCode:
    raw = "" if text is None else str(text)
    t = re.sub(r"\s+", "", raw.strip().upper())
    t = re.sub(r"^(CARC|RARC|REASON|REMARK)[-:#]?", "", t)
    if t in GROUPS or t == "CR":
        return ParsedCode(raw, t, "", "group")
    m = _GROUP_CARC.match(t)
    if m:
        code = m.group(2).lstrip("0") or "0" if m.group(2).isdigit() else m.group(2)
        return ParsedCode(raw, m.group(1), code, "CARC")
    if _RARC.match(t):
        return ParsedCode(raw, "", t, "RARC")
    if _CARC.match(t):
        code = t.lstrip("0") or "0" if t.isdigit() else t
        return ParsedCode(raw, "", code, "CARC")
    return ParsedCode(raw, "", t, "unknown")


def lookup(code: str) -> DenialCode | None:
    """The catalogue entry for a typed code (``CO-50``, ``50``, ``N290``, ``PR``), or None."""
    try:
        return parse_code(code).entry
    except Exception:  # never raise for the worksheet function
        return None


def unverified_note(entry: DenialCode) -> str:
    """`` (meaning unverified: ...)`` after the meaning of an entry we could not confirm, else ``""``."""
    return "" if entry.verified else " (meaning unverified: check the payer's remittance)"


_ACTION_TEXT = {
    "appeal": "appeal",
    "corrected claim": "correct the claim and send it again",
    "bill the patient": "bill the client (or the secondary insurance first)",
    "send to another payer": "send the claim to the responsible payer",
    "write off": "write it off",
    "verify/other": "check first",
}


def explain(code: str) -> str:
    """What a CARC/RARC (with optional group) means and what to do, for DENIAL_REASON.

    ``explain("CO-50")`` -> ``"CO-50: the payer judged the service not medically necessary.
    Who pays: ... Do: appeal. Evidence: ..."``.  Unknown codes get a clear message; never raises.
    """
    try:
        shown = " ".join(str(code or "").split())
        if len(shown) > 40:  # a code is a few characters; never echo a whole pasted cell
            shown = shown[:40] + "..."
        if not shown:
            return "No denial code given; type a code such as CO-50 or N290."
        parsed = parse_code(shown)
        entry = parsed.entry
        if parsed.kind == "group":
            if entry is None:
                return f"{parsed.group}: a retired group code; read the reason code that follows it."
            return f"{parsed.group}: {entry.meaning}. Do: {entry.action}."
        if entry is None:
            what = "remark code (RARC)" if parsed.kind == "RARC" else "reason code (CARC)" if parsed.kind == "CARC" else "code"
            return (f"{shown}: not in claimcheck's catalogue of denial codes (unknown {what}); "
                    "look it up in the X12 code lists (x12.org/codes) or ask the payer.")
        parts = [f"{parsed.display}: {entry.meaning}{unverified_note(entry)}."]
        action = entry.action
        if parsed.group == "PR" and entry.kind == "CARC":
            action = "bill the patient"
            parts.append("Group PR: the client owes this amount.")
        elif parsed.group:
            g = catalogue().get(("group", parsed.group))
            if g is not None:
                parts.append(f"Group {parsed.group}: {g.meaning.split(';')[0].split(':')[0].lower()}.")
        todo = _ACTION_TEXT.get(action, action)
        if entry.fix and action in ("corrected claim", "send to another payer"):
            todo = entry.fix if entry.fix_is_instruction else f"{todo}; fix {entry.fix}"
        parts.append(f"Do: {todo}.")
        if entry.evidence:
            parts.append(f"Evidence: {entry.evidence}.")
        return " ".join(parts)
    except Exception:
        return f"{code}: could not be explained"
