"""Before an incident: only what the record needs (who you are, which pupil, where)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from incident_tui.errors import UserError
from incident_tui.flow.engine import EngineError
from incident_tui.record.events import Actor
from incident_tui.safe_text import printable
from incident_tui.text_fields import ACTOR_NAME, ACTOR_ROLE, LOCATION, PUPIL, pupil_references
from incident_tui.tui.screens.base import AppScreen
from incident_tui.tui.widgets.box_order import EnterToNextBox

OTHER_PUPILS = "other-pupils"


class IdentityScreen(EnterToNextBox, AppScreen):
    """Start a new incident (flow_id) or resume an open one (resume = its reference)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back")]

    def __init__(self, *, flow_id: str | None = None, resume: str | None = None) -> None:
        super().__init__()
        self.flow_id = flow_id
        self.resume_reference = resume

    def compose(self) -> ComposeResult:
        last = self.ctx.last_actor()
        if self.flow_id:
            heading = f"New incident: {self.ctx.flows[self.flow_id].flow.title}"
        else:
            heading = f"Resume incident {printable(self.resume_reference or '', one_line=True)}"
        yield self.mode_banner()
        with VerticalScroll(id="identity"):
            yield Static(heading, classes="section-title", markup=False)
            person = self.ctx.person
            if person is not None:
                # on a school server OpenSSH says who this is: no name is typed
                yield Static(
                    f"Signed in as {printable(person.actor().name, one_line=True)} "
                    f"({person.actor().role}, {person.login}): everything you record here "
                    "is recorded as you.",
                    id="signed-in",
                    markup=False,
                )
            else:
                with Horizontal(classes="form-row"):
                    yield Label("Your name")
                    yield Input(last.name if last else "", id="name", max_length=ACTOR_NAME.limit)
            if last:
                yield Static(
                    "Filled in from the last incident on this computer "
                    f"({printable(last.name, one_line=True)}). "
                    "If that is not you, just type your own name and role.",
                    id="remembered",
                    classes="hint",
                    markup=False,
                )
            if person is None:
                with Horizontal(classes="form-row"):
                    yield Label("Your role")
                    yield Input(
                        last.role if last else "",
                        id="role",
                        max_length=ACTOR_ROLE.limit,
                        placeholder="e.g. teacher, DSL, head of year",
                    )
            if self.flow_id:
                with Horizontal(classes="form-row"):
                    yield Label("Pupil reference")
                    yield Input(id="pupil", max_length=PUPIL.limit, placeholder="e.g. P-1001")
                with Horizontal(classes="form-row"):
                    yield Label("Other pupils")
                    yield Input(id=OTHER_PUPILS, placeholder="Tab here: references, if any")
                yield Static(
                    "The school's reference (MIS id) only, never a name; other pupils "
                    "involved by their references too (Tab to that box).",
                    classes="hint",
                    markup=False,
                )
                with Horizontal(classes="form-row"):
                    yield Label("Where")
                    yield Input(
                        id="location", max_length=LOCATION.limit, placeholder="e.g. Room 12"
                    )
        # under the boxes' scrolling area: in view at 80x24 however long the form is
        with Vertical(id="identity-go"):
            yield Static("", id="identity-error", classes="error", markup=False)
            yield Button(
                "Start" if self.flow_id else "Resume", id="go", variant="primary", compact=True
            )
        yield Footer()

    def on_mount(self) -> None:
        # always the name first, its remembered text selected: typing replaces it, so
        # whoever is at the keyboard is the one recorded (Enter keeps it)
        fields = self.query(Input)
        if fields:
            fields.first().focus()
        else:
            self.query_one("#go", Button).focus()

    def next_box(self, box: Input) -> Input | None:
        # Enter walks the boxes every incident needs; the optional other pupils box
        # is reached with Tab (Enter there goes on as from the pupil's own box)
        boxes = [
            w
            for w in self.focus_chain
            if isinstance(w, Input) and (w.id != OTHER_PUPILS or w is box)
        ]
        index = boxes.index(box) if box in boxes else -1
        return boxes[index + 1] if 0 <= index < len(boxes) - 1 else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter in any box but the last has already moved on (EnterToNextBox)
        if self.next_box(event.input) is None:
            self.go()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "go":
            self.go()

    def _value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def go(self) -> None:
        from incident_tui.tui.screens.step import StepScreen

        error = self.query_one("#identity-error", Static)
        missing = [
            label
            for field_id, label in (
                ("name", "your name"),
                ("role", "your role"),
                ("pupil", "the pupil reference"),
                ("location", "where"),
            )
            if self.query(f"#{field_id}") and not self._value(field_id)
        ]
        if missing:
            error.update("Please fill in " + ", ".join(missing) + ".")
            return
        try:
            typed = None
            if self.ctx.person is None:
                typed = Actor(name=self._value("name"), role=self._value("role"))
            actor = self.ctx.actor(typed)
            if self.flow_id:
                from incident_tui.incident import Opening

                opening = Opening(
                    actor=actor,
                    pupil=self._value("pupil"),
                    other_pupils=tuple(pupil_references(self._value(OTHER_PUPILS))),
                    location=self._value("location"),
                )
                incident = self.ctx.open_incident(self.ctx.flows[self.flow_id], opening)
            else:
                assert self.resume_reference is not None
                incident = self.ctx.resume_incident(self.resume_reference, actor)
        except (UserError, EngineError) as exc:
            error.update(printable(f"Not started: {_message(exc)}"))
            return
        self.app.switch_screen(StepScreen(incident))


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, UserError) else str(exc)
