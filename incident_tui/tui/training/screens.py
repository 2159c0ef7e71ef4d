"""Training screens: pick a scenario, name the trainee, read the narrative, run, debrief.

The steps themselves are the live step screen (`StepScreen`), wrapped so that
it also shows the facts revealed so far, gives feedback after each key
decision when the trainer asked for it, and ends in the debrief instead of
the live summary. The app runs in training mode, so every screen says
TRAINING and everything goes to the training store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from incident_tui.errors import UserError
from incident_tui.flow.engine import EngineError
from incident_tui.flow.loader import LoadedFlow
from incident_tui.incident import Incident
from incident_tui.training.debrief import Debrief
from incident_tui.training.scenario import LoadedScenario, Scenario, load_scenarios
from incident_tui.training.scoring import Judgement, applies, grade, judge
from incident_tui.tui.screens.base import AppModal, AppScreen
from incident_tui.tui.screens.step import StepScreen

FEEDBACK_EACH = "each"
FEEDBACK_END = "end"
FEEDBACK_WORDS = {
    FEEDBACK_EACH: "after each key decision",
    FEEDBACK_END: "only at the end, in the debrief",
}


def default_debrief_path(reference: str) -> Path:
    return Path.home() / f"training-debrief-{reference}.md"


@dataclass
class TrainingRun:
    """One attempt in progress: the scenario, the flow, and what the trainee has been shown."""

    loaded: LoadedScenario
    flow: LoadedFlow
    trainee: str
    feedback: str
    revealed: list[str] = field(default_factory=list)
    judged: dict[str, Judgement] = field(default_factory=dict)
    seen_refs: set[int] = field(default_factory=set)

    @property
    def scenario(self) -> Scenario:
        return self.loaded.scenario


class TrainingMixin:
    """Where training screens find the scenarios (tests may give their own)."""

    def scenarios(self) -> dict[str, LoadedScenario]:
        app = self.app  # type: ignore[attr-defined]
        given = getattr(app, "scenarios", None)
        if given is not None:
            return given
        found, _ = load_scenarios(local_dir=app.paths.local_flows_dir)
        return found


class ScenarioPickerScreen(TrainingMixin, AppScreen):
    """Pick a scenario; the trainer chooses when feedback is given (f)."""

    BINDINGS = [
        Binding("f", "toggle_feedback", "Feedback timing", id="feedback-timing"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.feedback = FEEDBACK_EACH
        self.available: dict[str, LoadedScenario] = {}

    def compose(self) -> ComposeResult:
        yield self.mode_banner("choose a scenario")
        with VerticalScroll(id="picker"):
            yield Static("Choose a training scenario (Enter)", classes="section-title")
            yield OptionList(id="scenarios")
            yield Static("", id="feedback-mode", markup=False)
            yield Static("", id="picker-error", classes="error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one("#scenarios", OptionList)
        error = self.query_one("#picker-error", Static)
        try:
            flows = self.ctx.flows
        except UserError as exc:
            error.update(f"The procedures could not be loaded: {exc.message}")
            flows = {}
        self.available = {
            sid: s for sid, s in sorted(self.scenarios().items()) if s.scenario.flow in flows
        }
        for number, (sid, loaded) in enumerate(self.available.items(), start=1):
            scenario = loaded.scenario
            text = Text()
            text.append(f"{number}. {scenario.title}", style="bold")
            text.append(f"\n   {scenario.summary}")
            procedure = flows[scenario.flow].flow.title
            text.append(f"\n   {procedure} · for {', '.join(scenario.audience)}", style="dim")
            options.add_option(Option(text, id=sid))
        if not self.available:
            options.add_option(Option("No training scenarios are installed", disabled=True))
        else:
            options.highlighted = 0
        self._show_feedback()
        options.focus()

    def _show_feedback(self) -> None:
        self.query_one("#feedback-mode", Static).update(
            f"Feedback: {FEEDBACK_WORDS[self.feedback]}  (press f to change)"
        )

    def action_toggle_feedback(self) -> None:
        self.feedback = FEEDBACK_END if self.feedback == FEEDBACK_EACH else FEEDBACK_EACH
        self._show_feedback()

    async def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            await self.app.action_quit()

    @on(OptionList.OptionSelected, "#scenarios")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        loaded = self.available[event.option.id]
        self.app.push_screen(TraineeScreen(loaded, self.feedback))


class TraineeScreen(AppScreen):
    """The trainee's name (for their record and the trainer's results)."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back")]

    def __init__(self, loaded: LoadedScenario, feedback: str) -> None:
        super().__init__()
        self.loaded = loaded
        self.feedback = feedback

    def compose(self) -> ComposeResult:
        yield self.mode_banner(self.loaded.scenario.title)
        with VerticalScroll(id="trainee"):
            yield Static(
                f"Scenario: {self.loaded.scenario.title}", classes="section-title", markup=False
            )
            yield Static(f"Feedback: {FEEDBACK_WORDS[self.feedback]}", markup=False)
            with Horizontal(classes="form-row"):
                yield Label("Trainee's name")
                yield Input(id="trainee-name", max_length=120, placeholder="e.g. Sam Jones")
            yield Static("", id="trainee-error", classes="error", markup=False)
            yield Button("Start", id="start", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#trainee-name", Input).focus()

    @on(Input.Submitted, "#trainee-name")
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        from incident_tui.training.attempts import open_attempt

        error = self.query_one("#trainee-error", Static)
        name = self.query_one("#trainee-name", Input).value.strip()
        if not name:
            error.update("Please type the trainee's name.")
            return
        scenario = self.loaded.scenario
        flow = self.ctx.flows[scenario.flow]
        try:
            incident = open_attempt(
                self.ctx.writable_store(), flow, scenario, name, self.feedback, self.ctx.settings
            )
        except (UserError, EngineError) as exc:
            error.update(f"Not started: {exc.message if isinstance(exc, UserError) else exc}")
            return
        self.ctx.incident = incident
        run = TrainingRun(self.loaded, flow, name, self.feedback)
        self.app.switch_screen(NarrativeScreen(incident, run))


class NarrativeScreen(AppScreen):
    """The story, read before the first step."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back to scenarios", id="back")]

    def __init__(self, incident: Incident, run: TrainingRun) -> None:
        super().__init__()
        self.incident = incident
        self.run = run

    def compose(self) -> ComposeResult:
        scenario = self.run.scenario
        yield self.mode_banner(f"{self.incident.reference} · {scenario.title}")
        with VerticalScroll(id="narrative"):
            yield Static(scenario.title, classes="prompt", markup=False)
            yield Static(
                self.incident.text(scenario.narrative.strip()), id="narrative-text", markup=False
            )
            yield Static(
                f"Procedure: {self.run.flow.flow.title}. Trainee: {self.run.trainee}. "
                f"Feedback {FEEDBACK_WORDS[self.run.feedback]}.",
                classes="hint",
                markup=False,
            )
            yield Button("Begin", id="begin", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#begin", Button).focus()

    @on(Button.Pressed, "#begin")
    def begin(self) -> None:
        self.app.switch_screen(TrainingStepScreen(self.incident, self.run))


class FeedbackScreen(AppModal):
    """Feedback on one key decision: right, or what was expected and why, with the source."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Continue", id="continue"),
        Binding("enter", "dismiss_none", "Continue", show=False, id="continue-enter"),
    ]

    def __init__(self, judgement: Judgement) -> None:
        super().__init__()
        self.judgement = judgement

    def compose(self) -> ComposeResult:
        judgement = self.judgement
        result = "RIGHT" if judgement.right else "NOT WHAT WAS EXPECTED"
        with VerticalScroll(classes="feedback-dialog", id="feedback"):
            yield Static(f"TRAINING feedback: {result}", classes="feedback-result", markup=False)
            yield Static(judgement.prompt, classes="guidance", markup=False)
            yield Static(judgement.feedback(), id="feedback-text", markup=False)
            yield Button("Continue (Enter)", id="continue", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#continue", Button).focus()

    @on(Button.Pressed, "#continue")
    def carry_on(self) -> None:
        self.dismiss(None)


class TrainingStepScreen(StepScreen):
    """The live step screen, plus the facts revealed so far and feedback on key decisions."""

    def __init__(self, incident: Incident, run: TrainingRun) -> None:
        super().__init__(incident)
        self.run = run

    async def on_mount(self) -> None:
        panel = Static("", id="training-panel", markup=False)
        await self.mount(panel, before=self.query_one("#incident"))
        # StepScreen.on_mount then shows the current step (through show_current below)

    async def show_current(self) -> None:
        judged = self._judge_new_decisions()
        if self.incident.session.ended:
            self.finish()
            if self.run.feedback == FEEDBACK_EACH:
                for judgement in judged:  # shown over the debrief
                    self.app.push_screen(FeedbackScreen(judgement))
            return
        self._reveal_facts()
        await super().show_current()
        if self.run.feedback == FEEDBACK_EACH:
            for judgement in judged:
                self.app.push_screen(FeedbackScreen(judgement))

    def _judge_new_decisions(self) -> list[Judgement]:
        """Judge each key decision the first time it is made."""
        run = self.run
        judged: list[Judgement] = []
        for decision in self.incident.session.decisions:
            if decision.ref in run.seen_refs:
                continue
            run.seen_refs.add(decision.ref)
            step_id = decision.answer.step
            expectation = run.scenario.expectation_for(step_id)
            if expectation is None or step_id in run.judged:
                continue
            if not applies(expectation, self.incident.session.answers):
                continue
            judgement = judge(
                run.scenario, run.flow.flow, expectation, decision.answer, self.incident.settings
            )
            run.judged[step_id] = judgement
            judged.append(judgement)
        return judged

    def _reveal_facts(self) -> None:
        run = self.run
        current = self.incident.session.current.id
        answered = {d.answer.step for d in self.incident.session.decisions} | {current}
        new = [
            f.text for f in run.scenario.facts if f.at in answered and f.text not in run.revealed
        ]
        run.revealed.extend(new)
        for text in new:
            self.notify(text, title="TRAINING: new information", timeout=8)
        lines = [f"TRAINING · {run.scenario.title}"]
        lines += [f"New information: {text}" for text in run.revealed]
        if not run.revealed:
            lines.append("Work through the procedure as you would for real.")
        self.query_one("#training-panel", Static).update("\n".join(lines))

    def finish(self) -> None:
        """The procedure has ended: seal the attempt, score it, record the score, debrief."""
        from incident_tui.training.attempts import record_result

        run = self.run
        incident = self.incident
        session = incident.session
        end = session.end
        assert end is not None
        result = grade(run.scenario, run.flow.flow, session.decisions, end.id, incident.settings)
        try:
            if not incident.sealed:
                incident.seal()
            record_result(incident, run.scenario, result)
        except (UserError, EngineError) as exc:
            message = exc.message if isinstance(exc, UserError) else str(exc)
            self.notify(f"NOT SAVED — {message}", severity="error", timeout=10)
        sealed = next((e for e in incident.events if e.kind.value == "sealed"), None)
        debrief = Debrief(
            scenario=run.scenario,
            grade=result,
            trainee=run.trainee,
            reference=incident.reference,
            started=incident.events[0].time,
            finished=sealed.time if sealed else None,
            outcome=incident.text(end.outcome),
            flow_title=run.flow.flow.title,
        )
        self.ctx.incident = None
        self.app.switch_screen(DebriefScreen(debrief))


class DebriefScreen(AppScreen):
    """Score, each key decision against the expected one, what mattered most, time taken."""

    BINDINGS = [Binding("escape", "back", "Scenarios", id="back")]

    def __init__(self, debrief: Debrief) -> None:
        super().__init__()
        self.debrief = debrief

    def compose(self) -> ComposeResult:
        debrief = self.debrief
        yield self.mode_banner(f"{debrief.reference} · debrief")
        with VerticalScroll(id="debrief"):
            yield Static(f"Debrief: {debrief.scenario.title}", classes="prompt", markup=False)
            yield Static(
                f"Trainee: {debrief.trainee}\n"
                f"Score: {debrief.score_text()}\n"
                f"Time taken: {debrief.time_text()}\n"
                f"Path: {debrief.path_text()}\n"
                f"Outcome reached: {debrief.outcome or '-'}",
                id="debrief-score",
                markup=False,
            )
            yield Static("What mattered most", classes="section-title")
            missed = debrief.mattered_most()
            yield Static(
                "\n".join(
                    f"- {j.prompt} (weight {j.weight}): expected {j.expected}; {j.status.value}"
                    for j in missed
                )
                or "Every key decision was the expected one.",
                id="debrief-missed",
                markup=False,
            )
            yield Static("Each key decision", classes="section-title")
            for n, judgement in enumerate(debrief.grade.judgements, start=1):
                yield Static(
                    f"{n}. {judgement.prompt}\n{judgement.feedback()}",
                    classes="debrief-decision",
                    markup=False,
                )
            yield Label("Export the debrief as Markdown:")
            yield Input(str(default_debrief_path(debrief.reference)), id="debrief-path")
            with Horizontal(classes="buttons"):
                yield Button("Export", id="export", variant="primary")
                yield Button("Another scenario", id="again")
            yield Static("", id="debrief-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#export", Button).focus()

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#debrief-path")
    def export(self) -> None:
        message = self.query_one("#debrief-message", Static)
        path = Path(self.query_one("#debrief-path", Input).value.strip()).expanduser()
        try:
            self.debrief.write(path)
        except UserError as exc:
            message.update(f"Not exported: {exc.message}")
            return
        message.update(f"Exported to {path}")
        self.notify(f"Debrief exported to {path}")

    @on(Button.Pressed, "#again")
    def again(self) -> None:
        self.action_back()

    def action_back(self) -> None:
        self.app.pop_screen()


__all__ = [
    "DebriefScreen",
    "FeedbackScreen",
    "NarrativeScreen",
    "ScenarioPickerScreen",
    "TraineeScreen",
    "TrainingRun",
    "TrainingStepScreen",
]
