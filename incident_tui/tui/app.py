"""The live app: one factory used by the `incident-tui` command and by the tests.

The app holds what every screen needs (mode, settings, flows, the open
store) and nothing about any procedure: screens ask `Incident.session` what to
show and tell `Incident` what was decided. Keys, styles, help and quitting
come from `AppBase`, shared with the training and review apps.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.screen import Screen

from incident_tui.errors import UserError
from incident_tui.locations import Mode, Paths
from incident_tui.record.events import Actor
from incident_tui.settings import Settings, load_settings
from incident_tui.tui.app_base import AppBase
from incident_tui.tui.last_actor import load_last_actor, save_last_actor

if TYPE_CHECKING:
    from incident_tui.flow.loader import LoadedFlow, Problem
    from incident_tui.incident import Incident, Opening
    from incident_tui.people import Person
    from incident_tui.record.store import IndexRow, Store
    from incident_tui.tui.screens.home import HomeScreen


class IncidentApp(AppBase):
    """incident-tui: one clear step at a time, every decision recorded before the next."""

    TITLE = "incident-tui"

    def __init__(
        self,
        *,
        paths: Paths | None = None,
        mode: Mode = "live",
        flows: dict[str, LoadedFlow] | None = None,
        settings: Settings | None = None,
        store: Store | None = None,
        theme: str | None = None,
        person: Person | None = None,
    ) -> None:
        paths = paths or Paths.from_environment()
        super().__init__(
            mode=mode, settings=settings or load_settings(paths.config_file), theme=theme
        )
        self.paths = paths
        """Where the record, the key, the settings and local flows are."""
        self.person = person
        """The signed-in person on a school server; None on one computer (typed names)."""
        self._flows = flows
        self.flow_problems: list[Problem] = []
        """Why any flow file in the folders is not offered (FILE:LINE: what)."""
        self.store: Store | None = store
        self.store_problem: str | None = None
        self.incident: Incident | None = None
        """The incident on screen, if any (it stays open in the record when left)."""

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
        if self.person is not None:
            return None  # the signed-in person is the actor: no name is remembered
        return load_last_actor(self.config_dir)

    def actor(self, typed: Actor | None = None) -> Actor:
        """Who is recording: the signed-in person, else the name and role typed."""
        if self.person is not None:
            return self.person.actor()
        if typed is None:
            raise UserError("say who you are: your name and role")
        return typed

    def remember(self, actor: Actor) -> None:
        if self.person is None:
            save_last_actor(self.config_dir, actor)

    def visible_rows(self, rows: Iterable[IndexRow] | None = None) -> list[IndexRow]:
        """The incidents in the record (or of `rows`, read from it) the signed-in person
        may see (all on one computer). For a member of staff each row's first event is
        read to see whose it is: pass only the rows that will be shown."""
        from incident_tui.permissions import visible_rows

        store = self.store
        if store is None:
            return []
        return visible_rows(self.person, store, store.rows() if rows is None else rows)

    def open_store(self) -> None:
        """Open the record for writing, or note why not (a folder that cannot be written)."""
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
        from incident_tui.permissions import Can, require

        require(self.person, Can.start)
        self.leave_incident()
        incident = Incident.open(self.writable_store(), loaded, opening, self.settings)
        self._keep_parts(incident)
        self.remember(opening.actor)
        self.incident = incident
        return incident

    def _keep_parts(self, incident: Incident) -> None:
        """Live, each person answers only their own part and hands over where it ends;
        in training the trainee plays every part, as ever."""
        if self.mode == "live":
            incident.keep_parts(self.person)

    def take_over_incident(
        self, reference: str, typed: Actor | None, incident: Incident | None = None
    ) -> Incident:
        """Take over an incident handed over (the one on screen, or resumed from the
        record) as the signed-in person, or on one computer as the name typed."""
        from incident_tui.permissions import require_take_over

        actor = self.actor(typed)
        if incident is None or incident.reference != reference:
            incident = self.resume_incident(reference, actor)
        part = incident.awaiting
        if part is None:
            return incident  # already taken over: continue it
        require_take_over(self.person, part, incident.reference)
        incident.take_over(actor)
        self.remember(actor)
        self.incident = incident
        return incident

    def go_home(self) -> None:
        """Back to the home screen, whatever is on screen."""
        self._go_home()

    def resume_incident(self, reference: str, actor: Actor) -> Incident:
        """Rebuild an open incident from its record, at exactly the step reached."""
        from incident_tui.incident import Incident, not_continued_here
        from incident_tui.permissions import part_taken_by, require_continue_row, started_by

        store = self.writable_store()
        self.leave_incident()
        row = store.row(reference)
        events = store.events(row.id)
        require_continue_row(self.person, started_by(events), row, part_taken_by(events))
        refusal = not_continued_here(row)
        if refusal is not None:
            raise UserError(refusal)
        loaded = self.flows.get(row.flow_id)
        if loaded is None:
            raise UserError(
                f"incident {row.reference} uses the procedure '{row.flow_id}', "
                "which is not installed here; its record is intact"
            )
        incident = Incident.resume(store, loaded, row.reference, self.settings, actor)
        self._keep_parts(incident)
        self.remember(actor)
        self.incident = incident
        return incident

    def leave_incident(self) -> None:
        """No incident on screen any more: other sessions may continue it now."""
        if self.store is not None:
            self.store.let_go_all()

    # --- lifecycle -------------------------------------------------------------

    def first_screen(self) -> Screen[Any]:
        """Home, once the record is open for writing; else why it cannot be."""
        self.open_store()
        from incident_tui.tui.screens.message import MessageScreen

        if self.store is None:
            return MessageScreen(self.store_unavailable, self.store_problem or "")
        return self.opening_screen()

    store_unavailable = "The record cannot be opened"

    def opening_screen(self) -> Screen[Any]:
        from incident_tui.tui.screens.home import HomeScreen

        return HomeScreen()

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()

    # --- actions -----------------------------------------------------------------

    def help_text(self) -> str:
        from incident_tui.tui.screens.help import HELP_TEXT  # read when F1 is pressed

        return HELP_TEXT

    def quit_message(self) -> str:
        incident = self.incident
        if incident is not None and not incident.sealed:
            return (
                f"Incident {incident.reference} stays open: everything answered so far is "
                "saved, and you can resume it at this step next time."
            )
        return "Any unfinished incident stays open and can be resumed next time."

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
        yield from super().get_system_commands(screen)
