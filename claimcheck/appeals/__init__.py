"""Appeals: one printable letter per appealable denied claim, and an Appeals Log.

* :mod:`.plan` decides which claims get a letter (:func:`plan_appeals`, :class:`AppealPlan`);
* :mod:`.letter` lays out one letter as rows of plain values (:class:`AppealLetter`);
* :mod:`.xlsx` writes the appeal sheets and the Appeals Log with openpyxl;
* :mod:`.docx` writes the same letters as Word documents (optional python-docx);
* :mod:`.command` is ``claimcheck appeals`` (:func:`run_appeals`).
"""

from .command import run_appeals
from .letter import ALWAYS_ENCLOSED, ARGUMENTS, TABLE_HEADER, AppealLetter, LetterRow, build_letter
from .plan import LOG_HEADER, LOG_SHEET, AppealPlan, plan_appeals, sheet_name_for
from .xlsx import apply_letter_setup, write_appeals

__all__ = [
    "run_appeals", "ALWAYS_ENCLOSED", "ARGUMENTS", "TABLE_HEADER", "AppealLetter", "LetterRow", "build_letter",
    "LOG_HEADER", "LOG_SHEET", "AppealPlan", "plan_appeals", "sheet_name_for", "apply_letter_setup", "write_appeals",
]
