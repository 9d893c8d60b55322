"""Read 835 remittances (X12 005010X221A1) into plain records.

The X12 work is done by pyx12 (see ``docs/era-library.md`` for why): it splits segments and
elements with the delimiters its ISA declares, walks each segment against the 835
implementation-guide map and reports what does not fit. This module adds only what pyx12 does
not do for us, each kept small:

* **Several interchanges with different delimiters.** pyx12 takes its delimiters from the first
  ISA and uses them for the whole stream, so the text is cut into interchanges (ISA..IEA) here
  and each is read on its own.
* **Newlines and CRLF between segments, and ISA fields written without their padding.** The
  segments are re-joined without line breaks and the four ISA name fields padded to their fixed
  width, since pyx12 reads the ISA as a fixed 106 characters.
* **A component separator in SVC or PLB that differs from ISA16** (``HC>90834`` under an ISA
  declaring ``:``): when a composite holds no ISA16 but starts with a two-letter qualifier and
  another punctuation mark, that mark is read as the component separator.
* **A cut-short file.** pyx12 drops a last segment with no terminator and does not stop on a
  missing trailer, so the trailers are checked here: a file that is not whole is refused.
* **Records.** pyx12's segments become the records of :mod:`claimcheck.era.records`; its
  validation errors become the ``problems`` of the claim (or payment) they occur in, written in
  our own words and without the offending values (they may hold patient data). pyx12's own
  logger is silenced for the same reason.

Anything that makes the file unusable as a whole (not X12, not an 835, cut short) raises
:class:`EraProblem` with a one-line message; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import pyx12.error_handler
import pyx12.errors
import pyx12.params
import pyx12.x12context

from claimcheck.era.records import (
    Adjustment,
    ClaimPayment,
    Payment,
    Procedure,
    ProviderAdjustment,
    RemittanceBatch,
    ServicePayment,
)

# pyx12 logs segment contents on some errors; segments can hold patient names. Nothing of it
# should reach a log or the terminal.
_pyx12_log = logging.getLogger("pyx12")
_pyx12_log.addHandler(logging.NullHandler())
_pyx12_log.propagate = False


class EraProblem(ValueError):
    """The file cannot be read as an 835 remittance at all. The message is one plain line."""


# --- cutting the text into interchanges --------------------------------------------------------

#: Widths of the ISA elements ISA01..ISA16 (the ISA is a fixed-length segment).
_ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
#: ISA elements that senders sometimes write without their trailing spaces.
_ISA_PADDED = (1, 3, 5, 7)  # ISA02, ISA04, ISA06, ISA08 (0-based after the segment id)
_IGNORED_TAIL = " \t\r\n\x00\x1a"  # whitespace, NUL padding and a DOS end-of-file mark


@dataclass(frozen=True)
class _Interchange:
    segments: tuple[str, ...]  # segment texts without terminator, ISA first, IEA last
    element: str
    component: str
    terminator: str
    repetition: str


def _isa_delimiters(text: str, start: int) -> tuple[str, str, str, int]:
    """Element separator, component separator, segment terminator and the index just past the
    ISA's terminator, for an ISA starting at ``start``."""
    element = text[start + 3: start + 4]
    if not element or element.isalnum() or element in " \r\n":
        raise EraProblem("not an X12 file: the ISA segment has no element separator")
    pos = start + 3  # the separator before ISA01
    for _ in range(15):  # on to the separator before ISA16
        pos = text.find(element, pos + 1)
        if pos < 0:
            raise EraProblem("the file is cut short inside its ISA segment")
    # pos is the separator before ISA16; ISA16 is one character, the terminator follows it
    component = text[pos + 1: pos + 2]
    terminator = text[pos + 2: pos + 3]
    if not component or not terminator:
        raise EraProblem("the file is cut short inside its ISA segment")
    return element, component, terminator, pos + 3


