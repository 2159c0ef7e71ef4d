"""The live incident: one step at a time, the decisions so far beside it.

Each answer goes to `Incident.submit`, which appends it to the record before
the engine moves on; only then is the next step shown. If the append fails
the screen says so and stays where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input

from incident_tui.errors import UserError
from incident_tui.flow.engine import AnswerInput, EngineError, InterlockBlocked, InvariantBroken
from incident_tui.incident import Incident
from incident_tui.safe_text import printable
from incident_tui.tui.present import (
    decision_lines,
    escalation_banner_lines,
    note_lines,
    progress_text,
)
from incident_tui.tui.screens.base import AppScreen, not_saved, report_saves
from incident_tui.tui.widgets.banners import EscalationBanner
from incident_tui.tui.widgets.box_order import EnterToNextBox, after_keys_sent
from incident_tui.tui.widgets.decisions import DecisionsPanel
from incident_tui.tui.widgets.footer import SteadyFooter
from incident_tui.tui.widgets.step_view import NUMBER_KEYS, StepView


class StepScreen(EnterToNextBox, AppScreen):
    AUTO_FOCUS = None  # focus is set per step: a confirm item must never have a default
    BINDINGS = [
        Binding("escape", "leave", "Home", id="leave", tooltip="The incident stays open"),
        Binding("f2", "decisions", "Decisions", id="decisions", tooltip="Correct an answer"),
        Binding(
            "f3", "answer_pane", "Step", id="answer-pane", tooltip="Back to the step", show=False
        ),
        Binding("ctrl+n", "note", "Note", id="note", tooltip="Add a short factual note"),
        Binding(
            "ctrl+r",
            "refer_now",
            "Refer now",
            id="refer-now",
            tooltip="Go straight to the referral steps",
        ),
        *NUMBER_KEYS,
    ]

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident
        if (refer := incident.flow.refer_now) is not None:
            # The tooltip says where this flow's referral route goes, in the flow's words.
            keys = self._bindings.key_to_bindings
            keys["ctrl+r"] = [
                replace(b, tooltip=incident.text(refer.label)) if b.id == "refer-now" else b
                for b in keys.get("ctrl+r", [])
            ]

    def compose(self) -> ComposeResult:
        detail = f"{self.incident.reference} · {self.incident.flow.shown_short}"
        yield self.mode_banner(detail)
        yield EscalationBanner()
        with Horizontal(id="incident"):
            yield VerticalScroll(id="step-pane")
            yield DecisionsPanel(id="side")
        yield SteadyFooter()

    async def on_mount(self) -> None:
        await self.show_current()

    @property
    def view(self) -> StepView | None:
        views = self.query(StepView)
        return views.first() if views else None

    async def show_current(self) -> None:
        """Show the step the engine says is current (the summary once it has ended)."""
        report_saves(self, self.incident)
        if self._handed_over():
            return
        self._refresh_side()
        session = self.incident.session
        if session.ended:
            from incident_tui.tui.screens.summary import SummaryScreen

            self.app.switch_screen(SummaryScreen(self.incident))
            return
        pane = self.query_one("#step-pane", VerticalScroll)
        shown = self.view
        if shown is not None and shown.shows_in_place(session.current):
            shown.show_step(session.current, session.choices())
            pane.scroll_home(animate=False)
            # a highlight the last step's keys left queued must not scroll the new prompt
            # away: the new step is shown from its top, as a view made for it would be
            pane.call_after_refresh(pane.scroll_home, animate=False)
            return
        view = StepView(self.incident, session.current, session.choices())
        leaving = self.focused is not None and pane in self.focused.ancestors
        if leaving:
            # The focus leaves the step shown before it goes: removed with the focus on
            # it, Textual would focus the pane, restyling the whole step (and the next
            # one again as it takes the focus).
            self.set_focus(None)
        await pane.remove_children()
        if leaving and not view.takes_focus:
            self.set_focus(pane)  # where the focus went before (a confirm has no default)
        await pane.mount(view)
        pane.scroll_home(animate=False)

    def _handed_over(self) -> bool:
        """Where this person's part ends: the hand-over is recorded (durable) first,
        then the screen says so; an incident awaiting someone is taken over first."""
        from incident_tui.permissions import may_take_over
        from incident_tui.tui.screens.handover import HandoverScreen, TakeOverScreen

        incident = self.incident
        if incident.handover_due():
            try:
                incident.hand_over()
            except (UserError, EngineError) as exc:
                message = not_saved(exc) if isinstance(exc, UserError) else str(exc)
                self.notify(f"{message} The hand-over is not recorded.", severity="error")
                return False
            report_saves(self, incident)
            self.app.switch_screen(HandoverScreen(incident))
            return True
        awaited = incident.awaiting
        if awaited is None:
            return False
        if may_take_over(self.ctx.person, awaited) and self.ctx.person is not None:
            self.app.switch_screen(TakeOverScreen(incident.reference, incident=incident))
        else:
            self.app.switch_screen(HandoverScreen(incident))
        return True

    def _refresh_side(self) -> None:
        incident = self.incident
        times = {e.seq: e.time for e in incident.events}
        lines = decision_lines(incident.flow, incident.session.decisions, times, incident.settings)
        progress = progress_text(len(lines), incident.session.remaining_estimate())
        if incident.flow.has_parts:
            title, _ = incident.part_words(incident.session.part)
            whose = " (you play every part in training)" if self.ctx.mode == "training" else ""
            progress = f"{title}{whose}\n{progress}"
        self.query_one(DecisionsPanel).show(
            lines, progress, can_correct=not incident.sealed, notes=note_lines(incident.events)
        )
        banner = self.query_one(EscalationBanner)
        banner.show_lines(escalation_banner_lines(incident.escalations(), incident.settings))

    # --- answering --------------------------------------------------------------------

    @on(StepView.Answered)
    async def record_answer(self, event: StepView.Answered) -> None:
        view = self.view
        session = self.incident.session
        if view is None or session.ended or event.step.id != session.current.id:
            return  # given for a step already answered (a key typed twice): not for this one
        answer = AnswerInput(step=event.step.id, value=event.value, rationale=event.rationale)
        try:
            raised = self.incident.submit(answer)
        except (InterlockBlocked, InvariantBroken) as blocked:
            self._stop(blocked, answer)
            return
        except (UserError, EngineError) as exc:
            view.show_error(
                f"{not_saved(exc)} You are still at this step."
                if isinstance(exc, UserError)
                else str(exc)
            )
            return
        if raised:
            self.notify("ESCALATION raised: see the banner at the top.", severity="error")
        await self.show_current()

    def _stop(self, blocked: InterlockBlocked | InvariantBroken, answer: AnswerInput) -> None:
        from incident_tui.tui.screens.stop import REFER_NOW, StopScreen

        async def closed(recorded: bool | str | None) -> None:
            if recorded == REFER_NOW:
                self.action_refer_now()
            else:
                # recorded: the next step; gone back: the step afresh, with no choice
                # or reason prompt left over from the answer taken back
                await self.show_current()

        try:
            self.incident.stop_shown(blocked)
        except UserError as exc:  # the STOP itself must still be shown
            self.notify(
                not_saved(exc),
                title="STOP not recorded",
                severity="error",
                timeout=15,
                markup=False,
            )
        self._refresh_side()
        self.app.push_screen(StopScreen(self.incident, blocked, answer), closed)

    @on(DecisionsPanel.CorrectionAsked)
    def correct(self, event: DecisionsPanel.CorrectionAsked) -> None:
        from incident_tui.tui.screens.amend import AmendScreen
        from incident_tui.tui.screens.stop import REFER_NOW

        async def closed(amended: bool | str | None) -> None:
            if amended == REFER_NOW:
                self.action_refer_now()
            elif amended:
                self.notify("Correction recorded as an amendment.")
                await self.show_current()

        self.app.push_screen(AmendScreen(self.incident, event.ref), closed)

    # --- keys ----------------------------------------------------------------------------

    def next_box(self, box: Input) -> Input | None:
        return self.view.box_after(box) if self.view is not None else None

    def enter_on(self, widget: Widget | None) -> Callable[[], object] | None:
        return self.view.enter_on(widget) if self.view is not None else None

    def action_number(self, number: int) -> None:
        view = self.view
        if view is not None:
            after_keys_sent(self, lambda: view.press_number(number))

    def action_decisions(self) -> None:
        self.query_one("#decision-list").focus()

    def action_answer_pane(self) -> None:
        if self.view is not None:
            self.view.on_mount()

    def action_note(self) -> None:
        from incident_tui.tui.screens.dialogs import ask_for_note

        ask_for_note(self, self.incident, self._refresh_side)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refer_now":
            return self.incident.flow.refer_now is not None  # hidden where a flow has none
        return True

    def action_refer_now(self) -> None:
        from incident_tui.tui.screens.dialogs import ReferNowDialog

        async def closed(referred: bool | None) -> None:
            if referred:
                self.notify("Referral started: the referral steps follow.", severity="warning")
                await self.show_current()

        if self.incident.flow.refer_now is not None and not self.incident.session.ended:
            self.app.push_screen(ReferNowDialog(self.incident), closed)

    def action_leave(self) -> None:
        from incident_tui.tui.screens.dialogs import Confirm

        def answered(leave: bool | None) -> None:
            if leave:
                self._leave()

        self.app.push_screen(
            Confirm(
                "The incident stays open and can be resumed from the home screen — leave?",
                title=printable(f"Leave incident {self.incident.reference}?", one_line=True),
                stay="Stay (Esc)",
                go="Leave (y)",
            ),
            answered,
        )

    def _leave(self) -> None:
        self.notify(
            printable(
                f"Incident {self.incident.reference} stays open: resume it from the home screen."
            ),
            title="Still open",
            markup=False,
        )
        self.ctx.incident = None
        self.app.pop_screen()
