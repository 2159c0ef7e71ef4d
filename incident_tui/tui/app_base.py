"""What the live, training and review apps share: the stylesheets, the keys
(F1 help, Ctrl+Q quit after asking, Ctrl+P the palette), the theme, and the
first screen pushed on mount. Each app says only what differs: its first
screen, its help, and what quitting leaves behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from incident_tui.locations import Mode
from incident_tui.settings import Settings
from incident_tui.startup import resume_collector
from incident_tui.tui.widgets.box_order import KeysInOrder

LIMIT_SHOWN_FROM = 0.8
"""A field's length limit is shown once this share of it is used."""

TUI = Path(__file__).resolve().parent

STYLESHEETS: list[str | PurePath] = [
    str(TUI / "app.tcss"),
    str(TUI / "review" / "review.tcss"),
    str(TUI / "training" / "training.tcss"),
]
"""Every app loads them all: the live app opens the review and training screens too."""


class AppBase(KeysInOrder[str | None]):
    """One base for the three apps: the same look and the same keys everywhere."""

    CSS_PATH = STYLESHEETS  # absolute, so that the apps can live in other folders
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit (asks first)"),
        Binding("f1", "help", "Help", id="help", tooltip="Keys and how this works"),
        Binding("question_mark", "help", "Help", show=False, id="help-alt"),
    ]
    HELP: ClassVar[str] = ""
    """What F1 shows: the keys of this app and how it works (or `help_text`)."""

    def __init__(self, *, mode: Mode, settings: Settings, theme: str | None = None) -> None:
        # NO_COLOR: the terminal's own colours. Textual picks its NO_COLOR filter when
        # the app is made: with its own RGB theme that is a grey-scale that a 256-colour
        # terminal draws black on black; with ANSI colours, every colour is dropped for
        # the terminal's default, and app.tcss gives emphasis by bold / reverse instead.
        no_color = "NO_COLOR" in os.environ
        super().__init__(ansi_color=True if no_color else None)
        self.mode: Mode = mode
        self.settings = settings
        self._wanted_theme = theme or ("ansi-dark" if no_color else None)

    def first_screen(self) -> Screen[Any]:
        """The screen the app opens on."""
        raise NotImplementedError

    def help_text(self) -> str:
        """What F1 shows (HELP, unless an app reads it only when asked)."""
        return self.HELP

    def quit_message(self) -> str:
        """What the quit dialog says is left behind."""
        return "Everything recorded so far is saved."

    def on_mount(self) -> None:
        if self._wanted_theme:
            self.theme = self._wanted_theme
        self.push_screen(self.first_screen())
        # drawn: start-up is over (see incident_tui.startup)
        self.call_after_refresh(resume_collector, freeze=True)

    async def action_quit(self) -> None:
        from incident_tui.tui.screens.dialogs import ConfirmQuit

        if isinstance(self.screen, ConfirmQuit):
            return

        def answered(sure: bool | None) -> None:
            if sure:
                self.exit()

        self.push_screen(ConfirmQuit(self.quit_message()), answered)

    def action_help(self) -> None:
        from incident_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_text()))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Near a field's limit, its border says how much is left, as the user types
        (the record refuses more, and the box stops taking it)."""
        field = event.input
        if field.max_length:
            used = len(event.value)
            near = used >= field.max_length * LIMIT_SHOWN_FROM
            field.border_subtitle = f"{used:,} of {field.max_length:,} characters" if near else ""

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Help", "Keys and how this works", self.action_help)
        # No Screenshot: Textual's writes a world-readable SVG of the screen (pupil
        # reference, decisions) to ~/Downloads, outside the private record.
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused whatever asks for it: a screenshot would copy the record out of its
        private folder."""
        self.notify(
            "Screenshots are turned off: the screen shows parts of the record, which stay "
            "in the private record folder. Export the incident instead.",
            severity="warning",
            markup=False,
        )


__all__ = ["STYLESHEETS", "AppBase"]
