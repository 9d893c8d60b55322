"""claimcheck: a claim scrubber, authorization tracker and appeal writer for behavioral-health
billers.  The engine never imports xlwings; see ``claimcheck.api`` for the entry points."""

__version__ = "0.1.0"
