"""A plain message instead of a traceback (e.g. a record folder that cannot be written)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Footer, Static

from incident_tui.tui.screens.base import AppScreen


class MessageScreen(AppScreen):
    BINDINGS = [Binding("escape", "app.quit", "Quit", id="message-quit")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        yield self.mode_banner()
        with Vertical(id="message", classes="dialog"):
            yield Static(self.title_text, classes="section-title", markup=False)
            yield Static(self.message, id="message-text", markup=False)
            yield Button("Quit", id="quit", variant="primary")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.app.exit()
