"""The hand-over between the parts of a procedure, and taking an incident over.

Every word about a part comes from the flow's [parts]; who may take what over is
asked of permissions.py. The hand-over event is recorded before the hand-over
screen is shown (StepScreen), so what this screen says has already happened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from incident_tui.errors import UserError
from incident_tui.flow.engine import EngineError
from incident_tui.people import ROLE_WORDS
from incident_tui.permissions import PART_ROLES, may_take_over
from incident_tui.record.events import Actor
from incident_tui.safe_text import printable
from incident_tui.text_fields import ACTOR_NAME, ACTOR_ROLE
from incident_tui.tui.present import when_text
from incident_tui.tui.screens.base import AppScreen, not_saved
from incident_tui.tui.widgets.box_order import EnterToNextBox

if TYPE_CHECKING:
    from incident_tui.incident import Incident


class HandoverScreen(AppScreen):
    """Your part is done: said in the flow's words. The incident is handed over."""

    BINDINGS = [
        Binding("escape", "home", "Home", id="handover-home"),
        Binding("t", "take_over", "Take it over here", id="handover-take", show=False),
    ]

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident

    def compose(self) -> ComposeResult:
        incident = self.incident
        awaited = incident.awaiting or incident.session.part
        _, done = incident.part_words(incident.holding)
        title, _ = incident.part_words(awaited)
        words = incident.flow.parts.get(awaited)  # type: ignore[call-overload]
        heading = incident.text(words.awaiting) if words and words.awaiting else title
        detail = f"{incident.reference} · {incident.flow.shown_short}"
        yield self.mode_banner(detail)
        with VerticalScroll(id="handover", classes="dialog"):
            yield Static(printable(done), id="handover-done", classes="prompt", markup=False)
            yield Static(
                printable(f"Handed over to: {title}. It is now {heading}.", one_line=True),
                id="handover-to",
                markup=False,
            )
            if self.ctx.person is None:
                yield Static(
                    "On this computer: pass the keyboard to whoever takes it over. They "
                    "confirm their name, and continue from here (t). It also waits on the "
                    f"home screen under {printable(heading, one_line=True)}.",
                    id="handover-pass",
                    classes="hint",
                    markup=False,
                )
            else:
                yield Static(
                    f"It is shown at the top of their home screen, under "
                    f"{printable(heading, one_line=True)}. You cannot continue it from "
                    "here: everything you answered is saved.",
                    id="handover-told",
                    classes="hint",
                    markup=False,
                )
            yield Static("", id="handover-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Home (Esc)", id="home", variant="primary")
                if self.ctx.person is None:
                    yield Button("Take it over here (t)", id="take")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#home", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "take_over" and self.ctx.person is not None:
            return None  # on a server the DSL takes it over in her own session
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "home":
            self.action_home()
        elif event.button.id == "take":
            self.action_take_over()

    def action_home(self) -> None:
        self.ctx.leave_incident()
        self.ctx.incident = None
        self.ctx.go_home()

    def action_take_over(self) -> None:
        if self.ctx.person is not None:
            return
        self.app.switch_screen(TakeOverScreen(self.incident.reference, incident=self.incident))


