"""Training scenarios as data: `flows/scenarios/*.toml`.

A scenario names the procedure it trains on, tells a story (the narrative,
shown first), reveals facts as the trainee reaches given steps, and says what
is expected at each key step: the answer, why, and the source that says so.
Scenarios are checked like flows: a schema error, or a step, choice, item,
override or source the procedure does not have, is reported as `FILE:LINE`.

Wording lives here, in the files, never in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from incident_tui.flow.loader import (
    FlowFileError,
    Problem,
    SourceFile,
    load_each,
    pick,
    read_toml,
    schema_problems,
    shipped_flows_dir,
)
from incident_tui.flow.model import Condition, ItemId, SourceRef, StepId
from incident_tui.locations import Paths

SCENARIOS_DIR = "scenarios"

ModelValue = str | bool | list[str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weight(StrEnum):
    """What kind of decision an expectation is about; it sets the default weight."""

    referral = "referral"
    """An immediate referral to police or children's social care."""
    interlock = "interlock"
    """A rule that must not be broken (same-sex searcher, no force, no viewing)."""
    safety = "safety"
    """A safety action (device off and locked away, nothing deleted)."""
    escalation = "escalation"
    """Recognising immediate risk (an adult involved, a weapon)."""
    decision = "decision"
    """Any other key decision."""


DEFAULT_WEIGHTS: dict[Weight, int] = {
    Weight.referral: 5,
    Weight.interlock: 5,
    Weight.safety: 3,
    Weight.escalation: 3,
    Weight.decision: 2,
}


class Fact(_Strict):
    """Something the trainee learns when a step is reached."""

    at: StepId
    """Shown when this step is reached, and kept on screen after."""
    text: str = Field(min_length=1)
    """e.g. 'The pupil now says the other person is 19.'"""


class Expectation(_Strict):
    """What a trainee should do at one key step, and why."""

    step: StepId
    """The step (a fragment's steps are `<include id>.<step id>`)."""
    answer: str | list[str] | bool | None = None
    """A choice id, or a list of acceptable choice ids; `true` for a confirm step.
    Leave out for a step that only has to be reached (an end)."""
    includes: list[ItemId] = []
    """Checklist items that must be ticked."""
    excludes: list[ItemId] = []
    """Checklist items that must not be ticked."""
    override: ItemId | None = None
    """The interlock override that should be recorded with the answer."""
    kind: Weight = Weight.decision
    weight: int | None = Field(default=None, ge=0, le=20)
    """Overrides the weight of `kind`."""
    why: str = Field(min_length=1)
    """Why this is the right answer, in plain words."""
    source: SourceRef
    """A source key declared by the procedure, and the section."""
    mistakes: dict[str, str] = {}
    """Extra feedback for a particular wrong choice id."""
    when: Condition | None = None
    """Expected only on a path where this holds, written as in a flow (e.g. only when
    the case is kept in school); on any other path it is not scored."""

    @model_validator(mode="after")
    def _one_form(self) -> Expectation:
        if self.answer is not None and (self.includes or self.excludes):
            raise ValueError("use either 'answer' or 'includes'/'excludes', not both")
        if isinstance(self.answer, list) and not self.answer:
            raise ValueError("'answer' lists no choice")
        return self

    def accepted(self) -> list[str]:
        if isinstance(self.answer, str):
            return [self.answer]
        if isinstance(self.answer, list):
            return list(self.answer)
        return []


class ModelAnswer(_Strict):
    """One answer of the model path, replayed by the checker to prove the scenario is sound.

    Confirm steps, text steps and checklists that need every item may be left
    out: they are answered for you.
    """

    step: StepId
    answer: ModelValue
    rationale: str | None = None
    override: ItemId | None = None


class Scoring(_Strict):
    pass_percent: int = Field(default=80, ge=0, le=100)
    ideal_steps: int | None = Field(default=None, ge=1)
    """Decisions on the shortest sound path; more than this counts as a slower path."""
    slow_path_weight: int = Field(default=1, ge=0, le=20)
    weights: dict[Weight, int] = {}
    """Overrides of the default weight of each kind."""

    def weight_of(self, kind: Weight) -> int:
        return self.weights.get(kind, DEFAULT_WEIGHTS[kind])


class Scenario(_Strict):
    id: ItemId
    title: str = Field(min_length=1)
    flow: ItemId
    """The id of the procedure the scenario runs through."""
    audience: list[str] = Field(min_length=1)
    """Who it is for, e.g. ['all staff', 'DSL']."""
    summary: str = Field(min_length=1)
    """One line for the picker."""
    narrative: str = Field(min_length=1)
    """Shown before the first step."""
    facts: list[Fact] = []
    expect: list[Expectation] = Field(min_length=1)
    scoring: Scoring = Field(default_factory=Scoring)
    model: list[ModelAnswer] = []
    """The model path (optional): lets `flows check` prove the expectations can all be met."""

    def expectation_for(self, step_id: str) -> Expectation | None:
        return next((e for e in self.expect if e.step == step_id), None)

    def weight_of(self, expectation: Expectation) -> int:
        if expectation.weight is not None:
            return expectation.weight
        return self.scoring.weight_of(expectation.kind)


@dataclass(frozen=True)
class LoadedScenario:
    scenario: Scenario
    path: Path
    source: SourceFile = field(repr=False)

    def line(self, *loc: str | int) -> int:
        return self.source.line(loc)


def load_scenario(path: Path) -> LoadedScenario:
    """Read and validate one scenario file (FlowFileError lists every problem)."""
    source = read_toml(path)
    try:
        scenario = Scenario.model_validate(source.data)
    except ValidationError as exc:
        raise FlowFileError(schema_problems(source, exc)) from None
    return LoadedScenario(scenario, path, source)


def scenario_files_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.toml") if p.is_file())


def scenario_paths(extra: list[Path] | None = None, *, local_dir: Path | None = None) -> list[Path]:
    """Shipped scenarios, then the school's own (`scenarios/` in `local_dir`, by
    default the config folder's `flows/` as the environment says), then `extra`."""
    shipped = scenario_files_in(shipped_flows_dir() / SCENARIOS_DIR)
    if local_dir is None:
        local_dir = Paths.from_environment().local_flows_dir
    local = scenario_files_in(local_dir / SCENARIOS_DIR)
    return shipped + local + list(extra or [])


def load_scenarios(
    paths: list[Path] | None = None, *, local_dir: Path | None = None
) -> tuple[dict[str, LoadedScenario], list[Problem]]:
    """Every scenario by id, and the problems of files that could not be read.

    A later file with the same id overrides an earlier one from another folder.
    """
    chosen = scenario_paths(local_dir=local_dir) if paths is None else paths
    return load_each(
        chosen, load_scenario, lambda s: s.scenario.id, lambda s: s.line("id"), "scenario"
    )


def get_scenario(scenario_id: str) -> LoadedScenario:
    scenarios, problems = load_scenarios()
    return pick(scenarios, scenario_id, problems, "scenario")


__all__ = [
    "DEFAULT_WEIGHTS",
    "Expectation",
    "Fact",
    "LoadedScenario",
    "ModelAnswer",
    "Scenario",
    "Scoring",
    "Weight",
    "get_scenario",
    "load_scenario",
    "load_scenarios",
    "scenario_paths",
]
