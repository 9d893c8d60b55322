"""The one exception the whole engine raises for input that cannot be used."""


class UnusableInput(Exception):
    """The input cannot be used; the message is one plain line for the biller."""
