"""`incident-tui review`: the DSL's review screens in their own app.

The review only reads the record: it opens on the list over a read-only store,
and a decision is appended through a writer opened for that one append.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.screen import Screen

from incident_tui.people import Person
from incident_tui.record.store import Store
from incident_tui.settings import Settings
from incident_tui.tui.app_base import AppBase
from incident_tui.tui.screens.help import REVIEW_HELP_TEXT


class ReviewApp(AppBase):
    TITLE = "incident-tui review"
    HELP = REVIEW_HELP_TEXT

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        theme: str | None = None,
        person: Person | None = None,
        procedures: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(mode=store.mode, settings=settings, theme=theme)
        self.person = person
        self.procedures = procedures
        """Each flow id's short name, for the list."""
        self.store = store
        """The record, for reading."""

    def first_screen(self) -> Screen[Any]:
        from incident_tui.tui.review.list_screen import ReviewScreen

        return ReviewScreen(
            self.store, self.settings, person=self.person, procedures=self.procedures
        )

    def quit_message(self) -> str:
        return "Every review decision recorded is saved."

    def on_unmount(self) -> None:
        self.store.close()


__all__ = ["ReviewApp"]
