"""Check a scenario against its procedure: every name it uses must exist there.

A scenario that names a step, choice, item, override or source its flow does
not have is rejected with `FILE:LINE`, as a flow is. If the scenario gives a
model path, it is replayed through the engine and must reach an end and meet
every expectation: that proves the scenario can be played right.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from incident_tui import dates
from incident_tui.flow.engine import AnswerInput, EngineError, Session, find_override
from incident_tui.flow.loader import LoadedFlow, Problem
from incident_tui.flow.model import (
    AnyStep,
    ChecklistStep,
    ChoiceStep,
    ConfirmStep,
    Flow,
    TextStep,
)
from incident_tui.training.scenario import Expectation, LoadedScenario, load_scenarios
from incident_tui.training.scoring import grade

MODEL_TEXT = "(model answer)"
MAX_MODEL_STEPS = 500


def lint_scenario(loaded: LoadedScenario, loaded_flow: LoadedFlow) -> list[Problem]:
    """Every problem of one scenario against the (resolved) flow it names."""
    return _ScenarioLinter(loaded, loaded_flow.flow).run()


def lint_scenarios(flows: dict[str, LoadedFlow], paths: list[Path] | None = None) -> list[Problem]:
    """Load every scenario (shipped, local, or `paths`) and check each against its flow."""
    scenarios, problems = load_scenarios(paths)
    for loaded in scenarios.values():
        loaded_flow = flows.get(loaded.scenario.flow)
        if loaded_flow is None:
            known = ", ".join(sorted(flows)) or "none"
            problems.append(
                Problem(
                    loaded.path,
                    loaded.line("flow"),
                    f"flow '{loaded.scenario.flow}' is not a known procedure (known: {known})",
                )
            )
            continue
        problems.extend(lint_scenario(loaded, loaded_flow))
    return problems


class _ScenarioLinter:
    def __init__(self, loaded: LoadedScenario, flow: Flow) -> None:
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.flow = flow
        self.problems: list[Problem] = []

    def at(self, loc: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(self.loaded.path, self.loaded.line(*loc), message))

    def run(self) -> list[Problem]:
        if self.scenario.flow != self.flow.id:
            self.at(
                ("flow",), f"names flow '{self.scenario.flow}', checked against '{self.flow.id}'"
            )
            return self.problems
        for n, fact in enumerate(self.scenario.facts):
            if not self.flow.has_step(fact.at):
                self.at(("facts", n, "at"), f"fact {n + 1}: {self._no_step(fact.at)}")
        seen: set[str] = set()
        for n, expectation in enumerate(self.scenario.expect):
            label = f"expectation {n + 1} (step '{expectation.step}')"
            if expectation.step in seen:
                self.at(("expect", n, "step"), f"{label}: a second expectation for the same step")
            seen.add(expectation.step)
            if not self.flow.has_step(expectation.step):
                self.at(
                    ("expect", n, "step"), f"expectation {n + 1}: {self._no_step(expectation.step)}"
                )
                continue
            self.check_expectation(n, label, self.flow.step(expectation.step), expectation)
            tested = expectation.when.steps_tested() if expectation.when else set()
            for step_id in sorted(tested):
                if not self.flow.has_step(step_id):
                    self.at(("expect", n, "when"), f"{label}: when: {self._no_step(step_id)}")
        if not self.problems and self.scenario.model:
            self.check_model()
        return self.problems

    def _no_step(self, step_id: str) -> str:
        return f"step '{step_id}' is not a step of flow '{self.flow.id}'"

    def check_expectation(
        self, n: int, label: str, step: AnyStep, expectation: Expectation
    ) -> None:
        loc = ("expect", n)
        if expectation.source.ref not in self.flow.sources:
            declared = ", ".join(sorted(self.flow.sources))
            self.at(
                (*loc, "source"),
                f"{label}: source '{expectation.source.ref}' is not declared by flow "
                f"'{self.flow.id}' (declared: {declared})",
            )
        if isinstance(step, ChoiceStep):
            choices = {c.id: c for c in step.choices}
            if expectation.answer is None or isinstance(expectation.answer, bool):
                self.at((*loc, "answer"), f"{label}: a choice step needs 'answer' = a choice id")
            for choice_id in expectation.accepted():
                if choice_id not in choices:
                    self.at(
                        (*loc, "answer"),
                        f"{label}: step '{step.id}' has no choice '{choice_id}' "
                        f"(choices: {', '.join(choices)})",
                    )
            for choice_id in expectation.mistakes:
                if choice_id not in choices:
                    self.at(
                        (*loc, "mistakes"),
                        f"{label}: mistakes names choice '{choice_id}', which step "
                        f"'{step.id}' does not have",
                    )
            if expectation.override:
                overrides = {
                    o.id
                    for c in expectation.accepted()
                    if c in choices and choices[c].interlock is not None
                    for o in choices[c].interlock.overrides  # type: ignore[union-attr]
                }
                if expectation.override not in overrides:
                    self.at(
                        (*loc, "override"),
                        f"{label}: no expected choice has an override '{expectation.override}'",
                    )
        elif isinstance(step, ChecklistStep):
            items = {i.id for i in step.items}
            if expectation.answer is not None:
                self.at((*loc, "answer"), f"{label}: a checklist takes 'includes'/'excludes'")
            for key, ids in (
                ("includes", expectation.includes),
                ("excludes", expectation.excludes),
            ):
                for item in ids:
                    if item not in items:
                        self.at(
                            (*loc, key),
                            f"{label}: step '{step.id}' has no item '{item}' "
                            f"(items: {', '.join(sorted(items))})",
                        )
        else:
            if isinstance(step, ConfirmStep) and expectation.answer not in (None, True):
                self.at((*loc, "answer"), f"{label}: a confirm step can only be confirmed (true)")
            elif not isinstance(step, ConfirmStep) and expectation.answer is not None:
                self.at(
                    (*loc, "answer"),
                    f"{label}: step '{step.id}' is a {step.kind} step: leave out 'answer'",
                )
            if expectation.includes or expectation.excludes:
                self.at((*loc,), f"{label}: 'includes'/'excludes' need a checklist step")
        if not isinstance(step, ChoiceStep) and (expectation.override or expectation.mistakes):
            self.at((*loc,), f"{label}: 'override' and 'mistakes' need a choice step")

    def check_model(self) -> None:
        session = play_model(self.loaded, self.flow, self.at)
        if session is None:
            return
        end = session.end
        if end is None:
            self.at(("model",), f"the model path stops at step '{session.current.id}', not an end")
            return
        result = grade(self.scenario, self.flow, session.decisions, end.id)
        judged = {j.step_id: j for j in result.judgements}
        for n, expectation in enumerate(self.scenario.expect):
            judgement = judged.get(self.flow.step(expectation.step).id)
            if judgement is not None and not judgement.right:
                self.at(
                    ("expect", n),
                    f"expectation {n + 1} (step '{expectation.step}'): the model path does not "
                    f"meet it ({judgement.status.value}: {judgement.given})",
                )
        ideal = self.scenario.scoring.ideal_steps
        if ideal is not None and result.decisions > ideal:
            self.at(
                ("scoring", "ideal_steps"),
                f"ideal_steps is {ideal} but the model path takes {result.decisions} decisions",
            )


def auto_answer(step: AnyStep) -> AnswerInput | None:
    """The answer a model path may leave out: confirm, text, or a checklist needing every item."""
    if isinstance(step, ConfirmStep):
        return AnswerInput(step.id, True, MODEL_TEXT)
    if isinstance(step, TextStep):
        value = MODEL_TEXT if step.format is None else dates.sample(step.format)
        return AnswerInput(step.id, value, MODEL_TEXT)
    if isinstance(step, ChecklistStep) and step.require == "all":
        return AnswerInput(step.id, [i.id for i in step.items], MODEL_TEXT)
    return None


def _every_condition(step: AnyStep, value: object, override_id: str | None) -> tuple[str, ...]:
    """A model path that records an exception confirms every one of its conditions."""
    if override_id is None or not isinstance(step, ChoiceStep):
        return ()
    choice = next((c for c in step.choices if c.id == value), None)
    if choice is None or choice.interlock is None:
        return ()
    override = find_override(choice.interlock, override_id)
    return tuple(c.id for c in override.conditions) if override else ()


def model_answers(loaded: LoadedScenario, flow: Flow) -> list[AnswerInput]:
    """The model path as full answers, in order (empty if the scenario gives none or it fails)."""
    session = play_model(loaded, flow, lambda loc, message: None)
    return [d.answer for d in session.decisions] if session else []


def play_model(
    loaded: LoadedScenario, flow: Flow, report: Callable[[tuple[str | int, ...], str], None]
) -> Session | None:
    """Replay the model path; `report(loc, message)` is told of the first problem."""
    session = Session(flow)
    queue = list(enumerate(loaded.scenario.model))
    for _ in range(MAX_MODEL_STEPS):
        if session.ended:
            break
        step = session.current
        if queue and queue[0][1].step == step.id:
            n, entry = queue.pop(0)
            loc: tuple[str | int, ...] = ("model", n)
            answer = AnswerInput(
                step.id,
                entry.answer,
                entry.rationale or MODEL_TEXT,
                entry.override,
                confirmed=_every_condition(step, entry.answer, entry.override),
            )
        else:
            auto = auto_answer(step)
            if auto is None:
                where = f"; the next entry is for '{queue[0][1].step}'" if queue else ""
                loc = ("model", queue[0][0]) if queue else ("model",)
                report(loc, f"the model path says nothing for step '{step.id}'{where}")
                return None
            answer, loc = auto, ("model",)
        try:
            session.answer(answer)
        except EngineError as exc:
            report(loc, f"the model path fails at step '{step.id}': {exc}")
            return None
    if queue:
        n, entry = queue[0]
        report(("model", n), f"model entry for step '{entry.step}' is never reached")
        return None
    return session


__all__ = ["auto_answer", "lint_scenario", "lint_scenarios", "model_answers", "play_model"]


def check_scenario_files(
    paths: list[Path], *, local_dir: Path | None = None
) -> tuple[list[LoadedFlow], list[Problem]]:
    """`incident-tui flows check`: the scenarios beside the flow files checked.

    Scenarios live in a `scenarios/` folder beside the flows; each is checked
    against the flow it names (the checked files first, then every installed flow).
    """
    from incident_tui.flow.loader import flow_paths, load_all
    from incident_tui.training.scenario import SCENARIOS_DIR, scenario_files_in

    installed, _ = load_all(flow_paths(local_dir=local_dir))
    given, _ = load_all(paths)  # their own problems are reported by the flow check
    flows = {**installed, **given}
    folders = dict.fromkeys(p.parent / SCENARIOS_DIR for p in paths)
    scenario_paths = [f for folder in folders for f in scenario_files_in(folder)]
    if not scenario_paths:
        return [], []
    return [], lint_scenarios(flows, scenario_paths)