class TakeOverScreen(EnterToNextBox, AppScreen):
    """Take over an incident handed over: the flow's question, who is taking it (the
    signed-in person, or on one computer a name confirmed here), then the steps."""

    BINDINGS = [Binding("escape", "back", "Back", id="takeover-back")]

    def __init__(self, reference: str, *, incident: Incident | None = None) -> None:
        super().__init__()
        self.reference = reference
        self.incident = incident
        """The incident on screen, when it is taken over where it was handed over."""

    def _row_words(self) -> tuple[str, str, str, str]:
        """The take-over question, the part's title, who handed it over and when."""
        store = self.ctx.store
        row = store.row(self.reference) if store is not None else None
        part = (row.awaiting if row else None) or (self.incident.awaiting if self.incident else "")
        loaded = self.ctx.flows.get(row.flow_id if row else "") if row else None
        flow = loaded.flow if loaded else (self.incident.flow if self.incident else None)
        words = flow.parts.get(part) if flow and part else None  # type: ignore[call-overload]
        asked = words.take_over if words and words.take_over else "Take this incident over."
        title = words.title if words else part or ""
        by = row.handed_by if row and row.handed_by else "-"
        at = when_text(row.handed_at) if row and row.handed_at else "-"
        return asked, title, by, at

    def compose(self) -> ComposeResult:
        try:
            asked, title, by, at = self._row_words()
        except UserError as exc:
            asked, title, by, at = exc.message, "", "-", "-"
        settings = self.ctx.settings
        from incident_tui.settings import fill

        yield self.mode_banner(printable(self.reference, one_line=True))
        with VerticalScroll(id="takeover", classes="dialog"):
            yield Static(
                printable(f"Take over incident {self.reference}", one_line=True),
                classes="section-title",
                markup=False,
            )
            yield Static(printable(fill(asked, settings)), id="takeover-asked", markup=False)
            yield Static(
                printable(f"{title}: handed over by {by}, {at}.", one_line=True),
                id="takeover-from",
                classes="hint",
                markup=False,
            )
            person = self.ctx.person
            if person is not None:
                actor = person.actor()
                yield Static(
                    printable(
                        f"Taken over as {actor.name} ({actor.role}, {person.login}): "
                        "everything you record from here is recorded as you.",
                        one_line=True,
                    ),
                    id="signed-in",
                    markup=False,
                )
            else:
                part = self._part()
                role = ROLE_WORDS[PART_ROLES[part]] if part in PART_ROLES else ""
                with Horizontal(classes="form-row"):
                    yield Label("Your name")
                    yield Input(id="name", max_length=ACTOR_NAME.limit)
                with Horizontal(classes="form-row"):
                    yield Label("Your role")
                    yield Input(role, id="role", max_length=ACTOR_ROLE.limit)
                yield Static(
                    "Whoever takes it over confirms their own name: it is recorded as the "
                    "person who answers from here.",
                    classes="hint",
                    markup=False,
                )
            yield Static("", id="takeover-error", classes="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Take it over (Enter)", id="take", variant="primary")
                yield Button("Back (Esc)", id="back")
        yield Footer()

    def _part(self) -> str:
        store = self.ctx.store
        try:
            row = store.row(self.reference) if store is not None else None
        except UserError:
            row = None
        if row is not None and row.awaiting:
            return row.awaiting
        return self.incident.awaiting or "" if self.incident else ""

    def on_mount(self) -> None:
        fields = self.query(Input)
        if fields:
            fields.first().focus()
        else:
            self.query_one("#take", Button).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.next_box(event.input) is None:
            self.take()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "take":
            self.take()
        elif event.button.id == "back":
            self.action_back()

    def action_back(self) -> None:
        self.ctx.leave_incident()
        self.ctx.incident = None
        self.ctx.go_home()

    def take(self) -> None:
        from incident_tui.tui.screens.step import StepScreen

        error = self.query_one("#takeover-error", Static)
        typed = None
        if self.ctx.person is None:
            name = self.query_one("#name", Input).value.strip()
            role = self.query_one("#role", Input).value.strip()
            if not name or not role:
                error.update("Please fill in your name and your role.")
                return
            typed = Actor(name=name, role=role)
        try:
            incident = self.ctx.take_over_incident(self.reference, typed, self.incident)
        except UserError as exc:
            error.update(not_saved(exc) if exc.exit_code != 3 else printable(exc.message))
            return
        except EngineError as exc:
            error.update(printable(f"Not taken over: {exc}"))
            return
        self.app.switch_screen(StepScreen(incident))


__all__ = ["HandoverScreen", "TakeOverScreen", "may_take_over"]
