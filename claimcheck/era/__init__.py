"""Electronic remittances (X12 835): reading them into plain records and posting them.

``read_835(text)`` returns a :class:`RemittanceBatch`; see :mod:`claimcheck.era.records` for
what each record holds and :mod:`claimcheck.era.read` for how files are read.
``post_era(book, era_texts, as_of)`` (:mod:`claimcheck.era.post`) says what posting them to a
workbook does.

The names are loaded on first use, so importing a submodule (the ERA findings the rule registry
loads) does not load the X12 library.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "EraProblem": "claimcheck.era.read", "read_835": "claimcheck.era.read",
    "Adjustment": "claimcheck.era.records", "ClaimPayment": "claimcheck.era.records",
    "Payment": "claimcheck.era.records", "Procedure": "claimcheck.era.records",
    "ProviderAdjustment": "claimcheck.era.records", "RemittanceBatch": "claimcheck.era.records",
    "ServicePayment": "claimcheck.era.records",
    "EraPosting": "claimcheck.era.postings", "post_era": "claimcheck.era.post",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
