"""The Textual app: one factory used by the `incident-tui` command and by the tests.

The app holds what every screen needs (mode, settings, flows, the open
store) and nothing about any procedure: screens ask `Incident.session` what to
show and tell `Incident` what was decided.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from incident_tui.errors import UserError
from incident_tui.locations import Mode, Paths
from incident_tui.record.events import Actor
from incident_tui.settings import Settings, load_settings
from incident_tui.tui.last_actor import load_last_actor, save_last_actor

if TYPE_CHECKING:
    from incident_tui.flow.loader import LoadedFlow, Problem
    from incident_tui.incident import Incident, Opening
    from incident_tui.record.store import Store
    from incident_tui.tui.screens.home import HomeScreen


class IncidentApp(App[str | None]):
    """incident-tui: one clear step at a time, every decision recorded before the next."""

    CSS_PATH = str(
        Path(__file__).resolve().parent / "app.tcss"
    )  # absolute: subclasses live elsewhere
    TITLE = "incident-tui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit (an open incident stays open)"),
        Binding("f1", "help", "Help", id="help", tooltip="Keys and how this works"),
        Binding("question_mark", "help", "Help", show=False, id="help-alt"),
    ]

    def __init__(
        self,
        *,
        paths: Paths | None = None,
        mode: Mode = "live",
        flows: dict[str, LoadedFlow] | None = None,
        settings: Settings | None = None,
        store: Store | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        self.mode: Mode = mode
        self.paths = paths or Paths.from_environment()
        """Where the record, the key, the settings and local flows are."""
        self.settings = settings or load_settings(self.paths.config_file)
        self._flows = flows
        self.flow_problems: list[Problem] = []
        """Why any flow file in the folders is not offered (FILE:LINE: what)."""
        self.store: Store | None = store
        self.store_problem: str | None = None
        self.incident: Incident | None = None
        """The incident on screen, if any (it stays open in the record when left)."""
        self._wanted_theme = theme or ("ansi-dark" if os.environ.get("NO_COLOR") else None)

    # --- what the screens need ---------------------------------------------------

    @property
    def flows(self) -> dict[str, LoadedFlow]:
        """The procedures on offer: every flow file that loads and passes the linter."""
        if self._flows is None:
            from incident_tui.flow.available import available_flows

            available = available_flows(self.paths.local_flows_dir)
            self._flows = available.flows
            self.flow_problems = available.problems
        return self._flows

    @property
    def store_root(self) -> Path:
        return self.paths.store_dir(self.mode)

    @property
    def config_dir(self) -> Path:
        return self.paths.config

    def last_actor(self) -> Actor | None:
        return load_last_actor(self.config_dir)

    def open_store(self) -> None:
        """Open the record for writing, or note why not (another copy is recording)."""
        if self.store is not None:
            return
        from incident_tui.record.access import open_record

        try:
            self.store = open_record(self.paths, self.mode, write=True)
        except UserError as exc:
            self.store_problem = exc.message

    def writable_store(self) -> Store:
        if self.store is None:
            raise UserError(self.store_problem or "the record is not open")
        return self.store

    def open_incident(self, loaded: LoadedFlow, opening: Opening) -> Incident:
        """Record the `opened` event and make this the incident on screen."""
        from incident_tui.incident import Incident

        incident = Incident.open(self.writable_store(), loaded, opening, self.settings)
        save_last_actor(self.config_dir, opening.actor)
        self.incident = incident
        return incident

    def resume_incident(self, reference: str, actor: Actor) -> Incident:
        """Rebuild an open incident from its record, at exactly the step reached."""
        from incident_tui.incident import Incident

        store = self.writable_store()
        row = store.row(reference)
        loaded = self.flows.get(row.flow_id)
        if loaded is None:
            raise UserError(
                f"incident {row.reference} uses the procedure '{row.flow_id}', "
                "which is not installed here; its record is intact"
            )
        incident = Incident.resume(store, loaded, row.reference, self.settings, actor)
        save_last_actor(self.config_dir, actor)
        self.incident = incident
        return incident

    # --- lifecycle -------------------------------------------------------------

    def on_mount(self) -> None:
        if self._wanted_theme:
            self.theme = self._wanted_theme
        self.open_store()
        from incident_tui.tui.screens.home import HomeScreen
        from incident_tui.tui.screens.message import MessageScreen

        if self.store is None:
            self.push_screen(MessageScreen("The record cannot be opened", self.store_problem or ""))
        else:
            self.push_screen(HomeScreen())

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()

    # --- actions -----------------------------------------------------------------

    async def action_quit(self) -> None:
        from incident_tui.tui.screens.dialogs import ConfirmQuit

        if isinstance(self.screen, ConfirmQuit):
            return
        reference = self.incident.reference if self.incident and not self.incident.sealed else None

        def answered(sure: bool | None) -> None:
            if sure:
                self.exit()

        self.push_screen(ConfirmQuit(reference), answered)

    def action_help(self) -> None:
        from incident_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_new_incident(self) -> None:
        if home := self._go_home():
            home.action_new()

    def action_resume(self) -> None:
        if home := self._go_home():
            home.action_resume()

    def _go_home(self) -> HomeScreen | None:
        """Back to the home screen (an incident on screen stays open in the record)."""
        from incident_tui.tui.screens.home import HomeScreen

        homes = [s for s in self.screen_stack if isinstance(s, HomeScreen)]
        if not homes:
            self.notify("The record is not open, so this is not available.", severity="warning")
            return None
        while self.screen is not homes[0]:
            self.pop_screen()
        return homes[0]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("New incident", "Start a new incident", self.action_new_incident)
        yield SystemCommand("Resume", "Resume an unfinished incident", self.action_resume)
        yield SystemCommand("Help", "Keys and how this works", self.action_help)
        yield from super().get_system_commands(screen)
