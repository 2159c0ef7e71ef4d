"""The words of the child's file screens (date of birth, retention, holds, disposal),
as data in `child_file.toml` beside this module: the screens only lay them out.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from incident_tui.safe_text import printable
from incident_tui.tomlfile import parse_toml_model

WORDS_FILE = "child_file.toml"

Text = str


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def say(self, key: str, **values: object) -> str:
        """The words `key`, with {names} filled in; safe to show (`printable`)."""
        template: str = getattr(self, key)
        return printable(template.format(**{k: str(v) for k, v in values.items()}))


class RetentionWords(_Words):
    rule: Text = Field(min_length=1)
    born: Text = Field(min_length=1)
    due_now: Text = Field(min_length=1)
    no_date_of_birth: Text = Field(min_length=1)
    held: Text = Field(min_length=1)
    no_hold: Text = Field(min_length=1)


class DateOfBirthWords(_Words):
    title: Text = Field(min_length=1)
    help: Text = Field(min_length=1)
    date_label: Text = Field(min_length=1)
    saved: Text = Field(min_length=1)


class CorrectionWords(DateOfBirthWords):
    reason_label: Text = Field(min_length=1)


class DisposalWords(_Words):
    title: Text = Field(min_length=1)
    what_happens: Text = Field(min_length=1)
    rule_label: Text = Field(min_length=1)
    reason_label: Text = Field(min_length=1)
    rule_missing: Text = Field(min_length=1)
    reason_missing: Text = Field(min_length=1)
    refused: Text = Field(min_length=1)
    confirm_title: Text = Field(min_length=1)
    confirm: Text = Field(min_length=1)
    keep: Text = Field(min_length=1)
    go: Text = Field(min_length=1)
    done: Text = Field(min_length=1)


class ChildFileWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    retention: RetentionWords
    date_of_birth: DateOfBirthWords
    correct_date_of_birth: CorrectionWords
    disposal: DisposalWords


@lru_cache(maxsize=1)
def child_file_words() -> ChildFileWords:
    """The shipped words, from child_file.toml beside this module."""
    text = files("incident_tui.review").joinpath(WORDS_FILE).read_text(encoding="utf-8")
    return parse_toml_model(ChildFileWords, text, WORDS_FILE)


__all__ = ["ChildFileWords", "child_file_words"]
