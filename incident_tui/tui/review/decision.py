"""Recording a review decision: pick the kind, then fill in what it asks for.

The kinds, their fields and their wording come from `review_actions.toml`
(through `incident_tui.review`); this screen only lays them out. Saving goes
through `append_review`, which checks the fields and appends one `reviewed`
event; if anything is missing or the record cannot be written, the form stays
open with the reason in words.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from incident_tui.errors import UserError
from incident_tui.record.events import Actor, Event
from incident_tui.review import ReviewDecision, review_decisions
from incident_tui.tui.review.context import ReviewContext
from incident_tui.tui.review.recorder import compose_recorder, recorder
from incident_tui.tui.widgets.box_order import EnterToNextBox

_KEYS = "1234567890abcdefghijklmnopqrstuvwxyz"
"""Number keys pick the first ten decisions (0 is the tenth), then letters."""


class DecisionPicker(ModalScreen[str | None]):
    """Which decision to record; dismisses the decision's id (or None)."""

    BINDINGS = [Binding("escape", "cancel", "Back")]

    def compose(self) -> ComposeResult:
        decisions = review_decisions().decisions
        with Vertical(classes="review-dialog"):
            yield Static("Record a review decision", classes="title", markup=False)
            yield Static(
                "It is added after everything already recorded; nothing recorded changes.",
                classes="help",
                markup=False,
            )
            yield OptionList(
                *[
                    Option(f"{_KEYS[n] if n < len(_KEYS) else ' '}. {d.label} - {d.help}", id=d.id)
                    for n, d in enumerate(decisions)
                ],
                id="decision-list",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_key(self, event) -> None:
        if event.character and event.character in _KEYS:
            index = _KEYS.index(event.character)
            decisions = review_decisions().decisions
            if 0 <= index < len(decisions):
                event.stop()
                self.dismiss(decisions[index].id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DecisionForm(EnterToNextBox, ModalScreen[Event | None]):
    """The fields of one decision, the DSL's name, and a reason where it matters."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", id="review.save", tooltip="Record this decision"),
    ]

    def __init__(self, ctx: ReviewContext, incident_id: str, decision_id: str, *, sealed: bool):
        super().__init__()
        self.ctx = ctx
        self.incident_id = incident_id
        self.decision: ReviewDecision = review_decisions().get(decision_id)
        self.sealed = sealed

    def compose(self) -> ComposeResult:
        decision = self.decision
        actor = self.ctx.actor
        with VerticalScroll(classes="review-dialog"):
            yield Static(decision.label, classes="title", markup=False)
            if decision.help:
                yield Static(decision.help, classes="help", markup=False)
            for item in decision.fields:
                label = item.label + (" (required)" if item.required else "")
                yield Label(label, markup=False)
                if item.kind == "choice":
                    yield Select(
                        [(c, c) for c in item.choices],
                        prompt="Choose...",
                        id=f"field-{item.key}",
                        compact=True,
                    )
                else:
                    yield Input(
                        placeholder=item.hint or item.help, id=f"field-{item.key}", compact=True
                    )
            if decision.reason != "none" or decision.reason_if_open:
                needed = decision.reason_needed(self.sealed)
                yield Label(
                    decision.reason_label + (" (required)" if needed else " (optional)"),
                    markup=False,
                )
                yield Input(id="field-reason", compact=True)
            yield from compose_recorder(self.ctx, actor)
            yield Static("", id="form-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (Ctrl+S)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        first = self.query("Input, Select").first()
        first.focus()

    def _values(self) -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        for item in self.decision.fields:
            widget = self.query_one(f"#field-{item.key}")
            if isinstance(widget, Select):
                values[item.key] = None if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                values[item.key] = widget.value
        return values

    def _reason(self) -> str | None:
        found = self.query("#field-reason")
        return found.first(Input).value if found else None

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        actor = recorder(self, self.ctx, "took each decision")
        if isinstance(actor, str):
            self.query_one("#form-error", Static).update(actor)
            return
        self._record(actor)

    def _record(self, actor: Actor) -> None:
        error = self.query_one("#form-error", Static)
        try:
            event = self.ctx.append_review(
                self.incident_id, actor, self.decision.id, self._values(), self._reason()
            )
        except UserError as exc:
            error.update(f"Not recorded: {exc.message}")
            return
        self.ctx.actor = actor
        self.dismiss(event)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
