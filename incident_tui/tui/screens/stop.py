"""STOP: the choice would break a rule. Say which, what to do instead, and offer only
the exceptions the flow allows (every condition confirmed, with a reason) or going back.

The same dialog stops a correction to such a choice: the override is then recorded
with the amendment, which keeps its own reason for the correction.

It also stops an answer or correction that would break one of the procedure's
invariants (its safety rules over the whole incident): a hard STOP that shows the
rule and offers only going back or refer now."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from incident_tui.flow.engine import AnswerInput, EngineError, InterlockBlocked, InvariantBroken
from incident_tui.flow.model import Override
from incident_tui.incident import Incident
from incident_tui.text_fields import RATIONALE
from incident_tui.tui.present import sources_text
from incident_tui.tui.screens.base import AppModal, recorded
from incident_tui.tui.widgets.box_order import EnterToNextBox
from incident_tui.tui.widgets.in_view import focus_in_view
from incident_tui.tui.widgets.ticklist import TickItem, TickList

REFER_NOW = "refer-now"
"""What the STOP screen dismisses with when the user asks to refer now instead."""


class StopScreen(AppModal, EnterToNextBox):
    """Dismisses with True when an override was recorded, None when the user goes back,
    REFER_NOW when the user asks to refer now (the flow's own referral route)."""

    BINDINGS = [
        Binding(
            "ctrl+r",
            "refer_now",
            "Refer now",
            id="stop.refer-now",
            tooltip="Leave this choice and go to the referral steps",
        ),
    ]

    def __init__(
        self,
        incident: Incident,
        blocked: InterlockBlocked | InvariantBroken,
        answer: AnswerInput,
        amends: tuple[int, str] | None = None,
    ) -> None:
        super().__init__()
        self.incident = incident
        self.blocked = blocked
        self.answer = answer
        self.amends = amends
        """For a correction: the decision corrected and the reason for correcting it."""
        self.override: Override | None = None
        if (refer := incident.flow.refer_now) is not None:
            # as on the step screen: the tooltip names the flow's referral route
            keys = self._bindings.key_to_bindings
            keys["ctrl+r"] = [
                replace(b, tooltip=incident.text(refer.label)) if b.id == "stop.refer-now" else b
                for b in keys.get("ctrl+r", [])
            ]

    def compose(self) -> ComposeResult:
        if isinstance(self.blocked, InvariantBroken):
            yield from self._compose_invariant(self.blocked)
            return
        text = self.incident.text
        interlock = self.blocked.interlock
        with VerticalScroll(id="stop", classes="dialog stop"):
            yield Static(f"STOP ({self.mode_word()})", classes="stop-word", markup=False)
            chose = "As the corrected answer you chose" if self.amends else "You chose"
            yield Static(
                f"{chose}: {text(self.blocked.choice.label)}", classes="guidance", markup=False
            )
            yield Static("Rule: " + text(interlock.rule), classes="stop-rule", markup=False)
            yield Static("Instead: " + text(interlock.instead), classes="guidance", markup=False)
            yield Static(
                sources_text(self.incident.flow, interlock.sources), classes="source", markup=False
            )
            with Horizontal(classes="buttons"):
                yield Button("Go back and choose differently", id="back", variant="primary")
                for override in interlock.overrides:
                    yield Button(Text(f"Exception: {text(override.label)}"), id=f"ov-{override.id}")
            if not interlock.overrides:
                yield Static(
                    "No exception is allowed: the only way on is to choose differently.",
                    classes="hint",
                    markup=False,
                )
            yield VerticalScroll(id="override-form")
            yield Static("", id="stop-error", classes="error", markup=False)
        yield Footer()  # this dialog's own keys, not those of the screen beneath

    def _compose_invariant(self, broken: InvariantBroken) -> ComposeResult:
        text = self.incident.text
        refer = self.incident.flow.refer_now
        with VerticalScroll(id="stop", classes="dialog stop"):
            yield Static(f"STOP ({self.mode_word()})", classes="stop-word", markup=False)
            what = self.incident.refused_text(broken)
            done = "As a correction, " if self.amends else ""
            yield Static(f"{done}{what}.", classes="guidance", markup=False)
            yield Static("Rule: " + text(broken.invariant.rule), classes="stop-rule", markup=False)
            instead = "Go back and give another answer"
            if refer is not None:
                instead += f", or {text(refer.label)[:1].lower()}{text(refer.label)[1:]}"
            yield Static(f"Instead: {instead}.", classes="guidance", markup=False)
            yield Static(
                sources_text(self.incident.flow, broken.invariant.sources),
                classes="source",
                markup=False,
            )
            with Horizontal(classes="buttons"):
                yield Button("Go back and choose differently", id="back", variant="primary")
                if refer is not None:
                    yield Button(Text(text(refer.label)), id="stop-refer-now", variant="warning")
            yield Static(
                "No exception is allowed: nothing was recorded but this STOP.",
                classes="hint",
                markup=False,
            )
            yield VerticalScroll(id="override-form")
            yield Static("", id="stop-error", classes="error", markup=False)
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refer_now":
            if self.incident.flow.refer_now is None:
                return False
            # a rule of the whole incident offers the referral route, even while
            # correcting; an interlock's STOP on a correction does not (a correction
            # is its own decision)
            return isinstance(self.blocked, InvariantBroken) or self.amends is None
        return True

    def action_refer_now(self) -> None:
        self.dismiss(REFER_NOW)

    def on_mount(self) -> None:
        self.query_one("#back", Button).focus()
        self.query_one("#override-form").display = False

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if button == "back":
            self.dismiss(None)
        elif button == "stop-refer-now":
            self.dismiss(REFER_NOW)
        elif button.startswith("ov-"):
            await self._show_override(button[3:])
        elif button == "record-override":
            self._record()

    async def _show_override(self, override_id: str) -> None:
        assert isinstance(self.blocked, InterlockBlocked)
        interlock = self.blocked.interlock
        override = next(o for o in interlock.overrides if o.id == override_id)
        self.override = override
        form = self.query_one("#override-form", VerticalScroll)
        await form.remove_children()
        text = self.incident.text
        items = [TickItem(c.id, text(c.text)) for c in override.conditions]
        await form.mount(
            Static(f"Exception: {text(override.label)}", classes="section-title", markup=False),
            Static(
                "Every condition must be true and ticked (Enter or Space ticks).",
                classes="hint",
                markup=False,
            ),
            TickList(items, id="conditions"),
            Static(
                sources_text(self.incident.flow, [override.source]),
                classes="source",
                markup=False,
            ),
            Label("Reason (required): why this exception applies now"),
            Input(id="override-reason", max_length=RATIONALE.limit),
            Button("Record the override", id="record-override", variant="error"),
        )
        form.display = True
        focus_in_view(self.query_one("#conditions", TickList))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._record()

    def _record(self) -> None:
        error = self.query_one("#stop-error", Static)
        if self.override is None:
            return
        reason = self.query_one("#override-reason", Input).value.strip()
        if not reason:
            error.update("A reason is required for an override.")
            focus_in_view(self.query_one("#override-reason", Input))
            return
        answer = AnswerInput(
            step=self.answer.step,
            value=self.answer.value,
            rationale=reason,
            override=self.override.id,
            # the engine refuses the exception, naming them, unless every one is ticked
            confirmed=tuple(self.query_one("#conditions", TickList).values()),
        )
        amends = self.amends

        def write() -> object:
            try:
                if amends is None:
                    return self.incident.submit(answer)
                return self.incident.amend(amends[0], answer, amends[1])
            except InvariantBroken as broken:
                # the exception is allowed here, but the incident as a whole would
                # break one of the procedure's rules: noted like any STOP
                self.incident.stop_shown(broken)
                raise EngineError(self.incident.text(broken.invariant.rule)) from None

        if recorded(error, write):
            self.dismiss(True)