def _split_interchanges(text: str) -> list[_Interchange]:
    if text.startswith("\ufeff"):
        text = text[1:]
    interchanges: list[_Interchange] = []
    pos = len(text) - len(text.lstrip(_IGNORED_TAIL))
    if pos >= len(text):
        raise EraProblem("the file is empty")
    while pos < len(text):
        if not text.startswith("ISA", pos):
            if interchanges:
                raise EraProblem("unexpected text after the end of an interchange (IEA)")
            raise EraProblem("not an X12 file: it does not start with an ISA segment")
        element, component, terminator, body = _isa_delimiters(text, pos)
        isa = text[pos: body - 1]
        segments = [isa]
        end = None
        cursor = body
        while cursor < len(text):
            nxt = text.find(terminator, cursor)
            if nxt < 0:
                break  # a last segment with no terminator: the file is cut short
            segment = text[cursor:nxt].strip("\r\n")
            cursor = nxt + 1
            if not segment:
                continue
            segments.append(segment)
            if segment.startswith("IEA" + element):
                end = cursor
                break
        if end is None:
            raise EraProblem("the file is cut short: an interchange has no IEA trailer")
        repetition = isa.split(element)[11] if len(isa.split(element)) > 11 else ""
        interchanges.append(_Interchange(
            segments=tuple(segments), element=element, component=component,
            terminator=terminator, repetition=repetition))
        pos = end
        while pos < len(text) and text[pos] in _IGNORED_TAIL:
            pos += 1
    return interchanges


_QUALIFIED_COMPOSITE = re.compile(r"^[A-Z]{2}([^A-Za-z0-9\s])")
#: Composite elements whose separator is repaired (SVC01, SVC06 and the PLB reason pairs), with
#: how many separators each can hold: a PLB reason has two parts (reason, reference), so only
#: the first mark splits it and a reference such as ``CC-0999`` keeps its dashes.
_COMPOSITES = {"SVC": ((1, 6), 6), "PLB": ((3, 5, 7, 9, 11, 13), 1)}


def _repair_component(value: str, interchange: _Interchange, limit: int) -> str:
    """``HC>90834`` under an ISA declaring ``:`` becomes ``HC:90834``."""
    if interchange.component in value:
        return value
    found = _QUALIFIED_COMPOSITE.match(value)
    if not found:
        return value
    mark = found.group(1)
    if mark in (interchange.element, interchange.terminator, interchange.repetition):
        return value
    return value.replace(mark, interchange.component, limit)


def _normalised_text(interchange: _Interchange) -> str:
    """The interchange as pyx12 reads it: no line breaks, a 106-character ISA, composite
    separators repaired."""
    element = interchange.element
    out = []
    for segment in interchange.segments:
        parts = segment.split(element)
        if parts[0] == "ISA" and len(parts) == 17:
            for i in _ISA_PADDED:
                parts[i + 1] = parts[i + 1].ljust(_ISA_WIDTHS[i])
            segment = element.join(parts)
        elif parts[0] in _COMPOSITES:
            positions, limit = _COMPOSITES[parts[0]]
            for i in positions:
                if i < len(parts) and parts[i]:
                    parts[i] = _repair_component(parts[i], interchange, limit)
            segment = element.join(parts)
        out.append(segment)
    return interchange.terminator.join(out) + interchange.terminator


# --- pyx12's validation errors, in our words ---------------------------------------------------

# Meanings of the X12 999 segment (IK3) and element (IK4) syntax error codes pyx12 reports,
# paraphrased; source: ASC X12 999 implementation guide code lists, as used by pyx12's
# error_999 module.
_SEGMENT_ERRORS = {
    "1": "segment not recognised",
    "2": "segment not expected here",
    "3": "a required segment is missing",
    "4": "a loop repeats more often than allowed",
    "5": "a segment repeats more often than allowed",
    "6": "segment not defined for an 835",
    "7": "segment out of order",
    "8": "segment has element errors",
}
_ELEMENT_ERRORS = {
    "1": "required element missing",
    "2": "conditionally required element missing",
    "3": "too many elements",
    "4": "element too short",
    "5": "element too long",
    "6": "invalid character in element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "element not allowed with another present",
    "12": "too many repetitions",
    "13": "too many components",
}


