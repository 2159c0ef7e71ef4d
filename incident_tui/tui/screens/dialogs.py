"""Small dialogs: quitting."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from incident_tui.tui.screens.base import AppModal


class ConfirmQuit(AppModal):
    """Dismisses True to quit. Says an incident in progress stays open."""

    BINDINGS = [("escape", "dismiss_none", "Stay"), ("y", "quit_now", "Quit")]

    def __init__(self, reference: str | None) -> None:
        super().__init__()
        self.reference = reference

    def compose(self) -> ComposeResult:
        if self.reference:
            message = (
                f"Incident {self.reference} stays open: everything answered so far is "
                "saved, and you can resume it at this step next time."
            )
        else:
            message = "Any unfinished incident stays open and can be resumed next time."
        with Vertical(classes="dialog"):
            yield Static("Quit incident-tui?", classes="section-title", markup=False)
            yield Static(message, markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Stay (Esc)", id="stay", variant="primary")
                yield Button("Quit (y)", id="quit")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")

    def action_quit_now(self) -> None:
        self.dismiss(True)
