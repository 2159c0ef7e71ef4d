"""Small dialogs: quitting, a note added to the record, and refer now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from incident_tui.incident import Incident
from incident_tui.text_fields import NOTE
from incident_tui.tui.screens.base import AppModal, recorded, report_saves

NOTE_LENGTH = NOTE.limit


class ErrorDialog(AppModal):
    """Something failed in the background: said plainly, never a traceback."""

    BINDINGS = [("escape", "dismiss_none", "Close"), ("enter", "dismiss_none", "Close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="error-dialog"):
            yield Static(self.title_text, classes="section-title", markup=False)
            yield Static(self.message, id="error-text", markup=False)
            yield Button("Close (Esc)", id="close", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)


class Confirm(AppModal):
    """Dismisses True to go (quit, by default). `message` says what is left behind (the
    app's own words); leaving an incident, or starting one without the school's own
    numbers, asks with the same dialog in its own words. Stay is focused: Enter never
    leaves."""

    BINDINGS = [("escape", "dismiss_none", "Stay"), ("y", "quit_now", "Go")]

    def __init__(
        self,
        message: str,
        *,
        title: str = "Quit incident-tui?",
        stay: str = "Stay (Esc)",
        go: str = "Quit (y)",
    ) -> None:
        super().__init__()
        self.message = message
        self.title_text, self.stay_label, self.go_label = title, stay, go

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="section-title", markup=False)
            yield Static(self.message, markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.stay_label, id="stay", variant="primary")
                yield Button(self.go_label, id="quit")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")

    def action_quit_now(self) -> None:
        self.dismiss(True)


class ConfirmQuit(Confirm):
    """Quit the app, after asking."""


def ask_for_note(screen: Screen[Any], incident: Incident, refresh: Callable[[], None]) -> None:
    """Open the note dialog over `screen`; once a note is recorded, say so and refresh."""

    def closed(recorded: bool | None) -> None:
        if recorded:
            screen.notify("Note recorded.")
            report_saves(screen, incident)
            refresh()

    screen.app.push_screen(NoteDialog(incident), closed)


class NoteDialog(AppModal):
    """A short factual note, added to the record as it stands (also after the seal).

    Dismisses True once the note is recorded; Escape records nothing.
    """

    BINDINGS = [("escape", "dismiss_none", "Cancel")]

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note-dialog"):
            yield Static(
                f"Add a note to {self.incident.reference} ({self.mode_word()})",
                classes="section-title",
                markup=False,
            )
            hint = (
                "What happened or was said, as facts. It is added to the record with the "
                "time and your name, and cannot be changed afterwards."
            )
            if self.incident.flow.text_hint:
                hint += " " + self.incident.text(self.incident.flow.text_hint)
            yield Static(hint, classes="hint", markup=False)
            yield Input(id="note-text", max_length=NOTE_LENGTH, placeholder="Type the note here")
            with Horizontal(classes="buttons"):
                yield Button("Record the note (Enter)", id="record-note", variant="primary")
                yield Button("Cancel (Esc)", id="cancel-note")
            yield Static("", id="note-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#note-text", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._record()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "record-note":
            self._record()
        else:
            self.dismiss(None)

    def _record(self) -> None:
        error = self.query_one("#note-error", Static)
        text = self.query_one("#note-text", Input).value.strip()
        if not text:
            error.update("Type the note first, or Esc to add nothing.")
            self.query_one("#note-text", Input).focus()
            return
        if recorded(error, lambda: self.incident.note(text)):
            self.dismiss(True)


class ReferNowDialog(AppModal):
    """Leave the path for the flow's referral route. Dismisses True once recorded."""

    BINDINGS = [("escape", "dismiss_none", "Cancel"), ("y", "refer", "Refer now")]

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident

    def compose(self) -> ComposeResult:
        refer = self.incident.flow.refer_now
        assert refer is not None
        with Vertical(classes="dialog", id="refer-dialog"):
            yield Static(self.incident.text(refer.label), classes="section-title", markup=False)
            yield Static(
                "The procedure goes straight to the referral steps from here. This is "
                "recorded with the time and your name, and stays in force even if an "
                "earlier answer is corrected."
                + (f" {self.incident.text(refer.message)}" if refer.message else ""),
                classes="hint",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button("Refer now (y)", id="refer", variant="error")
                yield Button("Cancel (Esc)", id="cancel-refer")
            yield Static("", id="refer-error", classes="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#cancel-refer", Button).focus()  # never a default that acts

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "refer":
            self.action_refer()
        else:
            self.dismiss(None)

    def action_refer(self) -> None:
        if recorded(self.query_one("#refer-error", Static), self.incident.refer_now):
            self.dismiss(True)
