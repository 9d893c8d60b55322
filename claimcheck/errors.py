"""The exceptions the engine raises for input it cannot use and output it cannot write."""


class UnusableInput(Exception):
    """The input cannot be used; the message is one plain line for the biller."""


class CannotWrite(UnusableInput, OSError):
    """An output file could not be written (a full disk, a read-only folder ...).  The message is
    one plain line naming the file the biller asked for, never a temporary file; it is also an
    :class:`OSError` (``errno``, ``filename``) for callers that handle those."""

    def __init__(self, errno: int, message: str, filename: str | None = None):
        OSError.__init__(self, errno, message, filename)

    def __str__(self) -> str:
        return str(self.strerror)
