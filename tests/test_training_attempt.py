"""A training attempt without the screens: what is judged, what is revealed, the score
recorded in the training store. The training screens only show what this decides."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui.flow.engine import AnswerInput
from incident_tui.flow.loader import load_flow
from incident_tui.locations import Paths
from incident_tui.record.access import open_record
from incident_tui.settings import Settings
from incident_tui.training.attempts import (
    FEEDBACK_EACH,
    FEEDBACK_END,
    TrainingAttempt,
    past_attempts,
)
from incident_tui.training.scenario import load_scenario
from tests.engine_fixture import TOY_FLOW

SCENARIO = (
    Path(__file__).parent / "fixtures" / "scenarios" / "flows" / "scenarios" / "toy-knife.toml"
)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(data=tmp_path / "data", config=tmp_path / "config")


def begin(paths: Paths, tmp_path: Path, feedback: str = FEEDBACK_EACH) -> TrainingAttempt:
    flow_file = tmp_path / "toy.toml"
    flow_file.write_text(TOY_FLOW, encoding="utf-8")
    store = open_record(paths, "training", write=True)
    return TrainingAttempt.start(
        store, load_flow(flow_file), load_scenario(SCENARIO), " Ann Trainee ", feedback, Settings()
    )


def test_each_key_decision_is_judged_once_and_facts_come_with_their_step(
    paths: Paths, tmp_path: Path
) -> None:
    attempt = begin(paths, tmp_path)
    incident = attempt.incident
    assert attempt.trainee == "Ann Trainee" and attempt.feedback_each
    incident.submit(AnswerInput("safety", True))
    assert attempt.judge_new_decisions() == []  # not a key decision
    incident.submit(AnswerInput("item", "knife"))
    [judgement] = attempt.judge_new_decisions()
    assert judgement.right and judgement.step_id == "item"
    assert attempt.judge_new_decisions() == []  # judged once
    incident.submit(AnswerInput("grounds", "Threat reported by two pupils"))
    assert attempt.reveal_facts() == []
    incident.submit(AnswerInput("consent", "no-force", "Threat with a knife"))
    # the staff step is on screen: its fact is revealed now, and only once
    assert attempt.reveal_facts() == [
        "Only staff of the other sex are on site, and the pupil is reaching into his bag."
    ]
    assert attempt.reveal_facts() == [] and len(attempt.revealed) == 1
    incident.store.close()


def test_finishing_grades_seals_and_records_the_score_in_the_training_store(
    paths: Paths, tmp_path: Path
) -> None:
    attempt = begin(paths, tmp_path, FEEDBACK_END)
    incident = attempt.incident
    for answer in (
        AnswerInput("safety", True),
        AnswerInput("item", "vape"),
        AnswerInput("grounds", "Seen with it at break"),
        AnswerInput("consent", "no"),
    ):
        incident.submit(answer)
    assert [j.step_id for j in attempt.judge_new_decisions()] == ["item"]
    assert attempt.ended and not attempt.feedback_each
    debrief, problem = attempt.finish()
    assert problem is None and incident.sealed
    assert debrief.score_text().startswith("1 of 16 (6%): not yet passed")
    assert debrief.trainee == "Ann Trainee" and debrief.finished is not None
    incident.store.close()
    with open_record(paths, "training") as store:
        [past] = past_attempts(store)
    assert (past.trainee, past.score, past.passed) == ("Ann Trainee", 1, False)
    assert not paths.store_dir("live").exists()


def test_the_debrief_names_each_correction_the_trainee_made(paths: Paths, tmp_path: Path) -> None:
    attempt = begin(paths, tmp_path, FEEDBACK_END)
    incident = attempt.incident
    incident.submit(AnswerInput("safety", True))
    incident.submit(AnswerInput("item", "vape"))
    first = next(d for d in incident.session.decisions if d.answer.step == "item")
    incident.amend(first.ref, AnswerInput("item", "knife"), "Misread: it was a knife")
    for answer in (
        AnswerInput("grounds", "Threat reported by two pupils"),
        AnswerInput("consent", "no"),
    ):
        incident.submit(answer)
    debrief, problem = attempt.finish()
    assert problem is None
    [correction] = debrief.corrections
    assert (correction.was, correction.now) == ("A vape (school rule)", "A knife or weapon")
    assert correction.reason == "Misread: it was a knife"
    markdown = debrief.markdown()
    assert "## Corrections you made" in markdown
    assert 'corrected to "A knife or weapon" (reason given: Misread: it was a knife)' in markdown
    # a training printout can never be taken for a live record
    assert debrief.reference.startswith("T-")
    assert f"Training record: {debrief.reference}" in markdown
