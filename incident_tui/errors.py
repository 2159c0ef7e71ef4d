"""Errors a user can act on: each carries the message they will read.

Anything raised as a `UserError` is printed as one or more plain lines (never a
traceback) and sets the exit status.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with input, files or the environment that the user can fix."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0])