class _ErrorCollector(pyx12.error_handler.errh_null):
    """Receives pyx12's errors as it walks; the reader drains them after each segment."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def seg_error(self, err_cde, err_str, err_value=None, src_line=None):  # noqa: D401
        self.found.append(_SEGMENT_ERRORS.get(str(err_cde), f"segment problem (code {err_cde})"))

    def ele_error(self, err_cde, err_str, bad_value, refdes=None):
        what = _ELEMENT_ERRORS.get(str(err_cde), f"element problem (code {err_cde})")
        self.found.append(f"{refdes}: {what}" if refdes else what)

    def isa_error(self, err_cde, err_str):
        self.found.append(f"interchange envelope problem (code {err_cde})")

    def gs_error(self, err_cde, err_str):
        self.found.append(f"functional group envelope problem (code {err_cde})")

    def st_error(self, err_cde, err_str):
        self.found.append(f"transaction set envelope problem (code {err_cde})")

    def drain(self) -> list[str]:
        found, self.found = self.found, []
        return found


# --- values ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")


class _Unreadable(ValueError):
    pass


def _decimal(text: str, where: str) -> Decimal | None:
    """X12 numbers (R/N types) as exact Decimals; '' is None."""
    text = text.strip()
    if not text:
        return None
    if not _NUMBER.match(text):
        raise _Unreadable(f"{where}: not a number")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid numbers
        raise _Unreadable(f"{where}: not a number") from None


def _date(text: str, where: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    if len(text) != 8 or not text.isdigit():
        raise _Unreadable(f"{where}: not a CCYYMMDD date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _Unreadable(f"{where}: not a calendar date") from None


class _Segment:
    """Element access on a pyx12 segment by position: ``seg[2]`` is XXX02, ``seg.part(1, 2)``
    is XXX01-2; anything absent is ''."""

    def __init__(self, seg) -> None:
        self.seg = seg
        self.id = seg.get_seg_id()

    def __getitem__(self, i: int) -> str:
        return self.seg.get_value(f"{self.id}{i:02d}") or ""

    def part(self, i: int, j: int) -> str:
        return self.seg.get_value(f"{self.id}{i:02d}-{j}") or ""

    def count(self) -> int:
        return len(self.seg)


# --- building records ---------------------------------------------------------------------------


@dataclass
class _Line:
    values: dict = field(default_factory=dict)
    adjustments: list = field(default_factory=list)
    remarks: list = field(default_factory=list)

    def record(self) -> ServicePayment:
        return ServicePayment(adjustments=tuple(self.adjustments), remarks=tuple(self.remarks),
                              **self.values)


@dataclass
class _Claim:
    values: dict = field(default_factory=dict)
    adjustments: list = field(default_factory=list)
    remarks: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def record(self) -> ClaimPayment:
        return ClaimPayment(
            adjustments=tuple(self.adjustments), remarks=tuple(dict.fromkeys(self.remarks)),
            services=tuple(line.record() for line in self.lines),
            problems=tuple(dict.fromkeys(self.problems)), **self.values)


@dataclass
class _Payment:
    values: dict = field(default_factory=dict)
    claims: list = field(default_factory=list)
    provider_adjustments: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    payer_ref_id: str = ""
    in_payer: bool = False

    def record(self) -> Payment:
        values = dict(self.values)
        if not values.get("payer_id"):
            values["payer_id"] = self.payer_ref_id
        return Payment(
            claims=tuple(claim.record() for claim in self.claims),
            provider_adjustments=tuple(self.provider_adjustments),
            problems=tuple(dict.fromkeys(self.problems)), **values)


def _adjustments(seg: _Segment, read) -> list[Adjustment]:
    """A CAS segment holds one group and up to six (reason, amount, quantity) triples."""
    group = seg[1]
    found = []
    for first in range(2, 20, 3):
        reason = seg[first]
        if not reason:
            continue
        found.append(Adjustment(group=group, reason=reason,
                                amount=read(_decimal, seg[first + 1], f"CAS{first + 1:02d}"),
                                quantity=read(_decimal, seg[first + 2], f"CAS{first + 2:02d}")))
    return found


def _procedure(seg: _Segment, i: int) -> Procedure | None:
    qualifier, code = seg.part(i, 1), seg.part(i, 2)
    if not qualifier and not code:
        return None
    modifiers = tuple(m for m in (seg.part(i, j) for j in range(3, 7)) if m)
    return Procedure(qualifier=qualifier, code=code, modifiers=modifiers)


def _provider_adjustments(seg: _Segment, read) -> list[ProviderAdjustment]:
    provider, period = seg[1], read(_date, seg[2], "PLB02")
    found = []
    for first in range(3, 15, 2):
        reason = seg.part(first, 1)
        if not reason:
            continue
        found.append(ProviderAdjustment(
            provider_id=provider, fiscal_period_date=period, reason=reason,
            reference=seg.part(first, 2),
            amount=read(_decimal, seg[first + 1], f"PLB{first + 1:02d}")))
    return found


def _remarks_moa(seg: _Segment) -> list[str]:
    return [seg[i] for i in range(3, 8) if seg[i]]


def _remarks_mia(seg: _Segment) -> list[str]:
    return [seg[i] for i in (5, 20, 21, 22, 23) if seg[i]]


class _Reader:
    """Turns one interchange's pyx12 segments into payments."""

    def __init__(self) -> None:
        self.payments: list[Payment] = []
        self.envelope = {"interchange_control_number": "", "group_control_number": "",
                         "sender_id": "", "receiver_id": "", "version": ""}
        self.payment: _Payment | None = None
        self.claim: _Claim | None = None
        self.line: _Line | None = None
        self.seen_iea = False
        self.noted: set[str] = set()  # elements of the current segment already reported

    def problem(self, text: str) -> None:
        if self.claim is not None:
            prefix = f"line {len(self.claim.lines)}: " if self.line is not None else ""
            self.claim.problems.append(prefix + text)
        elif self.payment is not None:
            self.payment.problems.append(text)

    def read(self, convert, value, where):
        """``convert(value, where)``, or None with a problem noted when it cannot be read."""
        try:
            return convert(value, where)
        except _Unreadable as unreadable:
            self.problem(str(unreadable))
            self.noted.add(where)
            return None

    def close_claim(self) -> None:
        self.line = None
        self.claim = None

    def take(self, seg: _Segment) -> None:
        sid = seg.id
        if sid == "ISA":
            self.envelope.update(interchange_control_number=seg[13], sender_id=seg[6].strip(),
                                 receiver_id=seg[8].strip())
        elif sid == "GS":
            if seg[1] != "HP":
                raise EraProblem(
                    f"not an 835 remittance: its functional group is {_shown(seg[1])}, "
                    "not HP (health care claim payment)")
            self.envelope.update(group_control_number=seg[6], version=seg[8])
        elif sid == "ST":
            if seg[1] != "835":
                raise EraProblem(f"not an 835 remittance: it holds a {_shown(seg[1])} "
                                 "transaction set")
            if self.payment is not None:
                raise EraProblem("the file is cut short: a transaction set has no SE trailer")
            self.payment = _Payment(values=dict(self.envelope,
                                                transaction_control_number=seg[2]))
        elif sid in ("GE", "IEA") and self.payment is not None:
            raise EraProblem("the file is cut short: a transaction set has no SE trailer")
        elif sid == "IEA":
            self.seen_iea = True
        elif sid == "GE":
            pass
        elif self.payment is None:
            raise EraProblem(
                f"not an 835 remittance: segment {_shown(sid)} outside a transaction set")
        elif sid == "SE":
            self.close_claim()
            self.payments.append(self.payment.record())
            self.payment = None
        else:
            self.take_body(seg)

    def take_body(self, seg: _Segment) -> None:
        sid = seg.id
        payment = self.payment
        values = payment.values
        if sid == "BPR":
            values.update(credit_debit=seg[3], method=seg[4])
            values["amount"] = self.read(_decimal, seg[2], "BPR02")
            values["payment_date"] = self.read(_date, seg[16], "BPR16")
        elif sid == "TRN":
            values["trace_number"] = seg[2]
        elif sid == "N1":
            payment.in_payer = seg[1] == "PR"
            if seg[1] == "PR":
                values.update(payer_name=seg[2], payer_id=seg[4])
            elif seg[1] == "PE":
                values.update(payee_name=seg[2], payee_id_qualifier=seg[3], payee_id=seg[4])
        elif sid in ("LX", "TS3", "TS2"):
            self.close_claim()
        elif sid == "CLP":
            self.line = None
            self.claim = _Claim()
            payment.claims.append(self.claim)
            # the identifiers first, so the claim is known even if an amount is unreadable
            self.claim.values.update(
                patient_control_number=seg[1], status_code=seg[2], filing_indicator=seg[6],
                payer_claim_number=seg[7],
                charge=self.read(_decimal, seg[3], "CLP03"),
                paid=self.read(_decimal, seg[4], "CLP04"),
                patient_responsibility=self.read(_decimal, seg[5], "CLP05"))
        elif sid == "PLB":
            self.close_claim()
            payment.provider_adjustments.extend(_provider_adjustments(seg, self.read))
        elif self.claim is None:
            self.take_header(seg)
        elif self.line is None and sid != "SVC":
            self.take_claim(seg)
        else:
            self.take_line(seg)

    def take_header(self, seg: _Segment) -> None:
        if seg.id == "DTM" and seg[1] == "405":
            self.payment.values["production_date"] = self.read(_date, seg[2], "DTM02")
        elif seg.id == "REF" and seg[1] == "2U" and self.payment.in_payer:
            self.payment.payer_ref_id = seg[2]

    def take_claim(self, seg: _Segment) -> None:
        claim = self.claim
        if seg.id == "CAS":
            claim.adjustments.extend(_adjustments(seg, self.read))
        elif seg.id == "MOA":
            claim.remarks.extend(_remarks_moa(seg))
        elif seg.id == "MIA":
            claim.remarks.extend(_remarks_mia(seg))
        elif seg.id == "DTM" and seg[1] == "232":
            claim.values["statement_from"] = self.read(_date, seg[2], "DTM02")
        elif seg.id == "DTM" and seg[1] == "233":
            claim.values["statement_to"] = self.read(_date, seg[2], "DTM02")

    def take_line(self, seg: _Segment) -> None:
        if seg.id == "SVC":
            self.line = _Line()
            self.claim.lines.append(self.line)
            self.line.values.update(
                procedure=_procedure(seg, 1),
                charge=self.read(_decimal, seg[2], "SVC02"),
                paid=self.read(_decimal, seg[3], "SVC03"),
                revenue_code=seg[4], units=self.read(_decimal, seg[5], "SVC05"),
                submitted_procedure=_procedure(seg, 6))
            return
        line = self.line
        if seg.id == "CAS":
            line.adjustments.extend(_adjustments(seg, self.read))
        elif seg.id == "DTM" and seg[1] in ("472", "150"):
            line.values["service_date"] = self.read(_date, seg[2], "DTM02")
        elif seg.id == "DTM" and seg[1] == "151":
            line.values["service_date_end"] = self.read(_date, seg[2], "DTM02")
        elif seg.id == "REF" and seg[1] == "6R":
            line.values["line_control_number"] = seg[2]
        elif seg.id == "AMT" and seg[1] == "B6":
            line.values["allowed"] = self.read(_decimal, seg[2], "AMT02")
        elif seg.id == "LQ" and seg[1] == "HE":
            line.remarks.append(seg[2])


