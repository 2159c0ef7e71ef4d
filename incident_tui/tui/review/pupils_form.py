"""Correct the pupils an incident names: the school's references, a reason, who.

Recorded as an amendment of the incident's opening (`record.pupils.amend_pupils`):
the reference first typed stays in the record, and the chronology, the list and
the attention queue follow the correction.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from incident_tui.errors import UserError
from incident_tui.record.events import Event
from incident_tui.record.store import IndexRow
from incident_tui.text_fields import AMENDMENT_REASON, PUPIL, pupil_references
from incident_tui.tui.review.context import ReviewContext
from incident_tui.tui.review.recorder import compose_recorder, recorder


class PupilsForm(ModalScreen[Event | None]):
    """Dismisses with the amendment recorded, or None (Esc: nothing changes)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", id="review.pupils.save", tooltip="Record it"),
    ]

    def __init__(self, ctx: ReviewContext, row: IndexRow) -> None:
        super().__init__()
        self.ctx = ctx
        self.row = row

    def compose(self) -> ComposeResult:
        actor = self.ctx.actor
        with VerticalScroll(classes="review-dialog"):
            yield Static(
                f"Correct the pupils named in incident {self.row.reference}",
                classes="title",
                markup=False,
            )
            yield Static(
                "The school's references (MIS ids) only, never names. Recorded as an "
                "amendment: what was first typed stays in the record.",
                classes="help",
                markup=False,
            )
            yield Label("Pupil reference", markup=False)
            yield Input(self.row.pupil, id="pupils-pupil", max_length=PUPIL.limit, compact=True)
            yield Label("Other pupils named (references, comma between)", markup=False)
            yield Input(", ".join(self.row.other_pupils), id="pupils-others", compact=True)
            yield Label("Reason for the correction (required)", markup=False)
            yield Input(id="pupils-reason", max_length=AMENDMENT_REASON.limit, compact=True)
            yield from compose_recorder(self.ctx, actor)
            yield Static("", id="form-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#pupils-pupil", Input).focus()

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        error = self.query_one("#form-error", Static)
        actor = recorder(self, self.ctx, "made each correction")
        if isinstance(actor, str):
            error.update(actor)
            return
        try:
            event = self.ctx.correct_pupils(
                self.row.id,
                actor,
                self._value("pupils-pupil"),
                pupil_references(self._value("pupils-others")),
                self._value("pupils-reason"),
            )
        except ValueError:
            error.update("Your name and role must each be under 120 characters.")
            return
        except UserError as exc:
            error.update(f"Not recorded: {exc.message}")
            return
        self.ctx.actor = actor
        self.dismiss(event)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
