"""Correct an earlier answer: a new answer and a reason, recorded as an amendment.

Never an edit: the original stays in the record, and the flow continues from
wherever the corrected answer leads.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from incident_tui.errors import UserError
from incident_tui.flow.engine import (
    AnswerInput,
    EngineError,
    InterlockBlocked,
    InvariantBroken,
    available_choices,
)
from incident_tui.flow.model import ChoiceStep, ConfirmStep
from incident_tui.incident import Incident
from incident_tui.text_fields import AMENDMENT_REASON
from incident_tui.tui.present import answer_text
from incident_tui.tui.screens.base import AppModal, not_saved
from incident_tui.tui.widgets.box_order import EnterToNextBox, after_keys_sent
from incident_tui.tui.widgets.in_view import focus_in_view
from incident_tui.tui.widgets.step_view import NUMBER_KEYS, StepView


class AmendScreen(EnterToNextBox, AppModal):
    """Dismisses True once the amendment is recorded; Escape leaves the record as it was;
    REFER_NOW when a STOP for one of the procedure's invariants was answered with refer now."""

    BINDINGS = [("escape", "dismiss_none", "Cancel"), *NUMBER_KEYS]

    def __init__(self, incident: Incident, ref: int) -> None:
        super().__init__()
        self.incident = incident
        self.decision = next(d for d in incident.session.decisions if d.ref == ref)
        self.step = incident.flow.step(self.decision.answer.step)
        self.pending: AnswerInput | None = None

    def compose(self) -> ComposeResult:
        was = answer_text(self.step, self.decision.answer.value, self.incident.settings)
        with VerticalScroll(id="amend", classes="dialog"):
            yield Static(
                f"Correct an earlier answer ({self.mode_word()}): recorded as an amendment, "
                "the original stays in the record. Esc cancels.",
                classes="section-title",
                markup=False,
            )
            yield Static(f"Recorded answer: {was}", classes="guidance", markup=False)
            if isinstance(self.step, ConfirmStep):
                yield Static(
                    "A confirmed safety item cannot be changed. Add a note instead.",
                    classes="error",
                    markup=False,
                )
                return
            choices = []
            if isinstance(self.step, ChoiceStep):
                choices = available_choices(self.step, self.incident.session.answers)
            yield StepView(self.incident, self.step, choices)
            yield Label("Reason for the correction (required)")
            yield Input(id="amend-reason", max_length=AMENDMENT_REASON.limit)
            yield Button("Record the correction", id="record-amendment", variant="warning")
            yield Static("", id="amend-error", classes="error", markup=False)

    def enter_on(self, widget: Widget | None) -> Callable[[], object] | None:
        views = self.query(StepView)
        return views.first().enter_on(widget) if views else None

    def action_number(self, number: int) -> None:
        views = self.query(StepView)
        if views:
            view = views.first()
            after_keys_sent(self, lambda: view.press_number(number))

    @on(StepView.Answered)
    def answered(self, event: StepView.Answered) -> None:
        event.stop()
        self.pending = AnswerInput(self.step.id, event.value, rationale=event.rationale)
        new = answer_text(self.step, event.value, self.incident.settings)
        self.query_one("#amend-error", Static).update(
            f"New answer: {new}. Now give the reason for the correction, then Enter."
        )
        focus_in_view(self.query_one("#amend-reason", Input))

    @on(Input.Submitted, "#amend-reason")
    def reason_given(self, event: Input.Submitted) -> None:
        event.stop()
        self._record()

    @on(Button.Pressed, "#record-amendment")
    def record_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._record()

    def _record(self) -> None:
        error = self.query_one("#amend-error", Static)
        if self.pending is None:
            given = self.query_one(StepView).collect()
            if given is None:
                error.update("Give the new answer first.")
                return
            self.pending = AnswerInput(self.step.id, given[0], rationale=given[1])
        reason = self.query_one("#amend-reason", Input).value.strip()
        if not reason:
            error.update("A reason for the correction is required.")
            focus_in_view(self.query_one("#amend-reason", Input))
            return
        try:
            self.incident.amend(self.decision.ref, self.pending, reason)
        except (InterlockBlocked, InvariantBroken) as blocked:
            self._stop(blocked, self.pending, reason)
            return
        except UserError as exc:
            error.update(not_saved(exc))
            return
        except EngineError as exc:
            error.update(f"Not recorded: {exc}")
            return
        self.dismiss(True)

    def _stop(
        self, blocked: InterlockBlocked | InvariantBroken, answer: AnswerInput, reason: str
    ) -> None:
        """The corrected answer breaks a rule: the same STOP as when answering live.

        A STOP for an invariant is recorded as a note, as on the step screen."""
        from incident_tui.tui.screens.stop import REFER_NOW, StopScreen

        async def closed(recorded: bool | str | None) -> None:
            if recorded == REFER_NOW:
                self.dismiss(REFER_NOW)
            elif recorded:
                self.dismiss(True)
            else:
                self.pending = None
                self.query_one("#amend-error", Static).update(
                    "Not recorded. Choose another answer, or Esc to leave it as it was."
                )
                # the step afresh: no choice or reason prompt left from the answer taken back
                old = self.query_one(StepView)
                fresh = StepView(self.incident, self.step, old.choices)
                await self.query_one("#amend").mount(fresh, after=old)
                await old.remove()

        if isinstance(blocked, InvariantBroken):
            try:
                self.incident.stop_shown(blocked)
            except UserError as exc:  # the STOP itself must still be shown
                self.notify(not_saved(exc), title="STOP not recorded", severity="error", timeout=15)
        stop = StopScreen(self.incident, blocked, answer, amends=(self.decision.ref, reason))
        self.app.push_screen(stop, closed)
