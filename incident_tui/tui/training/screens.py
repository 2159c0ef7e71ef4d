"""Training screens: pick a scenario, name the trainee, read the narrative, run, debrief.

The steps themselves are the live step screen (`StepScreen`), wrapped so that
it also shows the facts revealed so far, gives feedback after each key
decision when the trainer asked for it, and ends in the debrief instead of
the live summary. What is judged, revealed, graded and recorded is decided by
`TrainingAttempt` (training/attempts.py); these screens only show it. The app
runs in training mode, so every screen says TRAINING and everything goes to
the training store.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from incident_tui.errors import UserError
from incident_tui.people import Role
from incident_tui.text_fields import ACTOR_NAME
from incident_tui.training.attempts import FEEDBACK_EACH, FEEDBACK_END, TrainingAttempt
from incident_tui.training.debrief import CORRECTIONS_NOTE, Debrief
from incident_tui.training.scenario import LoadedScenario, load_scenarios
from incident_tui.training.scoring import Judgement
from incident_tui.tui.screens.base import AppModal, AppScreen
from incident_tui.tui.screens.step import StepScreen

FEEDBACK_WORDS = {
    FEEDBACK_EACH: "after each key decision",
    FEEDBACK_END: "only at the end, in the debrief",
}


def default_debrief_path(reference: str) -> Path:
    return Path.home() / f"training-debrief-{reference}.md"


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
        *[
            Binding(str(n), f"pick({n})", f"Scenario {n}", show=False, id=f"scenario-{n}")
            for n in range(1, 10)
        ],
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

    def action_pick(self, number: int) -> None:
        """The number shown before a scenario starts it (as on every list of options)."""
        if 1 <= number <= len(self.available):
            self.query_one("#scenarios", OptionList).highlighted = number - 1
            self._start(list(self.available)[number - 1])

    @on(OptionList.OptionSelected, "#scenarios")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._start(event.option.id)

    def _start(self, scenario_id: str) -> None:
        if self.app.screen is not self:  # a key typed ahead once a scenario was chosen
            return
        self.app.push_screen(TraineeScreen(self.available[scenario_id], self.feedback))


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
                person = self.ctx.person
                # on a school server a member of staff practises as themselves; a
                # trainer types the name of whoever they are training
                mine = person is not None and person.role is not Role.trainer
                yield Input(
                    person.name if mine and person is not None else "",
                    id="trainee-name",
                    max_length=ACTOR_NAME.limit,
                    placeholder="e.g. Sam Jones",
                    disabled=mine,
                )
            yield Static("", id="trainee-error", classes="error", markup=False)
            yield Button("Start", id="start", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        name = self.query_one("#trainee-name", Input)
        if name.disabled:
            self.query_one("#start", Button).focus()
        else:
            name.focus()

    @on(Input.Submitted, "#trainee-name")
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        error = self.query_one("#trainee-error", Static)
        name = self.query_one("#trainee-name", Input).value.strip()
        if not name:
            error.update("Please type the trainee's name.")
            return
        flow = self.ctx.flows[self.loaded.scenario.flow]
        try:
            person = self.ctx.person
            attempt = TrainingAttempt.start(
                self.ctx.writable_store(),
                flow,
                self.loaded,
                name,
                self.feedback,
                self.ctx.settings,
                login=person.login if person is not None else None,
            )
        except UserError as exc:
            error.update(f"Not started: {exc.message}")
            return
        self.ctx.incident = attempt.incident
        self.app.switch_screen(NarrativeScreen(attempt))


class NarrativeScreen(AppScreen):
    """The story, read before the first step."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back to scenarios", id="back")]

    def __init__(self, attempt: TrainingAttempt) -> None:
        super().__init__()
        self.attempt = attempt

    def compose(self) -> ComposeResult:
        attempt = self.attempt
        scenario = attempt.scenario
        yield self.mode_banner(f"{attempt.incident.reference} · {scenario.title}")
        with VerticalScroll(id="narrative"):
            yield Static(scenario.title, classes="prompt", markup=False)
            yield Static(
                attempt.incident.text(scenario.narrative.strip()),
                id="narrative-text",
                markup=False,
            )
            yield Static(
                f"Procedure: {attempt.flow.flow.title}. Trainee: {attempt.trainee}. "
                f"Feedback {FEEDBACK_WORDS[attempt.feedback]}.",
                classes="hint",
                markup=False,
            )
            yield Button("Begin", id="begin", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#begin", Button).focus()

    @on(Button.Pressed, "#begin")
    def begin(self) -> None:
        self.app.switch_screen(TrainingStepScreen(self.attempt))


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

    def __init__(self, attempt: TrainingAttempt) -> None:
        super().__init__(attempt.incident)
        self.attempt = attempt

    async def on_mount(self) -> None:
        panel = Static("", id="training-panel", markup=False)
        await self.mount(panel, before=self.query_one("#incident"))
        # StepScreen.on_mount then shows the current step (through show_current below)

    async def show_current(self) -> None:
        attempt = self.attempt
        judged = attempt.judge_new_decisions()
        if attempt.ended:
            self.finish()
        else:
            self._show_facts(attempt.reveal_facts())
            await super().show_current()
        if attempt.feedback_each:
            for judgement in judged:  # over the next step, or over the debrief
                self.app.push_screen(FeedbackScreen(judgement))

    def _show_facts(self, new: list[str]) -> None:
        for text in new:
            self.notify(text, title="TRAINING: new information", timeout=8)
        attempt = self.attempt
        lines = [f"TRAINING · {attempt.scenario.title}"]
        lines += [f"New information: {text}" for text in attempt.revealed]
        if not attempt.revealed:
            lines.append("Work through the procedure as you would for real.")
        self.query_one("#training-panel", Static).update("\n".join(lines))

    def finish(self) -> None:
        """The procedure has ended: the attempt is graded, sealed and recorded; debrief."""
        debrief, problem = self.attempt.finish()
        if problem is not None:
            self.notify(f"NOT SAVED — {problem}", severity="error", timeout=10)
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
            if debrief.corrections:
                yield Static("Corrections you made", classes="section-title")
                yield Static(
                    "\n".join([CORRECTIONS_NOTE, *(f"- {c.text()}" for c in debrief.corrections)]),
                    id="debrief-corrections",
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
        # Enter exports, but the debrief opens at its top: the title and the score first
        self.set_focus(self.query_one("#export", Button), scroll_visible=False)

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
    "TrainingStepScreen",
]
