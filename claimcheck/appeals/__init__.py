"""Appeals: one printable letter per appealable denied claim, and an Appeals Log.

* :mod:`.plan` decides which claims get a letter (:func:`plan_appeals`, :class:`AppealPlan`);
* :mod:`.letter` lays out one letter as rows of plain values (:class:`AppealLetter`);
* :mod:`.arguments` writes the argument for each denial reason, :mod:`.formats` how a letter writes values;
* :mod:`.log` keeps the Appeals Log a work queue: the biller's columns survive a re-run (:func:`merge_log`);
* :mod:`.xlsx` writes the appeal sheets and the Appeals Log with openpyxl;
* :mod:`.docx` writes the same letters as Word documents (optional python-docx);
* :mod:`.practice` reads the Practice sheet (letterhead and signer: :func:`read_practice`);
* :mod:`.command` is ``claimcheck appeals`` (:func:`run_appeals`).
"""

from .command import run_appeals
from .arguments import ARGUMENTS
from .letter import ALWAYS_ENCLOSED, TABLE_HEADER, AppealLetter, LetterRow, build_letter
from .log import BILLER_COLUMNS, COMPUTED_COLUMNS, LogNotReadable, merge_log, read_log
from .practice import Practice, practice_from_rows, read_practice
from .plan import LOG_HEADER, LOG_SHEET, AppealPlan, plan_appeals, sheet_name_for
from .xlsx import apply_letter_setup, write_appeals

__all__ = [
    "run_appeals", "ALWAYS_ENCLOSED", "ARGUMENTS", "TABLE_HEADER", "AppealLetter", "LetterRow", "build_letter",
    "Practice", "practice_from_rows", "read_practice", "LOG_HEADER", "LOG_SHEET", "AppealPlan", "plan_appeals", "sheet_name_for", "apply_letter_setup", "write_appeals",
    "BILLER_COLUMNS", "COMPUTED_COLUMNS", "LogNotReadable", "merge_log", "read_log",
]
