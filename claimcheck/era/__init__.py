"""Electronic remittances (X12 835): reading them into plain records.

``read_835(text)`` returns a :class:`RemittanceBatch`; see :mod:`claimcheck.era.records` for
what each record holds and :mod:`claimcheck.era.read` for how files are read.
"""

from claimcheck.era.read import EraProblem, read_835
from claimcheck.era.records import (
    Adjustment,
    ClaimPayment,
    Payment,
    Procedure,
    ProviderAdjustment,
    RemittanceBatch,
    ServicePayment,
)

__all__ = [
    "Adjustment", "ClaimPayment", "EraProblem", "Payment", "Procedure", "ProviderAdjustment",
    "RemittanceBatch", "ServicePayment", "read_835",
]
