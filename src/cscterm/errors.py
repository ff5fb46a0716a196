"""Domain errors raised by services and shown to people by the TUI and CLI.

Each error carries a message key and its parameters; ``str(error)`` renders it
in the current UI language, so the same error reads right in both.
"""

from __future__ import annotations

from cscterm.i18n import t


class DomainError(Exception):
    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def __str__(self) -> str:
        return t(self.key, **self.params)


class NotAllowed(DomainError):
    """The acting user's role does not permit this."""


class NotFound(DomainError):
    """The record does not exist or is not visible to the acting user."""


class Invalid(DomainError):
    """Input failed validation; the message names the field."""


class Conflict(DomainError):
    """A concurrent change or a uniqueness rule prevents this."""