def _read_interchange(interchange: _Interchange) -> list[Payment]:
    collector = _ErrorCollector()
    reader = _Reader()
    try:
        context = pyx12.x12context.X12ContextReader(
            pyx12.params.params(), collector, io.StringIO(_normalised_text(interchange)))
        with context:
            nodes = context.iter_segments()
            while True:
                try:
                    node = next(nodes)
                except StopIteration:
                    break
                except (pyx12.errors.X12Error, pyx12.errors.EngineError):
                    raise
                except Exception as error:  # the library tripped over malformed text
                    raise EraProblem(
                        "not a readable 835 remittance: the X12 reader stopped after segment "
                        f"{context.src.get_cur_line()} ({type(error).__name__})") from None
                seg = _Segment(node.seg_data)
                reader.noted.clear()
                reader.take(seg)
                for problem in collector.drain():
                    if problem.split(":")[0] not in reader.noted:  # said once, in our words
                        reader.problem(f"{seg.id}: {problem}")
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as error:
        raise EraProblem(f"not a readable 835 remittance: {_first_line(error)}") from None
    if reader.payment is not None or not reader.seen_iea:
        raise EraProblem("the file is cut short: a transaction set has no SE trailer")
    return reader.payments


def _shown(code: str) -> str:
    """A code from the file as it may appear in a message: short and plain, or not at all."""
    return code if re.fullmatch(r"[A-Za-z0-9]{1,6}", code) else "unrecognised"


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:120] if text else type(error).__name__


def read_835(text: str) -> RemittanceBatch:
    """Read the text of an 835 file (one or more interchanges) into a :class:`RemittanceBatch`.

    Raises :class:`EraProblem` (one line) when the text is not X12, not an 835, or cut short.
    A claim with segments that cannot be read in full is still returned, with its ``problems``.
    """
    if not isinstance(text, str):
        raise EraProblem("the remittance must be given as text")
    payments: list[Payment] = []
    for interchange in _split_interchanges(text):
        payments.extend(_read_interchange(interchange))
    if not payments:
        raise EraProblem("the file holds no 835 transaction set")
    return RemittanceBatch(payments=tuple(payments))
